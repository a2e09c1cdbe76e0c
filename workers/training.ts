// Queue `training`: one training run. Takes the one active slot (a second run at once is
// skipped), exports an SFT snapshot with its manifest, launches it, follows it to the end
// (status, loss per step, log), and registers the checkpoint as a candidate model version. A
// failure is recorded with its reason and the log's tail; only a transient one (the engine says
// so) is retried, as a new run.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import { registerCandidate } from "../db/model-versions.js";
import { finishTrainingRun, startTrainingRun, type TrainingRun, updateTrainingRun } from "../db/training-runs.js";
import { exportSftCommand } from "../src/cli/commands/export-training.js";
import type { JobData, JobFailure } from "../src/queue.js";
import { DEFAULT_TIERS } from "../training/curriculum.js";
import { LaunchError, type Launcher, type LaunchSpec, type LaunchState, logTail, lossCurve } from "../training/launchers/types.js";

export interface TrainingDeps {
  db: Db;
  launcher: Launcher;
  trainDir: string;
  baseModel: string;
  pollMs: number;
  /** A run active for longer than this is abandoned (LEGO_TRAIN_TIMEOUT_SEC plus an hour). */
  staleAfterMs?: number;
  /** OpenHands' worked example in the first user message (LEGO_TRAIN_IN_CONTEXT_EXAMPLE). */
  inContextExample: boolean;
  log: Logger;
}

export type TrainingResult = { status: "skipped"; reason: string } | { status: "succeeded" | "failed"; runId: number; modelVersion?: string; reason?: string };

/** A transient failure: BullMQ retries the job, which starts a new run. */
export class TransientTrainingError extends Error {}

const NEXT_STEP = {
  export: "LegoFactory needs resolved trajectories outside the held-out set: let trajgen or `lego rollout --store` make some, or check `lego holdout list`",
  launch: "fix the launcher settings (LEGO_TRAIN_*) named above; the next scheduled run will use them",
  run: "read the log tail; fix the cause and the next scheduled run retries",
  checkpoint: "the trainer reported success but wrote nothing to {output}: check that the command writes its checkpoint there",
};

