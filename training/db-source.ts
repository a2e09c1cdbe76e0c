// The exporters' source from the database: task ids in keyset batches, each task's rollouts,
// and trajectories fetched one task at a time (only for the rollouts that can be used), so an
// export holds one task's messages whatever the size of the store. Fix attempts follow the
// tasks when asked (the verifier's maintainer-labelled examples).
import type { Db } from "../db/client.js";
import type { RolloutOutcome } from "../db/schema.js";
import {
  attemptIdsWithRollouts,
  rolloutsOfAttempts,
  rolloutsOfTasks,
  signalsOf,
  taskIdsWithRollouts,
  tasksByIds,
  trajectoriesOf,
  type RolloutFilter,
  type RolloutMeta,
  type TaskRecord,
} from "../db/training-data.js";
import { ahead } from "./ahead.js";
import type { ExportRollout, ExportTask, TaskGroup } from "./source.js";
import type { Signal } from "./verifier-labels.js";

export interface DbSourceOptions extends RolloutFilter {
  /** Tasks per query. Default 100. */
  batchSize?: number;
  /** Tasks whose trajectories are being fetched ahead of the one being exported. Default 4. */
  prefetch?: number;
  /** Whether a rollout's trajectory is needed; the others are passed on without one. */
  wants: (outcome: RolloutOutcome | null, signals: Signal[]) => boolean;
  /** Also yield fix attempts, as tasks of kind `fix`. */
  fixAttempts?: boolean;
}

export async function* dbTaskGroups(db: Db, opts: DbSourceOptions): AsyncIterable<TaskGroup> {
  const batchSize = opts.batchSize ?? 100;
  let after: string | null = null;
  for (;;) {
    const ids = await taskIdsWithRollouts(db, after, batchSize, opts);
    if (ids.length === 0) break;
    after = ids[ids.length - 1] as string;
    const tasks = new Map((await tasksByIds(db, ids)).map((t) => [t.instanceId, t]));
    const metas = await rolloutsOfTasks(db, ids, opts);
    const present = ids.filter((id) => tasks.has(id));
    yield* ahead(present, opts.prefetch ?? 4, async (id) => ({ task: exportTask(tasks.get(id) as TaskRecord), rollouts: await withTrajectories(db, metas.filter((m) => m.taskInstanceId === id), opts) }));
  }
  if (!opts.fixAttempts) return;
  let afterAttempt = 0;
  for (;;) {
    const attempts = await attemptIdsWithRollouts(db, afterAttempt, batchSize, opts);
    if (attempts.length === 0) break;
    afterAttempt = attempts[attempts.length - 1]?.id as number;
    const metas = await rolloutsOfAttempts(db, attempts.map((a) => a.id), opts);
    for (const attempt of attempts) {
      const task: ExportTask = {
        instanceId: `fix-${attempt.repo.replace("/", "__")}-${attempt.issueNumber}-a${attempt.id}`,
        repo: attempt.repo,
        kind: "fix",
        pullNumber: null,
        patch: "",
        failToPass: [],
        passToPass: [],
        problemStatement: "",
      };
      yield { task, rollouts: await withTrajectories(db, metas.filter((m) => m.fixAttemptId === attempt.id), opts) };
    }
  }
}

function exportTask(t: TaskRecord): ExportTask {
  return {
    instanceId: t.instanceId,
    repo: t.repo,
    kind: t.kind,
    pullNumber: t.pullNumber,
    patch: t.patch,
    failToPass: t.failToPass,
    passToPass: t.passToPass,
    problemStatement: t.problemStatement,
  };
}

async function withTrajectories(db: Db, metas: RolloutMeta[], opts: DbSourceOptions): Promise<ExportRollout[]> {
  const signals = await signalsOf(db, metas.filter((m) => m.fixAttemptId !== null).map((m) => m.id));
  const wanted = metas.filter((m) => opts.wants(m.outcome, signals.get(m.id) ?? []));
  const trajectories = await trajectoriesOf(db, wanted.map((m) => m.id));
  return metas.map((m) => ({
    rolloutId: m.id,
    model: m.model,
    outcome: m.outcome,
    createdAt: m.createdAt,
    patch: m.patch ?? "",
    trajectory: trajectories.get(m.id) ?? null,
    signals: signals.get(m.id) ?? [],
  }));
}
