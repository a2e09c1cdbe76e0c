// The trajgen sweep on the real database and Redis: every valid task on an installed repository
// that lacks its teacher rollouts gets them enqueued once; others are left alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { storeTaskRollout } from "../../db/fixes.js";
import { markRepositoriesRemoved, upsertInstallation, upsertRepositories } from "../../db/installations.js";
import { upsertTask } from "../../db/tasks.js";
import { createLogger } from "../../src/logger.js";
import { Queues } from "../../src/queue.js";
import { processTrajgenSweep } from "../../workers/trajgen-sweep.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { requireRedis, TEST_REDIS_URL } from "../support/services.js";
import { uniquePrefix } from "../support/test-config.js";

let temp: TempDatabase;
let database: DatabaseHandle;
let queues: Queues;
const teacher = { model: "teach", k: 2 };

beforeAll(async () => {
  await requireRedis();
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  queues = new Queues(TEST_REDIS_URL, uniquePrefix());
});

afterAll(async () => {
  await queues?.get("trajgen").obliterate({ force: true });
  await queues?.close();
  await database?.close();
  await temp?.drop();
});

const task = (instanceId: string, repo: string, status: "valid" | "invalid" = "valid") =>
  upsertTask(database.db, { instanceId, repo, kind: "synthetic", strategy: "ast:remove_cond", baseCommit: "abc", status, failToPass: ["t"] });

describe("processTrajgenSweep", () => {
  it("enqueues the missing teacher rollouts of valid tasks on installed repositories, once", async () => {
    const db = database.db;
    await upsertInstallation(db, { id: 3, accountLogin: "acme", accountType: "Organization" });
    await upsertRepositories(db, 3, [{ id: 10, fullName: "acme/Lib", private: false }, { id: 11, fullName: "acme/gone", private: false }]);
    await markRepositoriesRemoved(db, 3, [11]);
    await task("acme__lib-syn-1", "acme/lib");
    await task("acme__lib-syn-2", "acme/lib");
    await task("acme__lib-bad", "acme/lib", "invalid");
    await task("acme__gone-1", "acme/gone");
    await task("local__x-1", "local/x");
    // Already has both rollouts by this teacher: nothing to add.
    for (const i of [0, 1]) {
      await storeTaskRollout(db, { instanceId: "acme__lib-syn-2", repo: "acme/lib", kind: "synthetic", baseCommit: "abc" }, {
        id: `acme__lib-syn-2-teach-r${i}`, taskInstanceId: "acme__lib-syn-2", index: i, model: "teach", outcome: "resolved", outcomeReason: "", patch: "", finishReason: "finish",
        turns: 1, promptTokens: 0, completionTokens: 0, costUsd: 0, startedAt: new Date(), finishedAt: new Date(), messages: [], steps: [],
      });
    }
    const deps = { db, queues, teacher, log: createLogger("silent") };
    expect(await processTrajgenSweep(deps)).toEqual({ tasks: 1 });
    const jobs = await queues.get("trajgen").getJobs(["waiting"]);
    expect(jobs.map((j) => [j.id, j.data.installationId]).sort()).toEqual([
      ["trajgen-acme__lib-syn-1-teach-r0", 3],
      ["trajgen-acme__lib-syn-1-teach-r1", 3],
    ]);
    await processTrajgenSweep(deps);
    expect(await queues.get("trajgen").getJobCounts("waiting")).toEqual({ waiting: 2 });
  });
});
