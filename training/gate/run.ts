// Runs the gate: both models on the same held-out tasks through the same rollout harness and
// grading (src/fix/graded-rollout.ts), interleaved task by task in one run, then the pure
// decision, then the registry: the result is recorded on the candidate, which is promoted only
// on `promote` (and never on an error).
import type OpenAI from "openai";
import { newClient } from "../../src/fix/models.js";
import type { Db } from "../../db/client.js";
import { getModelVersion, type ModelVersion, promoteModelVersion, promotedVersion, recordEvaluation } from "../../db/model-versions.js";
import type { ActionMode } from "../../src/agent/index.js";
import type { Config } from "../../src/config.js";
import { gradedRollout, type GradingDeps } from "../../src/fix/graded-rollout.js";
import type { TaskInstance } from "../../src/tasks/swebench.js";
import { decideGate, type GateReport, type GateRules, type SideResult, type TaskResult } from "./decide.js";

export interface GateModel {
  /** The registry name, or LEGO_POLICY_MODEL for the configured fallback. */
  name: string;
  versionId: number | null;
  baseURL: string;
  model: string;
  client: OpenAI;
}

export interface GateOptions extends GateRules {
  k: number;
  parallel: number;
  maxTurns: number;
  mode: ActionMode;
  dryRun: boolean;
  onRollout?: (r: { instanceId: string; side: "candidate" | "current"; index: number; outcome: string }) => void;
}

export class GateError extends Error {
  readonly code = "gate_invalid";
}

function fromVersion(v: ModelVersion, apiKey: string | undefined): GateModel {
  if (!v.endpoint) throw new GateError(`${v.name} has no serving endpoint; serve it and run \`lego models add ${v.name} --endpoint URL\` before gating it`);
  return { name: v.name, versionId: v.id, baseURL: v.endpoint, model: v.servedModel ?? v.name, client: newClient(v.endpoint, apiKey) };
}

/** The two models: the candidate by name, the current one by name, or the promoted one, or LEGO_POLICY_*. */
export async function gateModels(db: Db, config: Config, candidateName: string, againstName?: string): Promise<{ candidate: GateModel; current: GateModel; candidateVersion: ModelVersion }> {
  const candidateVersion = await getModelVersion(db, candidateName);
  if (!candidateVersion) throw new GateError(`there is no model version named ${candidateName} (see \`lego models list\`)`);
  const candidate = fromVersion(candidateVersion, config.LEGO_POLICY_API_KEY);
  let current: GateModel;
  if (againstName) {
    const v = await getModelVersion(db, againstName);
    if (!v) throw new GateError(`there is no model version named ${againstName} to gate against`);
    current = fromVersion(v, config.LEGO_POLICY_API_KEY);
  } else {
    const promoted = await promotedVersion(db);
    if (promoted && promoted.id !== candidateVersion.id) current = fromVersion(promoted, config.LEGO_POLICY_API_KEY);
    else if (config.LEGO_POLICY_BASE_URL) {
      current = { name: config.LEGO_POLICY_MODEL, versionId: null, baseURL: config.LEGO_POLICY_BASE_URL, model: config.LEGO_POLICY_MODEL, client: newClient(config.LEGO_POLICY_BASE_URL, config.LEGO_POLICY_API_KEY) };
    } else throw new GateError("there is no current model to compare with: no other version is promoted and LEGO_POLICY_BASE_URL is unset; pass --against NAME");
  }
  if (current.versionId !== null && current.versionId === candidate.versionId) throw new GateError(`${candidate.name} cannot be gated against itself`);
  return { candidate, current, candidateVersion };
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

const emptySide = (): SideResult => ({ graded: 0, resolved: 0, errors: 0, errorReasons: [] });

/** Every task × model × k rollout, interleaved so both models see the same conditions. */
export async function runGateRollouts(deps: GradingDeps, tasks: TaskInstance[], models: { candidate: GateModel; current: GateModel }, opts: GateOptions): Promise<TaskResult[]> {
  const results = new Map(tasks.map((t) => [t.instance_id, { instanceId: t.instance_id, candidate: emptySide(), current: emptySide() }]));
  const jobs = tasks.flatMap((task) => Array.from({ length: opts.k }, (_, index) => (["candidate", "current"] as const).map((side) => ({ task, index, side })))).flat();
  await pool(jobs, Math.max(1, opts.parallel), async ({ task, index, side }) => {
    const m = models[side];
    const id = `gate-${task.instance_id}-${side}-${index}`.replace(/[^A-Za-z0-9._-]/g, "_");
    const graded = await gradedRollout(deps, task, id, { client: m.client, model: m.model, mode: opts.mode, maxTurns: opts.maxTurns });
    const r = (results.get(task.instance_id) as TaskResult)[side];
    const failed = graded.outcome === "infra-error" || graded.trajectory.finishReason === "model-error";
    if (failed) {
      r.errors++;
      if (r.errorReasons.length < 3) r.errorReasons.push((graded.trajectory.finishReason === "model-error" ? (graded.trajectory.finishMessage ?? graded.outcomeReason) : graded.outcomeReason).slice(0, 300));
    } else {
      r.graded++;
      if (graded.outcome === "resolved") r.resolved++;
    }
    opts.onRollout?.({ instanceId: task.instance_id, side, index, outcome: failed ? "error" : graded.outcome });
  });
  return [...results.values()];
}

export interface GateRun {
  report: GateReport;
  /** What happened in the registry. */
  applied: "promoted" | "rejected" | "recorded" | "dry-run" | "promotion-refused";
  note?: string;
}

export async function runGate(db: Db, deps: GradingDeps, config: Config, candidateName: string, tasks: TaskInstance[], opts: GateOptions & { against?: string }): Promise<GateRun> {
  const { candidate, current, candidateVersion } = await gateModels(db, config, candidateName, opts.against);
  if (tasks.length === 0) throw new GateError("the task file holds no valid task instances to gate on");
  const results = await runGateRollouts(deps, tasks, { candidate, current }, opts);
  const report = decideGate({ candidate: candidate.name, current: current.name }, results, { margin: opts.margin, minTasks: opts.minTasks });
  if (opts.dryRun) return { report, applied: "dry-run" };
  const evaluation = { ...report, gatedAt: new Date().toISOString(), against: { name: current.name, versionId: current.versionId, endpoint: current.baseURL } } as unknown as Record<string, unknown>;
  if (report.decision === "promote") {
    await recordEvaluation(db, candidateVersion.id, evaluation);
    const change = await promoteModelVersion(db, candidateVersion.id, `gate: ${report.reason}`);
    return change.ok ? { report, applied: "promoted" } : { report, applied: "promotion-refused", note: change.reason };
  }
  if (report.decision === "reject") {
    // A rejected version never replaces the promoted one, but a promoted one stays as it is.
    await recordEvaluation(db, candidateVersion.id, evaluation, candidateVersion.status === "promoted" ? undefined : { status: "rejected", reason: `gate: ${report.reason}` });
    return { report, applied: "rejected" };
  }
  await recordEvaluation(db, candidateVersion.id, evaluation);
  return { report, applied: "recorded" };
}
