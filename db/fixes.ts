// Fix attempts, their rollouts and trajectories, and the maintainer signals on their PRs.
import { and, desc, eq, gte, isNotNull, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { fixAttempts, type OutcomeSignal, outcomes, type RolloutOutcome, rollouts, taskInstances, trajectories } from "./schema.js";

export type FixAttempt = typeof fixAttempts.$inferSelect;
export type RolloutRow = typeof rollouts.$inferSelect;

export const activeAttemptStatuses = ["queued", "running", "verifying"] as const;

export async function createAttempt(db: Db, a: { repo: string; issueNumber: number; installationId: number; trigger: string; requestedBy: string | null; k: number; progressCommentId?: number | null }): Promise<FixAttempt> {
  const [row] = await db.insert(fixAttempts).values({ ...a, status: "queued" }).returning();
  return row as FixAttempt;
}

export async function getAttempt(db: Db, id: number): Promise<FixAttempt | undefined> {
  const [row] = await db.select().from(fixAttempts).where(eq(fixAttempts.id, id));
  return row;
}

export async function updateAttempt(db: Db, id: number, set: Partial<typeof fixAttempts.$inferInsert>): Promise<void> {
  await db.update(fixAttempts).set({ ...set, updatedAt: sql`now()` }).where(eq(fixAttempts.id, id));
}

/** Attempts on one issue, newest first. */
export async function attemptsForIssue(db: Db, repo: string, issueNumber: number): Promise<FixAttempt[]> {
  return db.select().from(fixAttempts).where(and(eq(fixAttempts.repo, repo), eq(fixAttempts.issueNumber, issueNumber))).orderBy(desc(fixAttempts.id));
}

export async function attemptForPull(db: Db, repo: string, pullNumber: number): Promise<FixAttempt | undefined> {
  const [row] = await db.select().from(fixAttempts).where(and(eq(fixAttempts.repo, repo), eq(fixAttempts.pullNumber, pullNumber))).orderBy(desc(fixAttempts.id)).limit(1);
  return row;
}

/** For the per-repository limits: PRs LegoFactory has open, and PRs opened since `since`. */
export async function prCounts(db: Db, repo: string, since: Date): Promise<{ open: number; recent: number }> {
  const withPr = await db
    .select({ pullNumber: fixAttempts.pullNumber, status: fixAttempts.status, prOpenedAt: fixAttempts.prOpenedAt })
    .from(fixAttempts)
    .where(and(eq(fixAttempts.repo, repo), isNotNull(fixAttempts.pullNumber)));
  const open = new Set(withPr.filter((r) => r.status === "pr-open").map((r) => r.pullNumber)).size;
  const recent = withPr.filter((r) => r.prOpenedAt && r.prOpenedAt >= since).length;
  return { open, recent };
}

/** Dollars spent by the rollouts of one attempt so far. */
export async function attemptCost(db: Db, attemptId: number): Promise<number> {
  const [row] = await db.select({ usd: sql<string | null>`sum(${rollouts.costUsd})` }).from(rollouts).where(eq(rollouts.fixAttemptId, attemptId));
  return Number(row?.usd ?? 0);
}

/** Dollars spent by a repository's fix rollouts created since `since`. */
export async function repoCostSince(db: Db, repo: string, since: Date): Promise<number> {
  const [row] = await db
    .select({ usd: sql<string | null>`sum(${rollouts.costUsd})` })
    .from(rollouts)
    .innerJoin(fixAttempts, eq(rollouts.fixAttemptId, fixAttempts.id))
    .where(and(eq(fixAttempts.repo, repo), gte(rollouts.createdAt, since)));
  return Number(row?.usd ?? 0);
}

export async function insertRollout(db: Db, r: typeof rollouts.$inferInsert): Promise<void> {
  await db.insert(rollouts).values(r).onConflictDoUpdate({ target: rollouts.id, set: { ...r } });
}

export async function updateRollout(db: Db, id: string, set: Partial<typeof rollouts.$inferInsert>): Promise<void> {
  await db.update(rollouts).set(set).where(eq(rollouts.id, id));
}

export async function saveTrajectory(db: Db, rolloutId: string, messages: unknown, steps: unknown): Promise<void> {
  await db
    .insert(trajectories)
    .values({ rolloutId, messages: messages as object, steps: steps as object })
    .onConflictDoUpdate({ target: trajectories.rolloutId, set: { messages: messages as object, steps: steps as object } });
}

export async function rolloutsForAttempt(db: Db, attemptId: number): Promise<RolloutRow[]> {
  return db.select().from(rollouts).where(eq(rollouts.fixAttemptId, attemptId)).orderBy(rollouts.index);
}

export async function getTrajectory(db: Db, rolloutId: string) {
  const [row] = await db.select().from(trajectories).where(eq(trajectories.rolloutId, rolloutId));
  return row;
}

/** A signal on a fix PR (`maintainer`: from someone with write access); the same delivery (or reaction) recorded twice is one row. */
export async function recordOutcome(db: Db, o: { fixAttemptId: number; rolloutId: string | null; signal: OutcomeSignal; actor: string | null; maintainer: boolean; body?: string | null; deliveryId: string }): Promise<boolean> {
  const rows = await db.insert(outcomes).values(o).onConflictDoNothing().returning({ id: outcomes.id });
  return rows.length === 1;
}

export async function outcomesForAttempt(db: Db, attemptId: number) {
  return db.select().from(outcomes).where(eq(outcomes.fixAttemptId, attemptId)).orderBy(outcomes.id);
}

export async function openPrAttempts(db: Db, since: Date): Promise<FixAttempt[]> {
  return db.select().from(fixAttempts).where(and(eq(fixAttempts.status, "pr-open"), gte(fixAttempts.updatedAt, since)));
}

export interface StoredRollout {
  id: string;
  taskInstanceId: string;
  index: number;
  model: string;
  /** The registry version that produced it; null or absent when the settings' model did. */
  modelVersionId?: number | null;
  outcome: RolloutOutcome;
  outcomeReason: string;
  patch: string;
  finishReason: string;
  turns: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  startedAt: Date;
  finishedAt: Date;
  messages: unknown;
  steps: unknown;
}

/**
 * A graded rollout on a task, with its trajectory, as trajgen and `lego rollout --store` keep
 * it. The task is added when the database does not have it yet (rollouts graded on another
 * machine), never overwritten. One transaction: a rollout row never lacks its trajectory.
 */
export async function storeTaskRollout(db: Db, task: typeof taskInstances.$inferInsert, r: StoredRollout): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(taskInstances).values(task).onConflictDoNothing();
    const { messages, steps, ...row } = r;
    await tx.insert(rollouts).values({ ...row, status: "done" }).onConflictDoUpdate({ target: rollouts.id, set: { ...row, status: "done" } });
    await tx
      .insert(trajectories)
      .values({ rolloutId: r.id, messages: messages as object, steps: steps as object })
      .onConflictDoUpdate({ target: trajectories.rolloutId, set: { messages: messages as object, steps: steps as object } });
  });
}
