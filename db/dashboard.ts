// Read-only queries behind the dashboard. Every query takes a Scope, so a viewer only ever sees
// the repositories of their installations; lists are paged and ordered on indexed columns.
import { and, count, countDistinct, desc, eq, gte, inArray, isNotNull, isNull, type SQL, sql, sum } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Db } from "./client.js";
import {
  environments,
  fixAttempts,
  installations,
  modelVersions,
  outcomes,
  repositories,
  rollouts,
  taskInstances,
  trainingRuns,
  trajectories,
  webhookDeliveries,
} from "./schema.js";

export interface Scope {
  /** Installation ids the viewer may see; "all" for the dashboard token. */
  installations: number[] | "all";
  /** Repository full names inside those installations; "all" when unrestricted. */
  repos: string[] | "all";
  since: Date | null;
}

export interface Paging {
  page: number;
  perPage: number;
}

export interface Page<T> {
  rows: T[];
  total: number;
  page: number;
  perPage: number;
}

export type Bucket = "hour" | "day" | "week";

export class OutOfScopeError extends Error {
  readonly statusCode = 404;
}

/** The viewer's installations (optionally one of them, optionally one repository) as a Scope. */
export async function resolveScope(db: Db, opts: { installations: number[] | "all"; repo?: string; since: Date | null }): Promise<Scope> {
  if (opts.installations === "all") return { installations: "all", repos: opts.repo ? [opts.repo] : "all", since: opts.since };
  const ids = opts.installations;
  const rows = ids.length
    ? await db.select({ fullName: repositories.fullName }).from(repositories).where(inArray(repositories.installationId, ids))
    : [];
  const names = rows.map((r) => r.fullName);
  if (opts.repo) {
    const match = names.find((n) => n.toLowerCase() === opts.repo?.toLowerCase());
    if (!match) throw new OutOfScopeError(`No repository ${opts.repo} among your installations. Pick one from the repository list.`);
    return { installations: ids, repos: [match], since: opts.since };
  }
  return { installations: ids, repos: names, since: opts.since };
}

function inRepos(col: PgColumn | SQL, scope: Scope): SQL | undefined {
  if (scope.repos === "all") return undefined;
  // drizzle expands an array into a parameter list: `in ($1, $2, …)`.
  return scope.repos.length ? sql`${col} in ${scope.repos}` : sql`false`;
}

function after(col: PgColumn, scope: Scope): SQL | undefined {
  return scope.since ? gte(col, scope.since) : undefined;
}

function bucketExpr(col: PgColumn, bucket: Bucket): SQL<string> {
  const format = bucket === "hour" ? "YYYY-MM-DD HH24:00" : "YYYY-MM-DD";
  return sql<string>`to_char(date_trunc(${sql.raw(`'${bucket}'`)}, ${col} at time zone 'UTC'), ${sql.raw(`'${format}'`)})`;
}

const n = (v: unknown) => Number(v ?? 0);

function tally<K extends string>(rows: { key: K | null; n: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.key ?? "none"] = (out[r.key ?? "none"] ?? 0) + n(r.n);
  return out;
}

/** Rollouts belong to a task or a fix attempt; their repository comes from whichever it is. */
const rolloutRepo = sql<string>`coalesce((select ${taskInstances.repo} from ${taskInstances} where ${taskInstances.instanceId} = ${rollouts.taskInstanceId}), (select ${fixAttempts.repo} from ${fixAttempts} where ${fixAttempts.id} = ${rollouts.fixAttemptId}))`;

function rolloutInRepos(scope: Scope): SQL | undefined {
  if (scope.repos === "all") return undefined;
  if (!scope.repos.length) return sql`false`;
  return sql`(${rollouts.taskInstanceId} in (select ${taskInstances.instanceId} from ${taskInstances} where ${taskInstances.repo} in ${scope.repos})
    or ${rollouts.fixAttemptId} in (select ${fixAttempts.id} from ${fixAttempts} where ${fixAttempts.repo} in ${scope.repos}))`;
}

const REASON_LEN = 120;
const reasonExpr = sql<string>`left(${taskInstances.statusReason}, ${sql.raw(String(REASON_LEN))})`;

