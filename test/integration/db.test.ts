import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, DatabaseUnavailableError, migrate, openDatabase } from "../../db/client.js";
import { getDelivery, insertDelivery, markEnqueued, unqueuedDeliveries } from "../../db/deliveries.js";
import { attemptCost, createAttempt, insertRollout, repoCostSince } from "../../db/fixes.js";
import { getTask, markTaskFailed, upsertTask } from "../../db/tasks.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";

const tables = [
  "environments",
  "fix_attempts",
  "holdout",
  "installations",
  "model_versions",
  "outcomes",
  "repositories",
  "rollouts",
  "task_instances",
  "training_runs",
  "trajectories",
  "webhook_deliveries",
];

async function suite(handle: DatabaseHandle) {
  await migrate(handle);
  // Applying twice is a no-op: start-up always migrates.
  await migrate(handle);
  const res = await handle.db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
  );
  const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as { table_name: string }[];
  expect(rows.map((r) => r.table_name)).toEqual(tables);

  const d = { id: "d-1", event: "issues", action: "opened", installationId: 7, repository: "o/r", payload: { a: 1 } };
  expect(await insertDelivery(handle.db, d)).toBe(true);
  expect(await insertDelivery(handle.db, { ...d, payload: { a: 2 } })).toBe(false);
  expect((await getDelivery(handle.db, "d-1"))?.payload).toEqual({ a: 1 });

  const later = new Date(Date.now() + 60_000);
  expect((await unqueuedDeliveries(handle.db, later)).map((r) => r.id)).toEqual(["d-1"]);
  await markEnqueued(handle.db, "d-1");
  expect(await unqueuedDeliveries(handle.db, later)).toEqual([]);
  expect((await getDelivery(handle.db, "d-1"))?.status).toBe("enqueued");

  // A job's final failure keeps what the harvest recorded and says why.
  await upsertTask(handle.db, { instanceId: "o__r-1", repo: "o/r", kind: "real", baseCommit: "abc123", patch: "p", status: "validating" });
  await markTaskFailed(handle.db, { instanceId: "o__r-1", repo: "o/r", pullNumber: 1 }, "docker went away");
  expect(await getTask(handle.db, "o__r-1")).toMatchObject({ baseCommit: "abc123", patch: "p", status: "invalid", statusReason: "docker went away" });
  await markTaskFailed(handle.db, { instanceId: "o__r-2", repo: "o/r", pullNumber: 2 }, "never harvested");
  expect(await getTask(handle.db, "o__r-2")).toMatchObject({ status: "invalid", statusReason: "never harvested" });

  // Spend per attempt and per repository and day, for the fix budgets.
  const a1 = await createAttempt(handle.db, { repo: "o/r", issueNumber: 1, installationId: 7, trigger: "command", requestedBy: "u", k: 2 });
  const a2 = await createAttempt(handle.db, { repo: "o/other", issueNumber: 1, installationId: 7, trigger: "command", requestedBy: "u", k: 1 });
  await insertRollout(handle.db, { id: "c-0", fixAttemptId: a1.id, index: 0, model: "m", costUsd: 1.25 });
  await insertRollout(handle.db, { id: "c-1", fixAttemptId: a1.id, index: 1, model: "m", costUsd: 0.5 });
  await insertRollout(handle.db, { id: "c-2", fixAttemptId: a1.id, index: 2, model: "m" });
  await insertRollout(handle.db, { id: "c-3", fixAttemptId: a2.id, index: 0, model: "m", costUsd: 7 });
  expect(await attemptCost(handle.db, a1.id)).toBe(1.75);
  expect(await repoCostSince(handle.db, "o/r", new Date(Date.now() - 60_000))).toBe(1.75);
  expect(await repoCostSince(handle.db, "o/r", later)).toBe(0);
  expect(await repoCostSince(handle.db, "o/none", new Date(0))).toBe(0);
}

describe("migrations and delivery queries", () => {
  let temp: TempDatabase | undefined;
  const dirs: string[] = [];
  afterAll(async () => {
    await temp?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("apply to the PostgreSQL server", async () => {
    temp = await createTempDatabase();
    const handle = await openDatabase({ url: temp.url, dataDir: "unused" });
    try {
      expect(handle.kind).toBe("postgres");
      await suite(handle);
    } finally {
      await handle.close();
    }
  });

  it("apply to the embedded PGlite database, which persists to its directory", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "lego-pglite-"));
    dirs.push(dir);
    const handle = await openDatabase({ dataDir: dir });
    expect(handle.kind).toBe("pglite");
    await suite(handle);
    await handle.close();
    const again = await openDatabase({ dataDir: dir });
    expect((await getDelivery(again.db, "d-1"))?.event).toBe("issues");
    await again.close();
  });

  it("names the server and the fix when PostgreSQL is unreachable", async () => {
    await expect(openDatabase({ url: "postgres://lego:secret@127.0.0.1:1/x", dataDir: "unused" })).rejects.toThrow(
      DatabaseUnavailableError,
    );
    await expect(openDatabase({ url: "postgres://lego:secret@127.0.0.1:1/x", dataDir: "unused" })).rejects.toThrow(
      /127\.0\.0\.1:1.*pg_ctlcluster.*unset DATABASE_URL/s,
    );
    await expect(openDatabase({ url: "postgres://lego:secret@127.0.0.1:1/x", dataDir: "unused" })).rejects.not.toThrow(
      /secret/,
    );
  });
});
