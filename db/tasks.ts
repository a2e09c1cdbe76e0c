// Task instances: upserted by instance id, so a re-harvest refreshes rather than duplicates.
import { and, desc, eq, ne, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { rollouts, taskInstances } from "./schema.js";

export type TaskRow = typeof taskInstances.$inferInsert;

export async function upsertTask(db: Db, row: TaskRow): Promise<void> {
  const { instanceId: _id, createdAt: _c, ...rest } = row;
  await db
    .insert(taskInstances)
    .values(row)
    .onConflictDoUpdate({ target: taskInstances.instanceId, set: { ...rest, updatedAt: sql`now()` } });
}

export async function getTask(db: Db, instanceId: string) {
  const [row] = await db.select().from(taskInstances).where(eq(taskInstances.instanceId, instanceId));
  return row;
}

/** A job that failed for good: the row says why, keeping whatever the harvest had recorded. */
export async function markTaskFailed(db: Db, row: Pick<TaskRow, "instanceId" | "repo" | "pullNumber">, reason: string): Promise<void> {
  await db
    .insert(taskInstances)
    .values({ ...row, kind: "real", baseCommit: "", status: "invalid", statusReason: reason })
    .onConflictDoUpdate({ target: taskInstances.instanceId, set: { status: "invalid", statusReason: reason, updatedAt: sql`now()` } });
}

/** Up to `n` problem statements of the repository's real tasks: style examples for synthetic issue text. */
export async function realIssueExamples(db: Db, repo: string, n = 2): Promise<string[]> {
  const rows = await db
    .select({ text: taskInstances.problemStatement })
    .from(taskInstances)
    .where(and(eq(taskInstances.repo, repo), eq(taskInstances.kind, "real"), ne(taskInstances.problemStatement, "")))
    .orderBy(desc(taskInstances.createdAt))
    .limit(n);
  return rows.map((r) => r.text);
}

/** The valid synthetic tasks of one snapshot (for `combine`): bug, file and FAIL_TO_PASS. */
export async function validSyntheticTasks(db: Db, repo: string, baseCommit: string) {
  return db
    .select({ instanceId: taskInstances.instanceId, bugPatch: taskInstances.bugPatch, failToPass: taskInstances.failToPass, strategy: taskInstances.strategy, evidence: taskInstances.evidence })
    .from(taskInstances)
    .where(and(eq(taskInstances.repo, repo), eq(taskInstances.kind, "synthetic"), eq(taskInstances.baseCommit, baseCommit), eq(taskInstances.status, "valid")));
}

/** The outcomes of a task's stored (done) rollouts by one model: what its solve rate is read from. */
export async function doneRolloutOutcomes(db: Db, instanceId: string, model: string) {
  const rows = await db
    .select({ outcome: rollouts.outcome })
    .from(rollouts)
    .where(and(eq(rollouts.taskInstanceId, instanceId), eq(rollouts.model, model), eq(rollouts.status, "done")));
  return rows.map((r) => r.outcome);
}

/** The task's difficulty label (the column real and synthetic tasks share). */
export async function setTaskDifficulty(db: Db, instanceId: string, difficulty: string): Promise<void> {
  await db.update(taskInstances).set({ difficulty, updatedAt: sql`now()` }).where(eq(taskInstances.instanceId, instanceId));
}
