// `lego rollout <tasks.jsonl> --model URL -k N`: agent rollouts on validated tasks, graded
// with their tests; each trajectory a JSON line with its outcome (resolved | semi-resolved |
// unresolved | cheated | infra-error).
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import type OpenAI from "openai";
import { newClient } from "../../fix/models.js";
import type { ActionMode, Trajectory } from "../../agent/index.js";
import { gradedRollout, rolloutIdFor } from "../../fix/graded-rollout.js";
import type { Outcome } from "../../fix/outcome.js";
import { fromSweBench, parseJsonl, taskInstanceSchema, type TaskInstance } from "../../tasks/swebench.js";
import { storeTaskRollout } from "../../../db/fixes.js";
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
  /** Keep each graded rollout and its trajectory in the database, as trajgen does. */
  store?: boolean;
}

export interface RolloutRecord extends Omit<Trajectory, "patch"> {
  instance_id: string;
  rollout: number;
  /** The id it is stored under with --store (the same task, model and index give the same id). */
  rollout_id: string;
  outcome: Outcome;
  outcome_reason: string;
  patch: string;
  finished_at: string;
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
  const client = newClient(flags.model, flags.apiKey);
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
      if (flags.store && record.outcome !== "infra-error") await storeRecord(batch, task, record, flags);
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
  const rolloutId = rolloutIdFor(task.instance_id, flags.modelName, index);
  const graded = await gradedRollout(
    { docker: batch.docker, envDeps: batch.envDeps, limits: batch.limits, testTimeoutMs: batch.config.LEGO_SANDBOX_TIMEOUT_SEC * 1000, scratch: batch.scratch, cloneOf: (repo) => batch.cloneOf(repo, flags.repo) },
    task,
    rolloutId,
    { client, model: flags.modelName, mode: flags.mode, maxTurns: flags.maxTurns },
  );
  return { instance_id: task.instance_id, rollout: index, rollout_id: rolloutId, ...graded.trajectory, outcome: graded.outcome, outcome_reason: graded.outcomeReason, finished_at: new Date().toISOString() };
}

/** An infra error says nothing about the model, so it is not kept (the next run retries it). */
async function storeRecord(batch: Batch, task: TaskInstance, record: RolloutRecord, flags: RolloutFlags): Promise<void> {
  const finishedAt = new Date(record.finished_at);
  await storeTaskRollout(batch.database.db, { ...fromSweBench(task), status: "valid" }, {
    id: record.rollout_id,
    taskInstanceId: task.instance_id,
    index: record.rollout,
    model: flags.modelName,
    outcome: record.outcome,
    outcomeReason: record.outcome_reason,
    patch: record.patch,
    finishReason: record.finishReason,
    turns: record.turns,
    promptTokens: record.tokens.prompt,
    completionTokens: record.tokens.completion,
    costUsd: record.costUsd,
    startedAt: new Date(finishedAt.getTime() - record.durationMs),
    finishedAt,
    messages: record.messages,
    steps: record.steps,
  });
}
