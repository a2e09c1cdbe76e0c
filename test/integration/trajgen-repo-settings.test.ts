// Per-repository trajgen settings from .github/lego.yml on the real database: recorded on the
// repository's row when the file is read, then used by the budget decision before a rollout
// (its own limits replace LEGO_TRAJGEN_REPO_*, the global ones still apply), by the k check of a
// job, and by the sweep's count of the rollouts a task should have.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type Docker from "dockerode";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { insertRollout } from "../../db/fixes.js";
import { upsertInstallation, upsertRepositories } from "../../db/installations.js";
import { upsertTask } from "../../db/tasks.js";
import { repoTrajgen, reserveRollout, setRepoTrajgen, tasksNeedingRollouts } from "../../db/trajgen.js";
import { createLogger } from "../../src/logger.js";
import { parseRepoConfigText, trajgenSettings } from "../../src/repo-config.js";
import { BUDGET_WINDOW_MS, budgetVerdict, repositoryLimits } from "../../src/trajgen/budget.js";
import { fixedTeacher, type Teacher } from "../../src/trajgen/teacher.js";
import { processTrajgen, type TrajgenDeps } from "../../workers/trajgen.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";

let temp: TempDatabase;
let database: DatabaseHandle;
const MODEL = "teach";
const limits = { rolloutsPerDay: 6, repoRolloutsPerDay: 2, costPerDayUsd: 100, repoCostPerDayUsd: 10 };

beforeAll(async () => {
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  const db = database.db;
  await upsertInstallation(db, { id: 5, accountLogin: "acme", accountType: "Organization" });
  await upsertRepositories(db, 5, [
    { id: 1, fullName: "acme/Tight", private: false },
    { id: 2, fullName: "acme/big", private: false },
    { id: 3, fullName: "acme/plain", private: false },
  ]);
  for (const repo of ["acme/tight", "acme/big", "acme/plain"]) {
    for (const n of [1, 2]) await upsertTask(db, { instanceId: `${repo.replace("/", "__")}-${n}`, repo, kind: "real", pullNumber: n, baseCommit: "a".repeat(40), status: "valid", failToPass: ["t"] });
  }
});

afterAll(async () => {
  await database?.close();
  await temp?.drop();
});

function settingsOf(yaml: string) {
  const parsed = parseRepoConfigText(yaml);
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  return trajgenSettings(parsed.config);
}

function teacher(): Teacher {
  return { client: new OpenAI({ baseURL: "http://127.0.0.1:9", apiKey: "unused", maxRetries: 0 }), model: MODEL, mode: "tools", source: "teacher", version: null, k: 2, maxTurns: 100, maxCostUsd: 5, pricing: { promptPerMTok: 0, completionPerMTok: 0 }, budget: limits };
}

/** Enough for the decisions made before a sandbox is needed; a rollout that got further would fail on the Docker stub. */
function deps(): TrajgenDeps {
  return {
    db: database.db,
    docker: {} as Docker,
    baseImage: "unused",
    limits: {},
    workDir: "/nonexistent/trajgen",
    cacheDir: "/nonexistent/cache",
    buildTimeoutMs: 1,
    log: createLogger("silent"),
    github: async () => {
      throw new Error("no GitHub in this test");
    },
    teacher: fixedTeacher(teacher()),
    testTimeoutMs: 1,
  };
}

async function started(id: string, repo: string, n: number, costUsd = 0): Promise<void> {
  await insertRollout(database.db, { id, taskInstanceId: `${repo.replace("/", "__")}-${n}`, index: 0, model: MODEL, status: "done", outcome: "resolved", costUsd });
}

const job = (repo: string, n: number, index: number) => ({ instanceId: `${repo.replace("/", "__")}-${n}`, repo, installationId: 5, index, model: MODEL, rolloutId: `${repo.replace("/", "__")}-${n}-${MODEL}-r${index}` });

