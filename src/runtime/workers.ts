// One BullMQ Worker per queue around a plain processor function; graceful close.
import { DelayedError, type Job, Worker } from "bullmq";
import type { Logger } from "pino";
import { Redis } from "ioredis";
import { ConnectionErrors } from "../connection-errors.js";
import type { Metrics } from "../metrics.js";
import { type JobData, type QueueName, redisOptions } from "../queue.js";
import { databaseWaitMs, isDatabaseUnavailable } from "./database-unavailable.js";

export type Processor<N extends QueueName> = (data: JobData[N], job: Job<JobData[N]>) => Promise<unknown>;
export type Processors = { [N in QueueName]?: Processor<N> };

export interface WorkerPoolOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  /** Queues that run more (or fewer) jobs at once than `concurrency`. */
  concurrencyOf?: Partial<Record<QueueName, number>>;
  processors: Processors;
  log: Logger;
  /** A job failed for good (attempts used up, or UnrecoverableError): record why. */
  onFinalFailure?: (queue: QueueName, job: Job, err: Error) => Promise<void>;
  metrics?: Metrics;
  /** Stall limits per queue instead of `stallLimits` (tests use short ones). */
  stallLimitsOf?: Partial<Record<QueueName, StallLimits>>;
  /** Where Redis connection and worker errors are counted and logged (rate-limited). */
  errors?: ConnectionErrors;
}

export interface WorkerPool {
  workers: Worker[];
  /** Stops taking jobs and waits for active ones; after timeoutMs, releases them (they stall and are retried). */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Runs one job. A job that fails because the database is not answering (a restart, an outage)
 * is not at fault: it goes back to the delayed set and runs again once the wait is over,
 * without using up an attempt, however long the outage lasts; any other error is the job's.
 */
export async function runWaitingForDatabase(processor: Processor<QueueName>, job: Job, token: string | undefined, log: Pick<Logger, "warn">): Promise<unknown> {
  try {
    return await processor(job.data as never, job as never);
  } catch (err) {
    if (!token || !isDatabaseUnavailable(err)) throw err;
    // Each run of the job counts as started; those that did not end in a failure were waits.
    const waited = Math.max(0, job.attemptsStarted - job.attemptsMade - 1);
    const waitMs = databaseWaitMs(waited);
    log.warn({ job: job.id, waitMs, err: (err as Error).message }, "database unavailable; the job runs again when the wait is over, without using an attempt");
    await job.moveToDelayed(Date.now() + waitMs, token);
    throw new DelayedError();
  }
}

/**
 * How often a job may stall (its worker died or hung past the lock) before BullMQ fails it, per
 * queue. BullMQ's default of 1 fails a webhook job whose workers were killed twice, leaving its
 * delivery without a reply; webhook handlers are repeat-safe (a re-run finds the reply it posted,
 * src/github/delivery-reply.ts), so they may be taken over several times. A stalled job is found
 * within `stalledInterval` (BullMQ's default 30 s) after its lock (30 s) runs out.
 */
export interface StallLimits {
  maxStalledCount: number;
  stalledInterval: number;
  /** How long a job's lock lasts unless its worker renews it (BullMQ's default 30 s). */
  lockDuration?: number;
}

export const stallLimits: Partial<Record<QueueName, StallLimits>> = {
  webhooks: { maxStalledCount: 5, stalledInterval: 30_000 },
};

export function startWorkers(opts: WorkerPoolOptions): WorkerPool {
  const workers: Worker[] = [];
  const connections: Redis[] = [];
  const errors = opts.errors ?? new ConnectionErrors(opts.log);
  for (const [name, processor] of Object.entries(opts.processors) as [QueueName, Processor<QueueName>][]) {
    const log = opts.log.child({ queue: name });
    const connection = new Redis(redisOptions(opts.redisUrl, true));
    connection.on("error", errors.listener(`worker ${name} connection`));
    connections.push(connection);
    const worker = new Worker(name, (job, token) => runWaitingForDatabase(processor, job, token, log), {
      connection,
      prefix: opts.prefix,
      concurrency: opts.concurrencyOf?.[name] ?? opts.concurrency,
      ...(opts.stallLimitsOf ?? stallLimits)[name],
    });
    const seconds = (job: Job) => Math.max(0, ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000);
    worker.on("completed", (job) => {
      opts.metrics?.jobSeconds.observe({ queue: name, outcome: "completed" }, seconds(job));
      log.info({ job: job.id, ms: (job.finishedOn ?? 0) - (job.processedOn ?? 0) }, "job done");
    });
    worker.on("failed", (job, err) => {
      if (!job) return;
      const final = err.name === "UnrecoverableError" || job.attemptsMade >= (job.opts.attempts ?? 1);
      opts.metrics?.jobSeconds.observe({ queue: name, outcome: final ? "failed" : "retried" }, seconds(job));
      log[final ? "error" : "warn"]({ job: job.id, attempt: job.attemptsMade, err: err.message }, final ? "job failed" : "job will be retried");
      if (final && opts.onFinalFailure) {
        opts.onFinalFailure(name, job, err).catch((e) => log.error({ err: e }, "could not record job failure"));
      }
    });
    worker.on("error", errors.listener(`worker ${name}`));
    workers.push(worker);
  }
  return {
    workers,
    async close(timeoutMs = 30_000) {
      let timer: NodeJS.Timeout | undefined;
      const graceful = Promise.all(workers.map((w) => w.close()));
      const deadline = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
      const result = await Promise.race([graceful.then(() => "done" as const), deadline]);
      clearTimeout(timer);
      if (result === "timeout") {
        opts.log.warn({ timeoutMs }, "active jobs did not finish in time; releasing them to be retried");
        await Promise.all(workers.map((w) => w.close(true)));
      }
      for (const c of connections) c.disconnect();
    },
  };
}
