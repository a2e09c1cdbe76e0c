// LEGO_TRAIN_CRON as a user sets it: a real `lego worker` registers BullMQ's job scheduler for
// training runs with the pattern in UTC, and a pattern BullMQ refuses stops the process with a
// message naming the setting, instead of a worker that never trains.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLego, startLego, waitFor } from "../support/lego-process.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { requireRedis, TEST_CACHE_DIR, TEST_REDIS_URL } from "../support/services.js";
import { testPrivateKey, uniquePrefix } from "../support/test-config.js";

const work = mkdtempSync(path.join(os.tmpdir(), "lego-train-cron-"));
let temp: TempDatabase;

function env(prefix: string, cron: string): Record<string, string> {
  return {
    DATABASE_URL: temp.url,
    REDIS_URL: TEST_REDIS_URL,
    LEGO_QUEUE_PREFIX: prefix,
    LEGO_DATA_DIR: path.join(work, "data"),
    LEGO_CACHE_DIR: TEST_CACHE_DIR,
    APP_ID: "4242",
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: "cron-secret",
    // Nothing answers here: the worker only registers its schedulers, it makes no GitHub call.
    GITHUB_API_URL: "http://127.0.0.1:9",
    LEGO_TRAIN_LAUNCHER: "command",
    LEGO_TRAIN_COMMAND: "true",
    LEGO_TRAIN_CRON: cron,
    LOG_LEVEL: "info",
  };
}

beforeAll(async () => {
  await requireRedis();
  temp = await createTempDatabase();
  const migrate = runLego(["db", "migrate"], { DATABASE_URL: temp.url }, work);
  expect(await new Promise((resolve) => migrate.once("exit", resolve))).toBe(0);
}, 120_000);

afterAll(async () => {
  await temp?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe("LEGO_TRAIN_CRON", () => {
  it("registers the training scheduler with the pattern, in UTC", async () => {
    const prefix = uniquePrefix();
    const worker = await startLego("worker", env(prefix, "0 3 * * 0"), work);
    const queue = new Queue("training", { connection: { url: TEST_REDIS_URL }, prefix });
    try {
      // "workers started" is logged before the schedulers are registered: wait for it.
      const scheduler = await waitFor("the training-cron scheduler", async () => (await queue.getJobScheduler("training-cron")) ?? undefined, 30_000);
      expect(scheduler).toMatchObject({ key: "training-cron", pattern: "0 3 * * 0", tz: "UTC" });
      expect(scheduler?.template?.data).toEqual({ trigger: "cron" });
      // The next run is next Sunday at 03:00 UTC.
      const next = new Date(Number(scheduler?.next));
      expect([next.getUTCDay(), next.getUTCHours(), next.getUTCMinutes()]).toEqual([0, 3, 0]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      const code = await worker.stop();
      if (code !== 0) console.error(worker.lines.slice(-20).join("\n"));
      expect(code).toBe(0);
    }
  }, 120_000);

  it("refuses a pattern BullMQ cannot read, naming the setting and an example", async () => {
    const proc = runLego(["worker"], { ...env(uniquePrefix(), "every sunday"), PORT: "0", HOST: "127.0.0.1" }, work);
    let output = "";
    proc.stdout?.on("data", (d) => (output += d));
    proc.stderr?.on("data", (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve));
    expect(code).not.toBe(0);
    expect(output).toContain('LEGO_TRAIN_CRON "every sunday" is not a cron pattern BullMQ accepts');
    expect(output).toContain('"0 3 * * 0"');
  }, 120_000);
});
