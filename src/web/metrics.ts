// GET /metrics in Prometheus text format. Besides the process's own metrics it reports the
// factory's state, read at scrape time from PostgreSQL and Redis (so any web replica reports the
// whole deployment): queue depths, builds, validations, rollouts, tokens and cost, training runs
// and the promoted model. A scrape reads at most every few seconds, whatever the scrape rate.
import { count, eq, sum } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { Gauge } from "prom-client";
import type { Logger } from "pino";
import type { Db } from "../../db/client.js";
import { environments, modelVersions, rollouts, taskInstances, trainingRuns } from "../../db/schema.js";
import type { Metrics } from "../metrics.js";
import type { Queues } from "../queue.js";
import { queueDepths } from "./dashboard/queues.js";
import { secretMatches } from "./dashboard/session.js";

interface FactoryState {
  queues: { queue: string; state: string; n: number }[];
  builds: { outcome: string; n: number }[];
  tasks: { status: string; kind: string; n: number }[];
  rollouts: { outcome: string; n: number }[];
  tokens: { prompt: number; completion: number; cost: number };
  training: { status: string; n: number }[];
  promoted: { id: number; name: string; baseModel: string } | undefined;
}

async function readState(db: Db, queues: Queues): Promise<FactoryState> {
  const [depths, builds, tasks, outcomes, usage, runs, promoted] = await Promise.all([
    queueDepths(queues).catch(() => []),
    db.select({ outcome: environments.status, n: count() }).from(environments).groupBy(environments.status),
    db.select({ status: taskInstances.status, kind: taskInstances.kind, n: count() }).from(taskInstances).groupBy(taskInstances.status, taskInstances.kind),
    db.select({ outcome: rollouts.outcome, n: count() }).from(rollouts).groupBy(rollouts.outcome),
    db.select({ prompt: sum(rollouts.promptTokens), completion: sum(rollouts.completionTokens), cost: sum(rollouts.costUsd) }).from(rollouts),
    db.select({ status: trainingRuns.status, n: count() }).from(trainingRuns).groupBy(trainingRuns.status),
    db.select({ id: modelVersions.id, name: modelVersions.name, baseModel: modelVersions.baseModel }).from(modelVersions).where(eq(modelVersions.status, "promoted")).limit(1),
  ]);
  return {
    queues: depths.flatMap((d) => (["waiting", "active", "delayed", "failed"] as const).map((state) => ({ queue: d.queue, state, n: d[state] }))),
    builds: builds.map((b) => ({ outcome: b.outcome, n: Number(b.n) })),
    tasks: tasks.map((t) => ({ status: t.status, kind: t.kind, n: Number(t.n) })),
    rollouts: outcomes.map((o) => ({ outcome: o.outcome ?? "pending", n: Number(o.n) })),
    tokens: { prompt: Number(usage[0]?.prompt ?? 0), completion: Number(usage[0]?.completion ?? 0), cost: Number(usage[0]?.cost ?? 0) },
    training: runs.map((r) => ({ status: r.status, n: Number(r.n) })),
    promoted: promoted[0],
  };
}

/** Adds the factory gauges to `metrics` and serves them; LEGO_METRICS_TOKEN, when set, guards the route. */
export function registerMetricsRoute(app: FastifyInstance, deps: { metrics: Metrics; db: Db; queues: Queues; log: Logger; token: string | undefined; cacheMs?: number }): void {
  const cacheMs = deps.cacheMs ?? 5000;
  let cached: { at: number; state: Promise<FactoryState> } | undefined;
  const state = () => {
    if (!cached || Date.now() - cached.at > cacheMs) {
      const p = readState(deps.db, deps.queues);
      cached = { at: Date.now(), state: p };
      p.catch(() => (cached = undefined));
    }
    return cached.state;
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: L[], fill: (g: Gauge<L>, s: FactoryState) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [deps.metrics.registry],
      async collect() {
        try {
          const s = await state();
          this.reset();
          fill(this, s);
        } catch (err) {
          deps.log.warn({ err: (err as Error).message }, "metrics: could not read the factory's state");
        }
      },
    });
  gauge("lego_queue_jobs", "Jobs in each queue, by state.", ["queue", "state"], (g, s) => s.queues.forEach((q) => g.set({ queue: q.queue, state: q.state }, q.n)));
  gauge("lego_environment_builds", "Environment builds, by outcome.", ["outcome"], (g, s) => s.builds.forEach((b) => g.set({ outcome: b.outcome }, b.n)));
  gauge("lego_tasks", "Task instances, by validation status and kind.", ["status", "kind"], (g, s) => s.tasks.forEach((t) => g.set({ status: t.status, kind: t.kind }, t.n)));
  gauge("lego_rollouts", "Rollouts, by outcome.", ["outcome"], (g, s) => s.rollouts.forEach((r) => g.set({ outcome: r.outcome }, r.n)));
  gauge("lego_rollout_tokens", "Tokens spent by all rollouts, by type.", ["type"], (g, s) => {
    g.set({ type: "prompt" }, s.tokens.prompt);
    g.set({ type: "completion" }, s.tokens.completion);
  });
  gauge("lego_rollout_cost_usd", "Cost of all rollouts, USD.", [], (g, s) => g.set(s.tokens.cost));
  gauge("lego_training_runs", "Training runs, by status.", ["status"], (g, s) => s.training.forEach((r) => g.set({ status: r.status }, r.n)));
  gauge("lego_model_promoted", "The promoted model version (value: its id), labelled with its name.", ["name", "base_model"], (g, s) => {
    if (s.promoted) g.set({ name: s.promoted.name, base_model: s.promoted.baseModel }, s.promoted.id);
  });
  registerMetricsEndpoint(app, deps.metrics, deps.token);
}

/** The bare endpoint: also what `lego worker` serves for its own process metrics. */
export function registerMetricsEndpoint(app: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  app.get("/metrics", async (req, reply) => {
    if (token) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
      if (!m?.[1] || !secretMatches(m[1], token)) {
        return reply.code(401).header("www-authenticate", 'Bearer realm="metrics"').send({ error: "Send Authorization: Bearer <LEGO_METRICS_TOKEN> to read /metrics." });
      }
    }
    const { contentType, body } = await metrics.text();
    return reply.type(contentType).header("cache-control", "no-store").send(body);
  });
}
