// Starting the long-running roles (web, worker, both) on one Runtime, and stopping them well.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FlowProducer } from "bullmq";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { type QueueName, redisOptions } from "../queue.js";
import { buildServer } from "../web/server.js";
import { queueWorkers, type QueueWorker } from "./queues.js";
import { openRuntime, type Runtime } from "./runtime.js";
import { sftMasking } from "./sft-masking.js";
import { sweepUnqueuedDeliveries } from "./sweep.js";
import { serveWorkerMetrics, trackActiveSandboxes } from "./worker-metrics.js";
import { type Processors, startWorkers, type WorkerPool } from "./workers.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface Running {
  server?: FastifyInstance;
  /** `lego worker`'s /metrics and /healthz, when LEGO_WORKER_METRICS_PORT is set. */
  metricsServer?: FastifyInstance;
  url?: string;
  pool?: WorkerPool;
  stop(): Promise<void>;
}

export async function start(rt: Runtime, roles: { web: boolean; worker: boolean }): Promise<Running> {
  const running: Running = { stop: async () => {} };
  let sweepTimer: NodeJS.Timeout | undefined;
  let flows: FlowProducer | undefined;
  if (roles.worker) {
    const connection = new Redis(redisOptions(rt.config.REDIS_URL, true));
    connection.on("error", rt.queues.errors.listener("flows"));
    flows = new FlowProducer({ connection, prefix: rt.config.LEGO_QUEUE_PREFIX });
    const workers = queueWorkers(rt, flows);
    const entries = Object.entries(workers) as [QueueName, QueueWorker<QueueName>][];
    const processors: Processors = Object.fromEntries(entries.map(([name, w]) => [name, w.process]));
    if (entries.length === 0) {
      rt.log.warn("no GitHub App credentials: workers are idle until the app is registered");
    }
    running.pool = startWorkers({
      redisUrl: rt.config.REDIS_URL,
      prefix: rt.config.LEGO_QUEUE_PREFIX,
      concurrency: rt.config.LEGO_WORKER_CONCURRENCY,
      concurrencyOf: { webhooks: rt.config.LEGO_WEBHOOK_CONCURRENCY },
      processors,
      log: rt.log,
      onFinalFailure: async (q, job, err) => {
        const worker = workers[q] as QueueWorker<QueueName> | undefined;
        await worker?.failed?.(job.data, { error: err, attempts: job.attemptsMade });
      },
      metrics: rt.metrics,
      errors: rt.queues.errors,
    });
    rt.log.info({ queues: entries.map(([name]) => name), concurrency: rt.config.LEGO_WORKER_CONCURRENCY, webhookConcurrency: rt.config.LEGO_WEBHOOK_CONCURRENCY }, "workers started");
    if (rt.docker) trackActiveSandboxes(rt.metrics, rt.docker, rt.log);
    if (!roles.web && rt.config.LEGO_WORKER_METRICS_PORT !== undefined) {
      running.metricsServer = await serveWorkerMetrics(rt, rt.config.LEGO_WORKER_METRICS_PORT);
    }
    // A delivery stored but never enqueued (Redis down at intake) is picked up now and then
    // every minute, so an outage that ends while the process keeps running loses nothing either.
    const sweep = () => sweepUnqueuedDeliveries(rt.database.db, rt.queues, rt.log, 5_000);
    await sweep();
    for (const [name, w] of entries) {
      if (w.schedule) {
        const repeat = w.schedule.pattern ? { pattern: w.schedule.pattern, tz: "UTC" } : { every: w.schedule.every };
        await rt.queues
          .get(name)
          .upsertJobScheduler(w.schedule.id, repeat, { name, data: w.schedule.data ?? {} })
          .catch((err: Error) => {
            throw new Error(w.schedule?.pattern ? `LEGO_TRAIN_CRON "${w.schedule.pattern}" is not a cron pattern BullMQ accepts (${err.message}); e.g. "0 3 * * 0" for Sundays 03:00 UTC` : err.message);
          });
      }
    }
    sweepTimer = setInterval(() => sweep().catch((err) => rt.log.warn({ err: (err as Error).message }, "sweep failed; retrying in a minute")), 60_000);
    sweepTimer.unref();
  }
  if (roles.web) {
    running.server = await buildServer({
      config: rt.config,
      log: rt.log,
      database: rt.database,
      queues: rt.queues,
      appYmlPath: path.join(root, "app.yml"),
      envFile: path.resolve(".env"),
      metrics: rt.metrics,
      maskStep: sftMasking,
    });
    running.url = await running.server.listen({ port: rt.config.PORT, host: rt.config.HOST });
    rt.log.info({ url: running.url, webhooks: `${running.url}/api/github/webhooks` }, rt.config.hasAppCredentials ? "listening" : `listening; register the GitHub App at ${running.url}/probot`);
  }
  running.stop = async () => {
    // Order matters: stop taking webhooks, let active jobs finish (or release them), then close connections.
    await running.server?.close();
    await running.metricsServer?.close();
    clearInterval(sweepTimer);
    await running.pool?.close(rt.config.LEGO_SHUTDOWN_TIMEOUT_SEC * 1000);
    await flows?.close();
    await rt.close();
  };
  return running;
}

/** `lego serve`, `lego web`, `lego worker`: open what the roles need, then start them. */
export async function serve(config: Config, log: Logger, roles: { web: boolean; worker: boolean }): Promise<Running> {
  const rt = await openRuntime(config, log, { github: true, docker: roles.worker && config.hasAppCredentials });
  return start(rt, roles);
}