describe("per-repository trajgen settings", () => {
  it("are recorded on the repository's row as read, case-insensitively, and replaced when the file changes", async () => {
    const db = database.db;
    expect(await repoTrajgen(db, "acme/tight")).toEqual({});
    await setRepoTrajgen(db, "acme/tight", settingsOf("trajgen:\n  k: 9\n"));
    expect(await repoTrajgen(db, "ACME/TIGHT")).toEqual({ k: 9 });
    await setRepoTrajgen(db, "acme/Tight", settingsOf("trajgen:\n  k: 1\n  maxRolloutsPerDay: 1\n  maxCostUsdPerDay: 0.5\n"));
    expect(await repoTrajgen(db, "acme/tight")).toEqual({ k: 1, maxRolloutsPerDay: 1, maxCostUsdPerDay: 0.5 });
    await setRepoTrajgen(db, "acme/big", settingsOf("trajgen:\n  k: 3\n  maxRolloutsPerDay: 5\n"));
    await setRepoTrajgen(db, "acme/plain", settingsOf("harvest:\n  enabled: true\n"));
    expect(await repoTrajgen(db, "acme/plain")).toEqual({});
    expect(await repoTrajgen(db, "nobody/else")).toEqual({});
  });

  it("decide the budget before a rollout: the repository's own limit, named in the reason, or a raised one up to the global limit", async () => {
    const db = database.db;
    // acme/tight allows 1 rollout a day; one has started.
    await started("t-1", "acme/tight", 1);
    const over = await processTrajgen(job("acme/tight", 1, 0), deps());
    expect(over).toMatchObject({ status: "over-budget", reason: "acme/tight started 1 teacher rollout(s) in 24 h (trajgen.maxRolloutsPerDay in .github/lego.yml is 1)" });

    // acme/plain sets nothing: LEGO_TRAJGEN_REPO_ROLLOUTS_PER_DAY (2) applies.
    await started("p-1", "acme/plain", 1);
    await started("p-2", "acme/plain", 2);
    expect(await processTrajgen(job("acme/plain", 1, 1), deps())).toMatchObject({ status: "over-budget", reason: "acme/plain started 2 teacher rollout(s) in 24 h (LEGO_TRAJGEN_REPO_ROLLOUTS_PER_DAY is 2)" });

    // acme/big raised its limit to 5: past the default 2, a reservation goes through and counts.
    const now = new Date();
    const bigLimits = repositoryLimits(limits, await repoTrajgen(db, "acme/big"));
    const reserve = (id: string, n: number) =>
      reserveRollout(db, { id, taskInstanceId: `acme__big-${n}`, repo: "acme/big", index: 0, model: MODEL }, new Date(now.getTime() - BUDGET_WINDOW_MS), (usage) => budgetVerdict("acme/big", usage, bigLimits, now));
    expect(await reserve("b-1", 1)).toEqual({ ok: true });
    expect(await reserve("b-2", 2)).toEqual({ ok: true });
    // t-1, p-1, p-2, b-1 and b-2 make five over all repositories: b-3 is the last the global limit of 6 allows.
    expect(await reserve("b-3", 1)).toEqual({ ok: true });
    expect(await reserve("b-4", 2)).toMatchObject({ ok: false, reason: "6 teacher rollout(s) started in 24 h (LEGO_TRAJGEN_ROLLOUTS_PER_DAY is 6)" });
  });

  it("a job past the repository's k is skipped", async () => {
    // acme/tight asks for 1 rollout per task: a job for the second is not run.
    expect(await processTrajgen(job("acme/tight", 2, 1), deps())).toMatchObject({ status: "skipped", reason: "acme/tight asks for 1 teacher rollout(s) per task (trajgen.k in .github/lego.yml); this is rollout 2" });
  });

  it("the sweep counts each task against its repository's k", async () => {
    const page = await tasksNeedingRollouts(database.db, MODEL, 2, "", 100);
    expect(page.map((t) => [t.instanceId, t.k])).toEqual([
      // b-1 … b-3 are running rollouts of acme/big's tasks; k 3 leaves room in both.
      ["acme__big-1", 3],
      ["acme__big-2", 3],
      ["acme__plain-1", 2],
      ["acme__plain-2", 2],
      // acme__tight-1 has its one rollout (k 1).
      ["acme__tight-2", 1],
    ]);
  });
});
