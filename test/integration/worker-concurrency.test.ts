// The webhook queue runs its own number of jobs at once (LEGO_WEBHOOK_CONCURRENCY): its
// handlers wait on GitHub, so the sandbox queues' small concurrency would hold deliveries back.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { Queues } from "../../src/queue.js";
import { startWorkers, type WorkerPool } from "../../src/runtime/workers.js";
import { requireRedis, TEST_REDIS_URL } from "../support/services.js";
import { uniquePrefix } from "../support/test-config.js";

let queues: Queues | undefined;
let pool: WorkerPool | undefined;
beforeAll(requireRedis);
afterEach(async () => {
  await pool?.close(1000);
  for (const q of ["webhooks", "harvest"] as const) await queues?.get(q).obliterate({ force: true });
  await queues?.close();
});

describe("per-queue concurrency", () => {
  it("runs concurrencyOf's count of webhook jobs at once and the default elsewhere", async () => {
    const prefix = uniquePrefix();
    queues = new Queues(TEST_REDIS_URL, prefix);
    const active = { webhooks: 0, harvest: 0 };
    const peak = { webhooks: 0, harvest: 0 };
    let done = 0;
    let finish!: () => void;
    const all = new Promise<void>((r) => (finish = r));
    const job = (q: "webhooks" | "harvest") => async () => {
      active[q] += 1;
      peak[q] = Math.max(peak[q], active[q]);
      await new Promise((r) => setTimeout(r, 300));
      active[q] -= 1;
      if (++done === 12) finish();
    };
    pool = startWorkers({ redisUrl: TEST_REDIS_URL, prefix, concurrency: 1, concurrencyOf: { webhooks: 4 }, log: createLogger("silent"), processors: { webhooks: job("webhooks"), harvest: job("harvest") } });
    for (let i = 0; i < 8; i++) await queues.add("webhooks", `d-${i}`, { deliveryId: `d-${i}` });
    for (let i = 0; i < 4; i++) await queues.add("harvest", `h-${i}`, { installationId: 1, repo: "o/r", pullNumber: i });
    await all;
    expect(peak).toEqual({ webhooks: 4, harvest: 1 });
    // A webhook job survives several worker kills (repeat-safe handlers); others keep BullMQ's 1.
    const opts = Object.fromEntries(pool.workers.map((w) => [w.name, { maxStalledCount: w.opts.maxStalledCount, stalledInterval: w.opts.stalledInterval }]));
    expect(opts).toEqual({ webhooks: { maxStalledCount: 5, stalledInterval: 30_000 }, harvest: { maxStalledCount: 1, stalledInterval: 30_000 } });
  }, 60_000);
});
