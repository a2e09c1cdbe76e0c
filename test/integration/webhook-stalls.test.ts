// A webhook job whose worker dies mid-run stalls and is taken over by another worker. With the
// webhook queue's limit it survives two deaths and completes; with BullMQ's default of 1 the
// second stall fails it for good, and the failure reaches onFinalFailure with its reason (so the
// delivery's row records it). Short locks and stall checks keep this to seconds.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { Queues } from "../../src/queue.js";
import { startWorkers, stallLimits, type WorkerPool } from "../../src/runtime/workers.js";
import { requireRedis, TEST_REDIS_URL } from "../support/services.js";
import { uniquePrefix } from "../support/test-config.js";

let queues: Queues | undefined;
const pools: WorkerPool[] = [];
beforeAll(requireRedis);
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close(100);
  await queues?.get("webhooks").obliterate({ force: true });
  await queues?.close();
});

/** Runs one webhook job through workers that die (stop renewing its lock) on the first `deaths` runs. */
async function runWithDeaths(deaths: number, maxStalledCount: number): Promise<{ runs: number; outcome: string }> {
  const prefix = uniquePrefix();
  queues = new Queues(TEST_REDIS_URL, prefix);
  await queues.add("webhooks", "stall-1", { deliveryId: "stall-1" });
  let runs = 0;
  let settle!: (outcome: string) => void;
  const settled = new Promise<string>((r) => (settle = r));
  for (let i = 0; ; i++) {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const pool = startWorkers({
      redisUrl: TEST_REDIS_URL,
      prefix,
      concurrency: 1,
      log: createLogger("silent"),
      stallLimitsOf: { webhooks: { maxStalledCount, stalledInterval: 300, lockDuration: 600 } },
      processors: {
        webhooks: async () => {
          runs++;
          started();
          if (i < deaths) await new Promise(() => undefined); // killed: never returns, lock not renewed
          return "done";
        },
      },
      onFinalFailure: async (_q, _job, err) => settle(`failed: ${err.message}`),
    });
    pools.push(pool);
    pool.workers[0]!.on("completed", () => settle("completed"));
    const next = await Promise.race([running.then(() => "ran"), settled]);
    if (next !== "ran" || i >= deaths) break;
    await pool.workers[0]!.close(true); // as SIGKILL: the job stays active, its lock runs out
  }
  return { runs, outcome: await settled };
}

describe("webhook job stalls", () => {
  it("the webhook queue allows several stalls", () => {
    expect(stallLimits.webhooks?.maxStalledCount).toBeGreaterThanOrEqual(3);
  });

  it("a job whose worker died twice is taken over and completes under a limit of 5", async () => {
    expect(await runWithDeaths(2, 5)).toEqual({ runs: 3, outcome: "completed" });
  }, 30_000);

  it("under BullMQ's default of 1 the second stall fails it, with the reason", async () => {
    const r = await runWithDeaths(2, 1);
    expect(r.outcome).toBe("failed: job stalled more than allowable limit");
    expect(r.runs).toBe(2);
  }, 30_000);
});
