// What the training exports read: tasks with their graded rollouts, fix attempts with theirs,
// trajectories fetched per task so a batch never holds more than one task's messages, the
// maintainer signals on fix PRs, and the held-out set.
import { and, asc, eq, gt, gte, inArray, isNotNull, lte, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client.js";
import { fixAttempts, holdout, outcomes, rollouts, taskInstances, trajectories, type OutcomeSignal, type RolloutOutcome } from "./schema.js";

export interface RolloutFilter {
  repo?: string;
  /** Rollouts created in [since, until]. */
  since?: Date;
  until?: Date;
}

export type TaskRecord = typeof taskInstances.$inferSelect;

export interface RolloutMeta {
  id: string;
  taskInstanceId: string | null;
  fixAttemptId: number | null;
  model: string;
  outcome: RolloutOutcome | null;
  patch: string | null;
  createdAt: Date;
}

function rolloutConditions(filter: RolloutFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.since) conditions.push(gte(rollouts.createdAt, filter.since));
  if (filter.until) conditions.push(lte(rollouts.createdAt, filter.until));
  return conditions;
}

/** The next `limit` task ids, in order after `after`, that have rollouts in the window. */
export async function taskIdsWithRollouts(db: Db, after: string | null, limit: number, filter: RolloutFilter): Promise<string[]> {
  const conditions = [isNotNull(rollouts.taskInstanceId), ...rolloutConditions(filter)];
  if (after !== null) conditions.push(gt(rollouts.taskInstanceId, after));
  if (filter.repo) conditions.push(eq(taskInstances.repo, filter.repo));
  const rows = await db
    .selectDistinct({ id: rollouts.taskInstanceId })
    .from(rollouts)
    .innerJoin(taskInstances, eq(taskInstances.instanceId, rollouts.taskInstanceId))
    .where(and(...conditions))
    .orderBy(asc(rollouts.taskInstanceId))
    .limit(limit);
  return rows.map((r) => r.id as string);
}

export async function tasksByIds(db: Db, ids: string[]): Promise<TaskRecord[]> {
  if (ids.length === 0) return [];
  return db.select().from(taskInstances).where(inArray(taskInstances.instanceId, ids));
}

const META = {
  id: rollouts.id,
  taskInstanceId: rollouts.taskInstanceId,
  fixAttemptId: rollouts.fixAttemptId,
  model: rollouts.model,
  outcome: rollouts.outcome,
  patch: rollouts.patch,
  createdAt: rollouts.createdAt,
};

/** Rollouts of these tasks that have a trajectory, without it. */
export async function rolloutsOfTasks(db: Db, taskIds: string[], filter: RolloutFilter): Promise<RolloutMeta[]> {
  if (taskIds.length === 0) return [];
  return db
    .select(META)
    .from(rollouts)
    .innerJoin(trajectories, eq(trajectories.rolloutId, rollouts.id))
    .where(and(inArray(rollouts.taskInstanceId, taskIds), ...rolloutConditions(filter)))
    .orderBy(asc(rollouts.taskInstanceId), asc(rollouts.id));
}

/** The next fix attempts after `after` that have rollouts in the window. */
export async function attemptIdsWithRollouts(db: Db, after: number, limit: number, filter: RolloutFilter): Promise<{ id: number; repo: string; issueNumber: number }[]> {
  const conditions = [gt(fixAttempts.id, after), ...rolloutConditions(filter)];
  if (filter.repo) conditions.push(eq(fixAttempts.repo, filter.repo));
  return db
    .selectDistinct({ id: fixAttempts.id, repo: fixAttempts.repo, issueNumber: fixAttempts.issueNumber })
    .from(fixAttempts)
    .innerJoin(rollouts, eq(rollouts.fixAttemptId, fixAttempts.id))
    .where(and(...conditions))
    .orderBy(asc(fixAttempts.id))
    .limit(limit);
}

export async function rolloutsOfAttempts(db: Db, attemptIds: number[], filter: RolloutFilter): Promise<RolloutMeta[]> {
  if (attemptIds.length === 0) return [];
  return db
    .select(META)
    .from(rollouts)
    .innerJoin(trajectories, eq(trajectories.rolloutId, rollouts.id))
    .where(and(inArray(rollouts.fixAttemptId, attemptIds), ...rolloutConditions(filter)))
    .orderBy(asc(rollouts.fixAttemptId), asc(rollouts.id));
}

/**
 * The trajectories of these rollouts, each step without its observation: the exports read a
 * result from its tool message, and the same text in the step doubled what PostgreSQL had to
 * turn into JSON text and this process had to parse.
 *
 * Messages come one row per message, a string `content` as plain text beside the rest of the
 * message: PostgreSQL writes a JSON string by escaping it character by character (jsonb_out, the
 * largest cost of reading a trajectory), while `->>` hands the text over as it is stored, and
 * this process then decodes text instead of parsing JSON. What comes back is the value
 * `JSON.parse(messages::text)` would give, keys in the same order; a messages value that is not
 * an array, and any element that is not an object with a string content, come back whole.
 */
