// `lego rollout <tasks.jsonl> --model URL -k N`: agent rollouts on validated tasks, graded
// with their tests; each trajectory a JSON line with its outcome (resolved | semi-resolved |
// unresolved | cheated | infra-error).
import { createWriteStream } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import OpenAI from "openai";
import { prepareRepoAtBase } from "../../../sandbox/git-history.js";
import type { ActionMode, Trajectory } from "../../agent/index.js";
import { changedPaths } from "../../diff/index.js";
import { ensureEnvironment } from "../../environment/ensure.js";
import { classifyOutcome } from "../../fix/outcome.js";
import { runRollout } from "../../fix/rollout-runner.js";
import { parseJsonl, taskInstanceSchema, type TaskInstance } from "../../tasks/swebench.js";
import { isCheating } from "../../validation/cheating.js";
import { evaluatePatch } from "../../validation/evaluate.js";
import type { Batch } from "../batch.js";

export interface RolloutFlags {
  model: string;
  modelName: string;
  apiKey?: string;
  mode: ActionMode;
  k: number;
  maxTurns: number;
  parallel: number;
  repo?: string;
  json: boolean;
  out?: string;
}

export interface RolloutRecord extends Omit<Trajectory, "patch"> {
  instance_id: string;
  rollout: number;
  outcome: "resolved" | "semi-resolved" | "unresolved" | "cheated" | "infra-error";
  outcome_reason: string;
  patch: string;
}

/** Runs `fn` over `items` with at most `n` at a time, keeping order in the results. */
async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

export async function rolloutCommand(batch: Batch, file: string, flags: RolloutFlags, out: (line: string) => void, err: (line: string) => void) {
  const lines = parseJsonl(await readFile(file, "utf8"), taskInstanceSchema);
  for (const bad of lines.filter((l) => !l.ok)) err(`${file}:${bad.line}: skipped: ${"error" in bad ? bad.error : ""}`);
  const tasks = lines.flatMap((l) => (l.ok ? [l.value] : []));
  const client = new OpenAI({ baseURL: flags.model, apiKey: flags.apiKey ?? "unused", maxRetries: 0 });
  const sink = flags.out ? createWriteStream(flags.out) : null;
  const jobs = tasks.flatMap((t) => Array.from({ length: flags.k }, (_, i) => ({ task: t, index: i })));
  const bar = batch.progress(jobs.length, "rollout");
  const counts: Record<string, number> = {};
  try {
    await pool(jobs, flags.parallel, async ({ task, index }) => {
      // A sandbox failure says nothing about the model: one more try before it is reported.
      let record = await oneRollout(batch, client, task, index, flags);
      if (record.outcome === "infra-error") record = await oneRollout(batch, client, task, index, flags);
      counts[record.outcome] = (counts[record.outcome] ?? 0) + 1;
      bar.tick(`${task.instance_id}#${index} ${record.outcome}`);
      const line = JSON.stringify(record);
      if (sink) sink.write(`${line}\n`);
      else if (flags.json) out(line);
    });
  } finally {
    bar.stop();
    await new Promise<void>((resolve) => (sink ? sink.end(resolve) : resolve()));
  }
  if (!flags.json || sink) {
    const total = jobs.length;
    out(`${total} rollout(s) on ${tasks.length} task(s): ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", ") || "none"}${sink ? `; trajectories in ${flags.out}` : ""}`);
  }
  return { counts, total: jobs.length };
}

async function oneRollout(batch: Batch, client: OpenAI, task: TaskInstance, index: number, flags: RolloutFlags): Promise<RolloutRecord> {
  const id = `${task.instance_id}-r${index}`.replace(/[^A-Za-z0-9._-]/g, "_");
  const repoDir = path.join(batch.scratch, `rollout-${id}`);
  const base = { instance_id: task.instance_id, rollout: index };
  try {
    const clone = await batch.cloneOf(task.repo, flags.repo);
    const env = await ensureEnvironment(batch.envDeps, { repo: task.repo, cloneDir: clone, commit: task.base_commit });
    if (!env.ok) return infra(base, env.reason, flags);
    const head = await prepareRepoAtBase(clone, task.base_commit, repoDir);
    const trajectory = await runRollout(
      { docker: batch.docker, image: env.image, repoDir, repoHead: head, limits: batch.limits, labels: { "org.legofactory.rollout": id } },
      task.problem_statement,
      { client, model: flags.modelName, mode: flags.mode, maxTurns: flags.maxTurns, user: id },
    );
    if (trajectory.finishReason === "sandbox-error") return { ...base, ...trajectory, outcome: "infra-error", outcome_reason: trajectory.finishMessage ?? "the sandbox failed" };
    const edited = changedPaths(trajectory.patch);
    const cheating = isCheating(edited, trajectory.patch);
    const evaluation = cheating.cheated || !trajectory.patch.trim()
      ? null
      : await evaluatePatch(
          { testPatch: task.test_patch, failToPass: task.FAIL_TO_PASS, passToPass: task.PASS_TO_PASS },
          trajectory.patch,
          { docker: batch.docker, image: env.image, plan: env.plan, repoDir, repoHead: head, scope: "touched", timeoutMs: batch.config.LEGO_SANDBOX_TIMEOUT_SEC * 1000, limits: batch.limits },
        );
    const infraError = evaluation && !evaluation.valid && !/does not apply/.test(evaluation.reason ?? "") ? (evaluation.reason ?? "the test run proved nothing") : undefined;
    const outcome = classifyOutcome({
      grade: evaluation?.grade ? { resolved: evaluation.resolved, valid: evaluation.valid } : null,
      editedFiles: edited,
      goldFiles: changedPaths(task.patch),
      cheating,
      ...(infraError ? { infraError } : {}),
    });
    return { ...base, ...trajectory, outcome: outcome.outcome, outcome_reason: trajectory.patch.trim() ? outcome.reason : `no patch (${trajectory.finishReason})` };
  } catch (e) {
    return infra(base, (e as Error).message, flags);
  } finally {
    await rm(repoDir, { recursive: true, force: true });
  }
}

function infra(base: { instance_id: string; rollout: number }, reason: string, flags: RolloutFlags): RolloutRecord {
  return {
    ...base,
    outcome: "infra-error",
    outcome_reason: reason,
    messages: [],
    steps: [],
    patch: "",
    finishReason: "sandbox-error",
    turns: 0,
    tokens: { prompt: 0, completion: 0 },
    costUsd: 0,
    durationMs: 0,
    mode: flags.mode,
    model: flags.modelName,
    baseCommit: null,
    condensations: [],
    modelRetries: [],
  };
}
