// A job that meets an unreachable database waits for it without using up its attempts (so a
// Postgres restart longer than the retry backoff strands nothing), on a real BullMQ worker;
// any other error still fails the job by its retry policy.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { Queues } from "../../src/queue.js";
import { startWorkers, type WorkerPool } from "../../src/runtime/workers.js";
import { freePort } from "../support/private-services.js";
import { requireRedis, TEST_REDIS_URL } from "../support/services.js";
import { uniquePrefix } from "../support/test-config.js";

const log = createLogger("silent");
let queues: Queues | undefined;
let pool: WorkerPool | undefined;

beforeAll(requireRedis);
afterEach(async () => {
  await pool?.close(1000);
  pool = undefined;
  await queues?.get("harvest").obliterate({ force: true });
  await queues?.close();
});

const harvestJob = { installationId: 1, repo: "o/r", pullNumber: 1 };

describe("jobs and an unreachable database", () => {
  it("runs again after each wait without using an attempt, and completes once the database answers", async () => {
    const prefix = uniquePrefix();
    queues = new Queues(TEST_REDIS_URL, prefix);
    // A real driver error: drizzle over postgres.js against a port nothing listens on.
    const client = postgres(`postgres://postgres@127.0.0.1:${await freePort()}/x`, { max: 1, onnotice: () => {} });
    const down = drizzle(client);
    let calls = 0;
    const finals: string[] = [];
    const completed = new Promise<void>((resolve) => {
      pool = startWorkers({
        redisUrl: TEST_REDIS_URL,
        prefix,
        concurrency: 1,
        log,
        processors: {
          harvest: async () => {
            calls += 1;
            if (calls <= 3) await down.execute(sql`select 1`);
            return "done";
          },
        },
        onFinalFailure: async (_q, job, err) => void finals.push(`${job.id}:${err.message}`),
      });
      pool.workers[0]!.on("completed", () => resolve());
    });
    // One attempt only: before the fix the first refused connection failed the job for good.
    await queues.add("harvest", "db-wait", harvestJob, { attempts: 1 });
    await completed;
    await client.end({ timeout: 1 });
    const job = await queues.get("harvest").getJob("db-wait");
    // BullMQ counts the completing run as the one attempt made; the three waits counted none.
    expect({ calls, finals, attemptsMade: job?.attemptsMade, state: await job?.getState(), value: job?.returnvalue }).toEqual({ calls: 4, finals: [], attemptsMade: 1, state: "completed", value: "done" });
  }, 60_000);

  it("still fails a job whose error is its own", async () => {
    const prefix = uniquePrefix();
    queues = new Queues(TEST_REDIS_URL, prefix);
    let calls = 0;
    const failed = new Promise<string>((resolve) => {
      pool = startWorkers({
        redisUrl: TEST_REDIS_URL,
        prefix,
        concurrency: 1,
        log,
        processors: {
          harvest: async () => {
            calls += 1;
            throw Object.assign(new Error('relation "nope" does not exist'), { code: "42P01" });
          },
        },
        onFinalFailure: async (_q, job, err) => resolve(`${job.id}:${err.message}`),
      });
    });
    await queues.add("harvest", "own-error", harvestJob, { attempts: 1 });
    expect(await failed).toBe('own-error:relation "nope" does not exist');
    expect(calls).toBe(1);
  }, 30_000);
});