export async function overview(db: Db, scope: Scope, bucket: Bucket) {
  const deliveryScope = and(
    scope.installations === "all" ? undefined : scope.installations.length ? inArray(webhookDeliveries.installationId, scope.installations) : sql`false`,
    after(webhookDeliveries.receivedAt, scope),
  );
  const taskScope = and(inRepos(taskInstances.repo, scope), after(taskInstances.createdAt, scope));
  const envScope = and(inRepos(environments.repo, scope), after(environments.createdAt, scope));
  const rolloutScope = and(rolloutInRepos(scope), after(rollouts.createdAt, scope));
  const fixScope = and(inRepos(fixAttempts.repo, scope), after(fixAttempts.createdAt, scope));

  const [deliveries, deliverySeries, tasks, taskSeries, skipped, invalid, synthetic, envs, envFailures, rolloutRows, usage, fixes, prs, signals] = await Promise.all([
    db.select({ key: webhookDeliveries.status, n: count() }).from(webhookDeliveries).where(deliveryScope).groupBy(webhookDeliveries.status),
    db
      .select({ at: bucketExpr(webhookDeliveries.receivedAt, bucket), n: count() })
      .from(webhookDeliveries)
      .where(deliveryScope)
      .groupBy(sql`1`)
      .orderBy(sql`1`),
    db.select({ key: taskInstances.status, kind: taskInstances.kind, n: count() }).from(taskInstances).where(taskScope).groupBy(taskInstances.status, taskInstances.kind),
    db
      .select({ at: bucketExpr(taskInstances.createdAt, bucket), key: taskInstances.status, n: count() })
      .from(taskInstances)
      .where(taskScope)
      .groupBy(sql`1`, taskInstances.status)
      .orderBy(sql`1`),
    db
      .select({ reason: reasonExpr, n: count() })
      .from(taskInstances)
      .where(and(taskScope, eq(taskInstances.status, "skipped")))
      .groupBy(sql`1`)
      .orderBy(desc(count()), sql`1`)
      .limit(12),
    db
      .select({ reason: reasonExpr, n: count() })
      .from(taskInstances)
      .where(and(taskScope, eq(taskInstances.status, "invalid")))
      .groupBy(sql`1`)
      .orderBy(desc(count()), sql`1`)
      .limit(12),
    db
      .select({ strategy: taskInstances.strategy, total: count(), valid: sql<number>`count(*) filter (where ${taskInstances.status} = 'valid')` })
      .from(taskInstances)
      .where(and(taskScope, eq(taskInstances.kind, "synthetic")))
      .groupBy(taskInstances.strategy)
      .orderBy(taskInstances.strategy),
    db.select({ key: environments.status, n: count() }).from(environments).where(envScope).groupBy(environments.status),
    db
      .select({ failureClass: environments.failureClass, n: count() })
      .from(environments)
      .where(and(envScope, eq(environments.status, "failed")))
      .groupBy(environments.failureClass)
      .orderBy(desc(count())),
    db.select({ key: rollouts.outcome, n: count() }).from(rollouts).where(rolloutScope).groupBy(rollouts.outcome),
    db.select({ prompt: sum(rollouts.promptTokens), completion: sum(rollouts.completionTokens), cost: sum(rollouts.costUsd) }).from(rollouts).where(rolloutScope),
    db.select({ key: fixAttempts.status, n: count() }).from(fixAttempts).where(fixScope).groupBy(fixAttempts.status),
    db.select({ n: count() }).from(fixAttempts).where(and(fixScope, isNotNull(fixAttempts.pullNumber))),
    db
      .select({ key: outcomes.signal, n: countDistinct(outcomes.fixAttemptId) })
      .from(outcomes)
      .innerJoin(fixAttempts, eq(fixAttempts.id, outcomes.fixAttemptId))
      .where(fixScope)
      .groupBy(outcomes.signal),
  ]);

  const signalCounts = tally(signals);
  const decided = (signalCounts.merged ?? 0) + (signalCounts.closed_unmerged ?? 0);
  const taskStatus = tally(tasks);
  const kinds = tally(tasks.map((t) => ({ key: t.kind, n: t.n })));
  return {
    deliveries: { byStatus: tally(deliveries), total: deliveries.reduce((a, r) => a + n(r.n), 0), series: deliverySeries.map((r) => ({ at: r.at, n: n(r.n) })) },
    tasks: {
      byStatus: taskStatus,
      byKind: kinds,
      total: tasks.reduce((a, r) => a + n(r.n), 0),
      series: taskSeries.map((r) => ({ at: r.at, status: r.key, n: n(r.n) })),
      skippedReasons: skipped.map((r) => ({ reason: r.reason ?? "", n: n(r.n) })),
      invalidReasons: invalid.map((r) => ({ reason: r.reason ?? "", n: n(r.n) })),
      synthetic: synthetic.map((r) => ({ strategy: r.strategy ?? "unknown", total: n(r.total), valid: n(r.valid) })),
    },
    environments: {
      byStatus: tally(envs),
      failureClasses: envFailures.map((r) => ({ failureClass: r.failureClass ?? "unclassified", n: n(r.n) })),
    },
    rollouts: {
      byOutcome: tally(rolloutRows.map((r) => ({ key: r.key ?? "pending", n: r.n }))),
      total: rolloutRows.reduce((a, r) => a + n(r.n), 0),
      promptTokens: n(usage[0]?.prompt),
      completionTokens: n(usage[0]?.completion),
      costUsd: n(usage[0]?.cost),
    },
    fixes: {
      byStatus: tally(fixes),
      total: fixes.reduce((a, r) => a + n(r.n), 0),
      prsOpened: n(prs[0]?.n),
      signals: signalCounts,
      acceptanceRate: decided ? (signalCounts.merged ?? 0) / decided : null,
    },
  };
}

