// Teacher rollouts on tasks (the trajgen queue): what the budgets count, and the reservation of
// a rollout row, checked against the budgets and inserted under one lock so that concurrent
// workers cannot both take the last rollout a budget allows.
import { and, asc, eq, gt, gte, isNotNull, isNull, ne, sql, type SQL } from "drizzle-orm";
import type { TrajgenSettings } from "../src/repo-config.js";
import type { Db } from "./client.js";
import { repositories, rollouts, taskInstances } from "./schema.js";

export interface WindowUsage {
  rollouts: number;
  costUsd: number;
  oldest: Date | null;
}

/** Arbitrary, fixed: the advisory lock that serialises budget reservations across workers. */
const BUDGET_LOCK = 7_311_011;

async function usage(db: Db, model: string, since: Date, exceptId: string, repo?: string): Promise<WindowUsage> {
  const conditions: SQL[] = [isNotNull(rollouts.taskInstanceId), eq(rollouts.model, model), gte(rollouts.createdAt, since), ne(rollouts.id, exceptId)];
  if (repo) conditions.push(eq(taskInstances.repo, repo));
  const [row] = await db
    .select({ n: sql<number>`count(*)::int`, cost: sql<number>`coalesce(sum(${rollouts.costUsd}), 0)::float8`, oldest: sql<string | null>`min(${rollouts.createdAt})` })
    .from(rollouts)
    .innerJoin(taskInstances, eq(taskInstances.instanceId, rollouts.taskInstanceId))
    .where(and(...conditions));
  return { rollouts: Number(row?.n ?? 0), costUsd: Number(row?.cost ?? 0), oldest: row?.oldest ? new Date(row.oldest) : null };
}

export interface Reservation {
  id: string;
  taskInstanceId: string;
  repo: string;
  index: number;
  model: string;
  /** The registry version serving the model; null when the settings do. */
  modelVersionId?: number | null;
}

/**
 * Under the budget lock: reads the usage of the last 24 hours (this rollout's earlier tries
 * excluded), asks `decide`, and when it allows, marks the rollout running (inserting it on the
 * first try, so it counts against the budgets from now on).
 */
export async function reserveRollout<V extends { ok: boolean }>(
  db: Db,
  r: Reservation,
  since: Date,
  decide: (u: { repo: WindowUsage; global: WindowUsage }) => V,
): Promise<V> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BUDGET_LOCK})`);
    const verdict = decide({ repo: await usage(tx as unknown as Db, r.model, since, r.id, r.repo), global: await usage(tx as unknown as Db, r.model, since, r.id) });
    if (verdict.ok) {
      const set = { status: "running", startedAt: new Date(), outcome: null, outcomeReason: null };
      await tx
        .insert(rollouts)
        .values({ id: r.id, taskInstanceId: r.taskInstanceId, index: r.index, model: r.model, modelVersionId: r.modelVersionId ?? null, ...set })
        .onConflictDoUpdate({ target: rollouts.id, set });
    }
    return verdict;
  });
}

export async function getRolloutStatus(db: Db, id: string): Promise<{ status: string; outcome: string | null } | undefined> {
  const [row] = await db.select({ status: rollouts.status, outcome: rollouts.outcome }).from(rollouts).where(eq(rollouts.id, id));
  return row;
}

/** Records what the repository's .github/lego.yml sets for trajgen (the section as read; `{}` when it sets nothing). */
export async function setRepoTrajgen(db: Db, fullName: string, settings: TrajgenSettings): Promise<void> {
  await db
    .update(repositories)
    .set({ trajgen: settings, updatedAt: sql`now()` })
    .where(and(sql`lower(${repositories.fullName}) = lower(${fullName})`, sql`${repositories.trajgen} is distinct from ${JSON.stringify(settings)}::jsonb`));
}

/** The repository's trajgen settings as last read from its .github/lego.yml; `{}` when none were (unknown repository, never read). */
export async function repoTrajgen(db: Db, fullName: string): Promise<TrajgenSettings> {
  const [row] = await db
    .select({ trajgen: repositories.trajgen })
    .from(repositories)
    .where(and(sql`lower(${repositories.fullName}) = lower(${fullName})`, isNull(repositories.removedAt)))
    .limit(1);
  return row?.trajgen ?? {};
}

export interface TaskNeedingRollouts {
  instanceId: string;
  repo: string;
  installationId: number;
  /** Rollouts the task should have: its repository's `trajgen.k`, else the global k. */
  k: number;
}

/**
 * Valid tasks, after `after` in instance-id order, with fewer rollouts by `model` than their
 * repository's k (`trajgen.k` in its .github/lego.yml, else `k`), on a repository an
 * installation still covers (so it can be cloned). The sweep's page.
 */
export async function tasksNeedingRollouts(db: Db, model: string, k: number, after: string, limit: number): Promise<TaskNeedingRollouts[]> {
  const repoK = sql<number>`coalesce((${repositories.trajgen} ->> 'k')::int, ${k})`;
  const rows = await db
    .select({ instanceId: taskInstances.instanceId, repo: taskInstances.repo, installationId: repositories.installationId, k: repoK })
    .from(taskInstances)
    .innerJoin(repositories, and(sql`lower(${repositories.fullName}) = lower(${taskInstances.repo})`, isNull(repositories.removedAt), isNotNull(repositories.installationId)))
    .where(
      and(
        eq(taskInstances.status, "valid"),
        gt(taskInstances.instanceId, after),
        sql`(select count(*) from ${rollouts} where ${rollouts.taskInstanceId} = ${taskInstances.instanceId} and ${rollouts.model} = ${model}) < ${repoK}`,
      ),
    )
    .orderBy(asc(taskInstances.instanceId))
    .limit(limit);
  return rows.map((r) => ({ instanceId: r.instanceId, repo: r.repo, installationId: Number(r.installationId), k: Number(r.k) }));
}
