// Training runs: at most one active at a time (a unique `active_slot`), each with its status,
// loss curve, log and checkpoint; and the count of new trajectories that triggers the next run.
import { and, desc, eq, gt, inArray, isNotNull, lt, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { rollouts, taskInstances, trainingRuns } from "./schema.js";

export type TrainingRun = typeof trainingRuns.$inferSelect;

const ACTIVE = "active";

/**
 * A new run holding the active slot, or the run that already holds it. A run that has held the
 * slot for longer than `staleAfterMs` (its worker died; no run lives past its time-out) is ended
 * as abandoned first, so one lost worker cannot stop training for good.
 */
export async function startTrainingRun(db: Db, v: { backend: string; trigger: string; config: Record<string, unknown>; staleAfterMs?: number }): Promise<{ run: TrainingRun; started: true } | { run: TrainingRun; started: false }> {
  if (v.staleAfterMs !== undefined) {
    await db
      .update(trainingRuns)
      .set({ status: "failed", statusReason: "abandoned: it held the active slot past the training time-out (its worker stopped). Next: nothing; the next run starts normally.", activeSlot: null, finishedAt: new Date() })
      .where(and(eq(trainingRuns.activeSlot, ACTIVE), lt(trainingRuns.startedAt, new Date(Date.now() - v.staleAfterMs))));
  }
  const [row] = await db
    .insert(trainingRuns)
    .values({ backend: v.backend, trigger: v.trigger, config: v.config, status: "exporting", activeSlot: ACTIVE, startedAt: new Date() })
    .onConflictDoNothing({ target: trainingRuns.activeSlot })
    .returning();
  if (row) return { run: row, started: true };
  const [active] = await db.select().from(trainingRuns).where(eq(trainingRuns.activeSlot, ACTIVE));
  return { run: active as TrainingRun, started: false };
}

export async function updateTrainingRun(db: Db, id: number, set: Partial<typeof trainingRuns.$inferInsert>): Promise<void> {
  await db.update(trainingRuns).set(set).where(eq(trainingRuns.id, id));
}

/** Ends a run: its final status, and the active slot freed for the next one. */
export async function finishTrainingRun(db: Db, id: number, set: Partial<typeof trainingRuns.$inferInsert> & { status: string }): Promise<void> {
  await db.update(trainingRuns).set({ ...set, activeSlot: null, finishedAt: new Date() }).where(eq(trainingRuns.id, id));
}

export async function getTrainingRun(db: Db, id: number): Promise<TrainingRun | null> {
  const [row] = await db.select().from(trainingRuns).where(eq(trainingRuns.id, id));
  return row ?? null;
}

export async function activeTrainingRun(db: Db): Promise<TrainingRun | null> {
  const [row] = await db.select().from(trainingRuns).where(eq(trainingRuns.activeSlot, ACTIVE));
  return row ?? null;
}

export async function listTrainingRuns(db: Db, limit = 50): Promise<TrainingRun[]> {
  return db.select().from(trainingRuns).orderBy(desc(trainingRuns.createdAt), desc(trainingRuns.id)).limit(limit);
}

/** When the last run that got as far as exporting started; null before the first. */
export async function lastRunStart(db: Db): Promise<{ id: number; at: Date } | null> {
  const [row] = await db.select({ id: trainingRuns.id, at: trainingRuns.createdAt }).from(trainingRuns).orderBy(desc(trainingRuns.createdAt), desc(trainingRuns.id)).limit(1);
  return row ?? null;
}

/** Resolved trajectories on valid tasks finished after `since` (all of them before the first run). */
export async function newTrajectoriesSince(db: Db, since: Date | null): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(rollouts)
    .innerJoin(taskInstances, eq(taskInstances.instanceId, rollouts.taskInstanceId))
    .where(and(eq(taskInstances.status, "valid"), inArray(rollouts.outcome, ["resolved"]), isNotNull(rollouts.finishedAt), since ? gt(rollouts.finishedAt, since) : undefined));
  return row?.n ?? 0;
}