export type Overview = Awaited<ReturnType<typeof overview>>;

/** Training runs and model versions belong to the factory, not to one installation. */
export async function training(db: Db, since: Date | null) {
  const [runs, latestRuns, models] = await Promise.all([
    db.select({ key: trainingRuns.status, n: count() }).from(trainingRuns).where(since ? gte(trainingRuns.createdAt, since) : undefined).groupBy(trainingRuns.status),
    db
      .select({
        id: trainingRuns.id,
        backend: trainingRuns.backend,
        status: trainingRuns.status,
        statusReason: trainingRuns.statusReason,
        trigger: trainingRuns.trigger,
        metrics: trainingRuns.metrics,
        checkpointUri: trainingRuns.checkpointUri,
        logTail: trainingRuns.logTail,
        modelVersionId: trainingRuns.modelVersionId,
        createdAt: trainingRuns.createdAt,
        finishedAt: trainingRuns.finishedAt,
      })
      .from(trainingRuns)
      .orderBy(desc(trainingRuns.createdAt), desc(trainingRuns.id))
      .limit(10),
    db
      .select({
        id: modelVersions.id,
        name: modelVersions.name,
        baseModel: modelVersions.baseModel,
        endpoint: modelVersions.endpoint,
        status: modelVersions.status,
        statusReason: modelVersions.statusReason,
        trainingRunId: modelVersions.trainingRunId,
        evaluation: modelVersions.evaluation,
        createdAt: modelVersions.createdAt,
        promotedAt: modelVersions.promotedAt,
      })
      .from(modelVersions)
      .orderBy(desc(modelVersions.createdAt), desc(modelVersions.id))
      .limit(20),
  ]);
  return { runs: tally(runs), latestRuns, models };
}

async function paged<T>(rowsQuery: Promise<T[]>, totalQuery: Promise<{ n: number }[]>, paging: Paging): Promise<Page<T>> {
  const [rows, total] = await Promise.all([rowsQuery, totalQuery]);
  return { rows, total: n(total[0]?.n), page: paging.page, perPage: paging.perPage };
}

const offset = (p: Paging) => (p.page - 1) * p.perPage;

export interface TaskFilters {
  status?: string;
  kind?: string;
  strategy?: string;
  reason?: string;
}

export async function listTasks(db: Db, scope: Scope, f: TaskFilters, paging: Paging) {
  const where = and(
    inRepos(taskInstances.repo, scope),
    after(taskInstances.createdAt, scope),
    f.status ? eq(taskInstances.status, f.status as never) : undefined,
    f.kind ? eq(taskInstances.kind, f.kind as never) : undefined,
    f.strategy ? eq(taskInstances.strategy, f.strategy) : undefined,
    f.reason ? eq(reasonExpr, f.reason) : undefined,
  );
  // A deferred join: the page's ids come from the index alone (an index-only scan skips the
  // offset), then only those rows are read.
  const ids = db
    .select({ id: taskInstances.instanceId })
    .from(taskInstances)
    .where(where)
    .orderBy(desc(taskInstances.createdAt), desc(taskInstances.instanceId))
    .limit(paging.perPage)
    .offset(offset(paging));
  return paged(
    db
      .select({
        instanceId: taskInstances.instanceId,
        repo: taskInstances.repo,
        kind: taskInstances.kind,
        strategy: taskInstances.strategy,
        status: taskInstances.status,
        statusReason: reasonExpr,
        pullNumber: taskInstances.pullNumber,
        failToPass: sql<number>`jsonb_array_length(${taskInstances.failToPass})`,
        passToPass: sql<number>`jsonb_array_length(${taskInstances.passToPass})`,
        createdAt: taskInstances.createdAt,
      })
      .from(taskInstances)
      .where(inArray(taskInstances.instanceId, ids))
      .orderBy(desc(taskInstances.createdAt), desc(taskInstances.instanceId)),
    db.select({ n: count() }).from(taskInstances).where(where),
    paging,
  );
}

