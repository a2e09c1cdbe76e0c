// Named BullMQ queues, deterministic job ids, and the retry policy every queue shares.
import { Queue, type JobsOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { ConnectionErrors } from "./connection-errors.js";
import type { FixSettings, HarvestSettings, SynthSettings } from "./repo-config.js";

/** What a job of each queue carries; the keys are the queues. Workers are in src/runtime/queues.ts. */
export interface JobData {
  webhooks: { deliveryId: string };
  backfill: { installationId: number; repo: string };
  fix: { attemptId: number; settings: FixSettings };
  rollout: { attemptId: number; index: number; rolloutId: string; settings: FixSettings };
  "fix-select": { attemptId: number; settings: FixSettings };
  signals: Record<string, never>;
  /** One teacher rollout on a validated task (rolloutId = rolloutIdFor(instanceId, model, index)). */
  "trajgen-sweep": Record<string, never>;
  training: { trigger: "cron" | "new-trajectories" | "manual" };
  "training-check": Record<string, never>;
  gate: { versionId: number };
  trajgen: { instanceId: string; repo: string; installationId: number; index: number; model: string; rolloutId: string };
  harvest: {
    installationId: number;
    repo: string;
    pullNumber: number;
    deliveryId?: string;
    settings?: HarvestSettings;
  };
  /** One repository snapshot (the commit an environment was just built for) → synthetic tasks. */
  synth: { installationId: number; repo: string; commit: string; settings: SynthSettings };
}

export type QueueName = keyof JobData;

/** JobData's keys at run time, for what lists every queue (dashboard, metrics, queue UI); tsc insists on each. */
const everyQueue: Record<QueueName, true> = { webhooks: true, backfill: true, fix: true, rollout: true, "fix-select": true, signals: true, harvest: true, trajgen: true, "trajgen-sweep": true, training: true, "training-check": true, gate: true, synth: true };
export const queueNames = Object.keys(everyQueue) as QueueName[];

/** How a job failed for good (attempts used up, or UnrecoverableError): what its queue's policy records. */
export interface JobFailure {
  error: Error;
  attempts: number;
}

/** Retries with exponential backoff; UnrecoverableError in a processor skips the rest. */
export const defaultJobOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: "exponential", delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 5000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** Job ids are derived from the work, so enqueueing twice is a no-op. BullMQ reserves ':'. */
export function jobId(...parts: (string | number)[]): string {
  return parts.map((p) => String(p).replace(/[^A-Za-z0-9._-]+/g, "_")).join("-");
}

export class RedisUnavailableError extends Error {
  readonly code = "redis_unavailable";
}

export function redisOptions(url: string, forWorker: boolean): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === "rediss:" ? {} : undefined,
    // Workers block on Redis and must wait through reconnects; producers should fail fast.
    maxRetriesPerRequest: forWorker ? null : 1,
    enableOfflineQueue: forWorker,
  };
}

export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable REDIS_URL>";
  }
}

/** Fails with the address and how to start Redis, instead of BullMQ's endless reconnect loop. */
export async function assertRedisAvailable(url: string, timeoutMs = 3000): Promise<void> {
  const client = new Redis({ ...redisOptions(url, false), lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new RedisUnavailableError(
      `Redis is not reachable at ${redactRedisUrl(url)} (${(err as Error).message}). ` +
        "Start it (`redis-server --daemonize yes --bind 127.0.0.1 --port 6379`) or set REDIS_URL.",
    );
  } finally {
    client.disconnect();
  }
}

export class Queues {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly connection: Redis;

  constructor(
    redisUrl: string,
    readonly prefix: string,
    private readonly addTimeoutMs = 3000,
    /** Where this process's Redis connection errors go (logged, rate-limited, shown in /healthz). */
    readonly errors = new ConnectionErrors(),
  ) {
    this.connection = new Redis(redisOptions(redisUrl, false));
    this.connection.on("error", errors.listener("queues"));
  }

  get(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions });
      q.on("error", this.errors.listener(`queue ${name}`));
      this.queues.set(name, q);
    }
    return q;
  }

  /**
   * BullMQ waits for Redis indefinitely; callers (webhook intake above all) need an answer, so
   * an add that takes longer than addTimeoutMs fails. If it lands later anyway, the
   * deterministic job id makes the sweep's retry a no-op.
   */
  async add<N extends QueueName>(name: N, id: string, data: JobData[N], opts: JobsOptions = {}): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisUnavailableError(`enqueueing ${id} on '${name}' took over ${this.addTimeoutMs} ms: is Redis up?`)), this.addTimeoutMs);
    });
    try {
      await Promise.race([this.get(name).add(name, data, { ...opts, jobId: id }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.connection.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}
