// Queue `training-check`, on a schedule: starts a training run once LEGO_TRAIN_MIN_NEW new
// resolved trajectories exist since the last run, and queues a gate for every candidate that is
// served but was never gated. Job ids are derived from the last run and the version, so a check
// that runs twice adds nothing twice.
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import { candidatesAwaitingGate } from "../db/model-versions.js";
import { activeTrainingRun, lastRunStart, newTrajectoriesSince } from "../db/training-runs.js";
import { jobId, type Queues } from "../src/queue.js";

export interface TrainingCheckDeps {
  db: Db;
  queues: Queues;
  /** LEGO_TRAIN_MIN_NEW; undefined: no count trigger. */
  minNew: number | undefined;
  /** Gating needs held-out tasks (LEGO_GATE_TASKS) and a sandbox. */
  gate: boolean;
  log: Logger;
}

export async function processTrainingCheck(deps: TrainingCheckDeps): Promise<{ newTrajectories: number | null; training: boolean; gates: number }> {
  let training = false;
  let fresh: number | null = null;
  if (deps.minNew !== undefined && !(await activeTrainingRun(deps.db))) {
    const last = await lastRunStart(deps.db);
    fresh = await newTrajectoriesSince(deps.db, last?.at ?? null);
    if (fresh >= deps.minNew) {
      await deps.queues.add("training", jobId("training", "new", last?.id ?? 0), { trigger: "new-trajectories" });
      deps.log.info({ fresh, since: last?.at }, "enough new trajectories: training run queued");
      training = true;
    }
  }
  let gates = 0;
  if (deps.gate) {
    for (const v of await candidatesAwaitingGate(deps.db)) {
      await deps.queues.add("gate", jobId("gate", v.id), { versionId: v.id });
      gates++;
    }
  }
  return { newTrajectories: fresh, training, gates };
}