export async function getTaskInScope(db: Db, scope: Scope, instanceId: string) {
  const [row] = await db
    .select()
    .from(taskInstances)
    .where(and(eq(taskInstances.instanceId, instanceId), inRepos(taskInstances.repo, scope)));
  return row;
}

export async function listEnvironments(db: Db, scope: Scope, f: { status?: string; failureClass?: string }, paging: Paging) {
  const where = and(
    inRepos(environments.repo, scope),
    after(environments.createdAt, scope),
    f.status ? eq(environments.status, f.status as never) : undefined,
    f.failureClass ? (f.failureClass === "unclassified" ? isNull(environments.failureClass) : eq(environments.failureClass, f.failureClass)) : undefined,
  );
  return paged(
    db
      .select({
        id: environments.id,
        repo: environments.repo,
        key: environments.key,
        image: environments.image,
        language: environments.language,
        status: environments.status,
        fallback: environments.fallback,
        failureClass: environments.failureClass,
        failureReason: sql<string | null>`left(${environments.failureReason}, 200)`,
        createdAt: environments.createdAt,
        builtAt: environments.builtAt,
      })
      .from(environments)
      .where(where)
      .orderBy(desc(environments.createdAt), desc(environments.id))
      .limit(paging.perPage)
      .offset(offset(paging)),
    db.select({ n: count() }).from(environments).where(where),
    paging,
  );
}

export async function getEnvironmentInScope(db: Db, scope: Scope, id: number) {
  const [row] = await db
    .select()
    .from(environments)
    .where(and(eq(environments.id, id), inRepos(environments.repo, scope)));
  return row;
}

export async function listRollouts(db: Db, scope: Scope, f: { outcome?: string; task?: string; fix?: number }, paging: Paging) {
  const where = and(
    rolloutInRepos(scope),
    after(rollouts.createdAt, scope),
    f.outcome ? eq(rollouts.outcome, f.outcome as never) : undefined,
    f.task ? eq(rollouts.taskInstanceId, f.task) : undefined,
    f.fix ? eq(rollouts.fixAttemptId, f.fix) : undefined,
  );
  const fields = {
    id: rollouts.id,
    repo: rolloutRepo,
    taskInstanceId: rollouts.taskInstanceId,
    fixAttemptId: rollouts.fixAttemptId,
    index: rollouts.index,
    model: rollouts.model,
    status: rollouts.status,
    outcome: rollouts.outcome,
    verifierScore: rollouts.verifierScore,
    turns: rollouts.turns,
    costUsd: rollouts.costUsd,
    createdAt: rollouts.createdAt,
  };
  return paged(
    db
      .select(fields)
      .from(rollouts)
      .where(where)
      .orderBy(desc(rollouts.createdAt), desc(rollouts.id))
      .limit(paging.perPage)
      .offset(offset(paging)),
    db.select({ n: count() }).from(rollouts).where(where),
    paging,
  );
}

export async function getRolloutInScope(db: Db, scope: Scope, id: string) {
  const [row] = await db
    .select({ rollout: rollouts, repo: rolloutRepo })
    .from(rollouts)
    .where(and(eq(rollouts.id, id), rolloutInRepos(scope)))
    .limit(1);
  if (!row) return undefined;
  const [trajectory] = await db.select().from(trajectories).where(eq(trajectories.rolloutId, id));
  return { ...row, trajectory };
}