export async function trajectoriesOf(db: Db, rolloutIds: string[]): Promise<Map<string, { messages: unknown; steps: unknown }>> {
  if (rolloutIds.length === 0) return new Map();
  const isList = sql`jsonb_typeof(${trajectories.messages}) = 'array'`;
  // A corrupt steps value (not an array, an element not an object) comes back as it is, for the exporter to report.
  const steps = sql<unknown>`case jsonb_typeof(${trajectories.steps}) when 'array' then (select coalesce(jsonb_agg(case jsonb_typeof(s.step) when 'object' then s.step - 'observation' else s.step end order by s.n), '[]'::jsonb) from jsonb_array_elements(${trajectories.steps}) with ordinality as s(step, n)) else ${trajectories.steps} end`;
  const textContent = sql`jsonb_typeof(e.m -> 'content') = 'string'`;
  const [heads, elements] = await Promise.all([
    db
      .select({ id: trajectories.rolloutId, list: sql<boolean>`${isList}`, whole: sql<unknown>`case when ${isList} then null else ${trajectories.messages} end`, steps })
      .from(trajectories)
      .where(inArray(trajectories.rolloutId, rolloutIds)),
    db
      .select({ id: trajectories.rolloutId, n: sql<string>`e.n`, rest: sql<unknown>`case when ${textContent} then e.m - 'content' else e.m end`, content: sql<string | null>`case when ${textContent} then e.m ->> 'content' end` })
      .from(trajectories)
      .crossJoin(sql`lateral jsonb_array_elements(case when ${isList} then ${trajectories.messages} else '[]'::jsonb end) with ordinality as e(m, n)`)
      .where(inArray(trajectories.rolloutId, rolloutIds)),
  ]);
  const lists = new Map<string, unknown[]>();
  for (const row of elements) {
    let list = lists.get(row.id);
    if (!list) lists.set(row.id, (list = []));
    list[Number(row.n) - 1] = row.content === null ? row.rest : withContent(row.rest as Record<string, unknown>, row.content);
  }
  return new Map(heads.map((r) => [r.id, { messages: r.list ? (lists.get(r.id) ?? []) : r.whole, steps: r.steps }]));
}

/**
 * The message with `content` put back where jsonb keeps it: jsonb orders keys by length, then
 * bytewise, and `JSON.parse(messages::text)` gives them in that order.
 */
export function withContent(rest: Record<string, unknown>, content: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let placed = false;
  for (const key of Object.keys(rest)) {
    // Index-like keys come first in any JavaScript object whatever the text's order.
    if (!placed && !isArrayIndex(key) && jsonbKeyOrder("content", key) < 0) {
      out.content = content;
      placed = true;
    }
    // An own property, as JSON.parse makes it, even when it is named __proto__.
    if (key === "__proto__") Object.defineProperty(out, key, { value: rest[key], enumerable: true, writable: true, configurable: true });
    else out[key] = rest[key];
  }
  if (!placed) out.content = content;
  return out;
}

function isArrayIndex(key: string): boolean {
  const n = Number(key);
  return String(n >>> 0) === key && n !== 2 ** 32 - 1;
}

function jsonbKeyOrder(a: string, b: string): number {
  const lengths = Buffer.byteLength(a) - Buffer.byteLength(b);
  return lengths !== 0 ? lengths : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export async function signalsOf(db: Db, rolloutIds: string[]): Promise<Map<string, { signal: OutcomeSignal; at: Date }[]>> {
  const out = new Map<string, { signal: OutcomeSignal; at: Date }[]>();
  if (rolloutIds.length === 0) return out;
  const rows = await db.select({ rolloutId: outcomes.rolloutId, signal: outcomes.signal, at: outcomes.createdAt }).from(outcomes)
    // Only signals from people with write access label anything.
    .where(and(inArray(outcomes.rolloutId, rolloutIds), eq(outcomes.maintainer, true)));
  for (const r of rows) out.set(r.rolloutId as string, [...(out.get(r.rolloutId as string) ?? []), { signal: r.signal, at: r.at }]);
  return out;
}

export type HoldoutRow = typeof holdout.$inferInsert;

/** Adds entries; one already there is left as it is. Returns how many were new. */
export async function addHoldout(db: Db, rows: HoldoutRow[]): Promise<number> {
  let added = 0;
  // Chunks keep each statement under Postgres' parameter limit for long id lists.
  for (let i = 0; i < rows.length; i += 1000) {
    const inserted = await db.insert(holdout).values(rows.slice(i, i + 1000)).onConflictDoNothing().returning({ key: holdout.key });
    added += inserted.length;
  }
  return added;
}

export async function listHoldout(db: Db): Promise<(typeof holdout.$inferSelect)[]> {
  return db.select().from(holdout).orderBy(asc(holdout.key));
}

/** Known tasks among `ids`, with what the held-out matchers need. */
export async function knownTasks(db: Db, ids: string[]): Promise<{ instanceId: string; repo: string; pullNumber: number | null; patch: string }[]> {
  const out: { instanceId: string; repo: string; pullNumber: number | null; patch: string }[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    out.push(
      ...(await db
        .select({ instanceId: taskInstances.instanceId, repo: taskInstances.repo, pullNumber: taskInstances.pullNumber, patch: taskInstances.patch })
        .from(taskInstances)
        .where(inArray(taskInstances.instanceId, ids.slice(i, i + 1000)))),
    );
  }
  return out;
}

/** Tasks of a repository, for `lego holdout add --repo` to hash their gold patches. */
export async function tasksOfRepo(db: Db, repo: string): Promise<{ instanceId: string; patch: string }[]> {
  return db.select({ instanceId: taskInstances.instanceId, patch: taskInstances.patch }).from(taskInstances).where(sql`lower(${taskInstances.repo}) = lower(${repo})`);
}