export async function processTraining(data: JobData["training"], deps: TrainingDeps): Promise<TrainingResult> {
  const started = await startTrainingRun(deps.db, { backend: deps.launcher.kind, trigger: data.trigger, config: { baseModel: deps.baseModel }, ...(deps.staleAfterMs !== undefined ? { staleAfterMs: deps.staleAfterMs } : {}) });
  if (!started.started) return { status: "skipped", reason: `training run ${started.run.id} is already ${started.run.status}; never two at once` };
  const run = started.run;
  const log = deps.log.child({ trainingRun: run.id });
  const dir = path.join(deps.trainDir, "runs", `run-${run.id}`);
  const spec: LaunchSpec = { name: `lego-train-${run.id}`, dataDir: path.join(dir, "data"), configPath: path.join(dir, "data", "train.yaml"), outputDir: path.join(dir, "output"), baseModel: deps.baseModel };
  const fail = async (reason: string, next: string, extra: Partial<TrainingRun> = {}): Promise<TrainingResult> => {
    await finishTrainingRun(deps.db, run.id, { status: "failed", statusReason: `${reason}. Next: ${next}.`, ...extra });
    log.warn({ reason }, "training run failed");
    return { status: "failed", runId: run.id, reason };
  };

  // 1. The snapshot: exactly what this run trains on, with its manifest.
  await mkdir(dir, { recursive: true });
  const problems: string[] = [];
  let manifest: Record<string, unknown>;
  try {
    ({ manifest } = await exportSftCommand(
      deps.db,
      { out: spec.dataDir, format: "llamafactory", mask: "tool-errors", include: ["resolved"], perTask: 1, cutoffLen: 131072, tiers: DEFAULT_TIERS, baseModel: deps.baseModel, set: {}, fileFormat: "jsonl", inContextExample: deps.inContextExample, json: true, batchSize: 100 },
      () => {},
      (line) => problems.push(line),
    ));
  } catch (err) {
    return fail(`the export failed: ${(err as Error).message}`, NEXT_STEP.export);
  }
  const records = (manifest.counts as { records?: number } | undefined)?.records ?? 0;
  await updateTrainingRun(deps.db, run.id, { datasetUri: spec.dataDir, manifest });
  if (records === 0) {
    const excluded = Object.entries((manifest.counts as { excluded?: Record<string, number> }).excluded ?? {}).map(([k, v]) => `${v} ${k}`).join(", ");
    return fail(`the export is empty: no resolved trajectory could be used${excluded ? ` (excluded: ${excluded})` : ""}`, NEXT_STEP.export);
  }

  // 2. Launch.
  let id: string;
  try {
    id = await deps.launcher.submit(spec);
  } catch (err) {
    const transient = err instanceof LaunchError && err.transient;
    await fail(`the launcher could not start the run: ${(err as Error).message}`, transient ? "it is retried" : NEXT_STEP.launch);
    if (transient) throw new TransientTrainingError((err as Error).message);
    return { status: "failed", runId: run.id, reason: (err as Error).message };
  }
  await updateTrainingRun(deps.db, run.id, { status: "running", externalId: id });
  log.info({ externalId: id, records }, "training run launched");

  // 3. Follow it; the loss curve and the log tail are kept current for the dashboard.
  let state: LaunchState = { state: "running" };
  let pollErrors = 0;
  let logText = "";
  const refresh = async () => {
    logText = await deps.launcher.logs(spec, id).catch(() => logText);
    await updateTrainingRun(deps.db, run.id, { metrics: { loss: lossCurve(logText) }, logTail: logTail(logText) });
  };
  for (;;) {
    try {
      state = await deps.launcher.poll(spec, id);
      pollErrors = 0;
    } catch (err) {
      // The engine not answering for a while is not the run failing; five in a row is.
      if (++pollErrors >= 5) state = { state: "failed", reason: `the engine stopped answering: ${(err as Error).message}`, transient: true };
    }
    if (state.state !== "running") break;
    await refresh();
    await deps.launcher.waitForChange(spec, id, deps.pollMs);
  }
  await refresh();
  const logUri = path.join(dir, "train.log");
  await writeFile(logUri, logText);

  if (state.state === "failed") {
    const tail = logTail(logText, 20);
    await fail(state.reason, state.transient ? "it is retried as a new run" : NEXT_STEP.run, { logUri, logTail: logTail(logText) });
    log.warn({ tail }, "training log tail");
    if (state.transient) throw new TransientTrainingError(state.reason);
    return { status: "failed", runId: run.id, reason: state.reason };
  }

  // 4. The checkpoint becomes a candidate version.
  const art = await deps.launcher.artifacts(spec, id);
  if (!art.checkpointUri) return fail(`the run succeeded but no checkpoint appeared in ${spec.outputDir}`, NEXT_STEP.checkpoint.replace("{output}", spec.outputDir), { logUri });
  const resultMetrics = (art.result?.metrics as Record<string, unknown> | undefined) ?? {};
  const version = await registerCandidate(deps.db, { name: `lego-run-${run.id}`, baseModel: deps.baseModel, uri: art.checkpointUri, trainingRunId: run.id, manifest });
  await finishTrainingRun(deps.db, run.id, {
    status: "succeeded",
    statusReason: `candidate ${version.name} registered; serve ${art.checkpointUri} and run \`lego models add ${version.name} --endpoint URL\` to gate it`,
    checkpointUri: art.checkpointUri,
    logUri,
    metrics: { loss: lossCurve(logText), ...resultMetrics },
    modelVersionId: version.id,
  });
  log.info({ checkpoint: art.checkpointUri, modelVersion: version.name }, "training run succeeded");
  return { status: "succeeded", runId: run.id, modelVersion: version.name };
}

/** The processor for the queue table: a non-transient error is not retried. */
export function trainingProcessor(deps: TrainingDeps): (data: JobData["training"]) => Promise<TrainingResult> {
  return async (data) => {
    try {
      return await processTraining(data, deps);
    } catch (err) {
      if (err instanceof TransientTrainingError) throw err;
      throw new UnrecoverableError((err as Error).message);
    }
  };
}

export async function trainingFailed(_data: JobData["training"], failure: JobFailure, deps: { log: Logger }): Promise<void> {
  deps.log.error({ err: failure.error.message, attempts: failure.attempts }, "training job failed for good; the run's row says why");
}