export async function listFixes(db: Db, scope: Scope, f: { status?: string; signal?: string; pr?: "opened" }, paging: Paging) {
  const where = and(
    inRepos(fixAttempts.repo, scope),
    after(fixAttempts.createdAt, scope),
    f.status ? eq(fixAttempts.status, f.status) : undefined,
    f.pr ? isNotNull(fixAttempts.pullNumber) : undefined,
    f.signal ? sql`exists (select 1 from ${outcomes} where ${outcomes.fixAttemptId} = ${fixAttempts.id} and ${outcomes.signal} = ${f.signal})` : undefined,
  );
  return paged(
    db
      .select({
        id: fixAttempts.id,
        repo: fixAttempts.repo,
        issueNumber: fixAttempts.issueNumber,
        trigger: fixAttempts.trigger,
        requestedBy: fixAttempts.requestedBy,
        k: fixAttempts.k,
        status: fixAttempts.status,
        statusReason: sql<string | null>`left(${fixAttempts.statusReason}, 200)`,
        pullNumber: fixAttempts.pullNumber,
        signals: sql<string[]>`coalesce((select array_agg(distinct ${outcomes.signal}) from ${outcomes} where ${outcomes.fixAttemptId} = ${fixAttempts.id}), '{}')`,
        createdAt: fixAttempts.createdAt,
      })
      .from(fixAttempts)
      .where(where)
      .orderBy(desc(fixAttempts.createdAt), desc(fixAttempts.id))
      .limit(paging.perPage)
      .offset(offset(paging)),
    db.select({ n: count() }).from(fixAttempts).where(where),
    paging,
  );
}

export async function listDeliveries(db: Db, scope: Scope, f: { status?: string; event?: string }, paging: Paging) {
  const where = and(
    scope.installations === "all" ? undefined : scope.installations.length ? inArray(webhookDeliveries.installationId, scope.installations) : sql`false`,
    scope.repos === "all" ? undefined : inRepos(webhookDeliveries.repository, scope),
    after(webhookDeliveries.receivedAt, scope),
    f.status ? eq(webhookDeliveries.status, f.status as never) : undefined,
    f.event ? eq(webhookDeliveries.event, f.event) : undefined,
  );
  return paged(
    db
      .select({
        id: webhookDeliveries.id,
        event: webhookDeliveries.event,
        action: webhookDeliveries.action,
        installationId: webhookDeliveries.installationId,
        repository: webhookDeliveries.repository,
        status: webhookDeliveries.status,
        attempts: webhookDeliveries.attempts,
        error: sql<string | null>`left(${webhookDeliveries.error}, 200)`,
        receivedAt: webhookDeliveries.receivedAt,
      })
      .from(webhookDeliveries)
      .where(where)
      .orderBy(desc(webhookDeliveries.receivedAt), desc(webhookDeliveries.id))
      .limit(paging.perPage)
      .offset(offset(paging)),
    db.select({ n: count() }).from(webhookDeliveries).where(where),
    paging,
  );
}

/** Repositories in scope with their task counts; repositories only seen through `lego harvest` have no installation. */
export async function listRepositories(db: Db, scope: Scope, paging: Paging) {
  const where = and(inRepos(repositories.fullName, scope), isNull(repositories.removedAt));
  const page = await paged(
    db
      .select({ fullName: repositories.fullName, installationId: repositories.installationId, account: installations.accountLogin })
      .from(repositories)
      .leftJoin(installations, eq(installations.id, repositories.installationId))
      .where(where)
      .orderBy(repositories.fullName)
      .limit(paging.perPage)
      .offset(offset(paging)),
    db.select({ n: count() }).from(repositories).where(where),
    paging,
  );
  // One grouped pass over the page's repositories (the (repo, created_at) index), not two counts per row.
  const names = page.rows.map((r) => r.fullName);
  const counts = names.length
    ? await db
        .select({ repo: taskInstances.repo, tasks: count(), valid: sql<number>`count(*) filter (where ${taskInstances.status} = 'valid')` })
        .from(taskInstances)
        .where(sql`${taskInstances.repo} in ${names}`)
        .groupBy(taskInstances.repo)
    : [];
  const byRepo = new Map(counts.map((c) => [c.repo, c]));
  return { ...page, rows: page.rows.map((r) => ({ ...r, tasks: n(byRepo.get(r.fullName)?.tasks), valid: n(byRepo.get(r.fullName)?.valid) })) };
}

export async function installationsInScope(db: Db, ids: number[] | "all") {
  return db
    .select({ id: installations.id, account: installations.accountLogin })
    .from(installations)
    .where(and(isNull(installations.deletedAt), ids === "all" ? undefined : ids.length ? inArray(installations.id, ids) : sql`false`))
    .orderBy(installations.accountLogin)
    .limit(200);
}

/** Installations LegoFactory holds rows for, among those GitHub says a user can access. */
export async function knownInstallations(db: Db, ids: number[]): Promise<number[]> {
  if (!ids.length) return [];
  const rows = await db.select({ id: installations.id }).from(installations).where(and(inArray(installations.id, ids), isNull(installations.deletedAt)));
  return rows.map((r) => r.id);
}
