// The synth queue's processor on its own, against the GitHub double, the real database, Docker and
// a BullMQ queue under a unique prefix: one snapshot of a small Python project → synthetic task
// rows with their verdicts, capped at synth.perSnapshot (valid tasks stored by earlier runs count),
// each valid one handed to trajgen as its k rollout jobs; the teacher's stored rollouts relabel its
// difficulty by solve rate.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { storeTaskRollout } from "../../db/fixes.js";
import { taskInstances } from "../../db/schema.js";
import { getTask } from "../../db/tasks.js";
import { createDocker } from "../../sandbox/docker.js";
import { createProbot } from "../../src/github/probot.js";
import { createLogger } from "../../src/logger.js";
import { Queues } from "../../src/queue.js";
import { repoConfigSchema, synthSettings, type SynthSettings } from "../../src/repo-config.js";
import { enqueueTrajgen, trajgenJobs } from "../../src/trajgen/enqueue.js";
import { processSynth, type SynthDeps } from "../../workers/synth.js";
import { relabelDifficulty } from "../../workers/trajgen.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { requireRedis, TEST_BASE_IMAGE, TEST_CACHE_DIR, TEST_REDIS_URL } from "../support/services.js";
import { pythonSynthProject } from "../support/synth-fixtures.js";
import { testConfig, testPrivateKey, uniquePrefix } from "../support/test-config.js";

const REPO = "acme/shop";
const TEACHER = { model: "teacher-x", k: 2 };
let gh: GitHubDouble;
let temp: TempDatabase;
let database: DatabaseHandle;
let queues: Queues;
let deps: SynthDeps;
let commit: string;
const workDir = mkdtempSync(path.join(os.tmpdir(), "lego-synth-worker-"));

const settings = (perSnapshot: number): SynthSettings => ({ ...synthSettings(repoConfigSchema.parse({ synth: { enabled: true, perSnapshot, strategies: ["ast"], maxCandidates: 8 } }))!, runs: 1, timeoutSec: 120 });
const job = (perSnapshot: number) => ({ installationId: 5, repo: REPO, commit, settings: settings(perSnapshot) });
const stored = () => database.db.select().from(taskInstances).where(and(eq(taskInstances.repo, REPO), eq(taskInstances.kind, "synthetic")));

beforeAll(async () => {
  await requireRedis();
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "s" });
  const repo = await gh.createRepo(REPO, { files: pythonSynthProject as Record<string, string> });
  commit = (await repo.git.branchSha(repo.defaultBranch))!;
  gh.addInstallation({ id: 5, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  queues = new Queues(TEST_REDIS_URL, uniquePrefix());
  const probot = createProbot(testConfig({ GITHUB_API_URL: gh.url, PRIVATE_KEY: gh.privateKey }), createLogger("silent"), { retries: false });
  deps = {
    db: database.db,
    docker: createDocker(),
    github: async (id) => (await probot.auth(id)) as never,
    baseImage: TEST_BASE_IMAGE,
    limits: { cpus: 1, memoryMb: 1024, pids: 256 },
    workDir,
    cacheDir: TEST_CACHE_DIR,
    buildTimeoutMs: 300_000,
    log: createLogger("silent"),
    writer: null,
    onValidated: async (task, installationId) => void (await enqueueTrajgen(queues, TEACHER, task, installationId)),
  };
});

afterAll(async () => {
  await queues?.get("trajgen").obliterate({ force: true });
  await queues?.close();
  await database?.close();
  await temp?.drop();
  await gh?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe("processSynth", () => {
  it("stores every candidate with its verdict, stops at synth.perSnapshot valid tasks, and hands each valid one to trajgen", async () => {
    const result = await processSynth(job(1), deps);
    expect(result.error).toBeNull();
    expect(result.valid).toBe(1);
    const rows = await stored();
    expect(rows.length).toBe(result.candidates);
    const valid = rows.filter((r) => r.status === "valid");
    expect(valid).toHaveLength(1);
    expect(valid[0]).toMatchObject({ baseCommit: commit, strategy: expect.stringMatching(/^ast:/), difficulty: expect.stringMatching(/^(easy|medium|hard)$/) });
    expect(valid[0]!.failToPass!.length).toBeGreaterThan(0);
    for (const r of rows.filter((x) => x.status !== "valid")) expect(r.statusReason).toBeTruthy();
    const jobs = await queues.get("trajgen").getJobs(["waiting"]);
    expect(jobs.map((j) => j.id).sort()).toEqual(trajgenJobs({ instanceId: valid[0]!.instanceId, repo: REPO }, 5, TEACHER).map((j) => j.id).sort());
    expect(jobs.every((j) => j.data.instanceId === valid[0]!.instanceId && j.data.installationId === 5)).toBe(true);
  }, 600_000);

  it("counts the snapshot's earlier valid tasks against the cap: a second run synthesizes nothing and enqueues nothing", async () => {
    const before = (await stored()).length;
    const again = await processSynth(job(1), deps);
    expect(again).toEqual({ valid: 0, candidates: 0, error: "the snapshot already has 1 valid synthetic task(s) (synth.perSnapshot is 1)" });
    expect((await stored()).length).toBe(before);
    expect(await queues.get("trajgen").getJobCounts("waiting")).toEqual({ waiting: TEACHER.k });
  }, 120_000);

  it("relabels the task's difficulty from the teacher's stored rollouts once four are graded (infra errors not counted)", async () => {
    const task = (await stored()).find((r) => r.status === "valid")!;
    const rollout = (index: number, outcome: "resolved" | "unresolved" | "infra-error") => ({
      id: `${task.instanceId}-${TEACHER.model}-r${index}`, taskInstanceId: task.instanceId, index, model: TEACHER.model, outcome, outcomeReason: outcome, patch: "", finishReason: "finish", turns: 1, promptTokens: 1, completionTokens: 1, costUsd: 0, startedAt: new Date(), finishedAt: new Date(), messages: [], steps: [],
    });
    const label = task.difficulty;
    for (const [i, o] of (["unresolved", "unresolved", "infra-error", "resolved"] as const).entries()) await storeTaskRollout(database.db, task, rollout(i, o));
    expect(await relabelDifficulty(database.db, task.instanceId, TEACHER.model)).toBeNull();
    expect((await getTask(database.db, task.instanceId))?.difficulty).toBe(label);
    await storeTaskRollout(database.db, task, rollout(4, "unresolved"));
    // 1 of 4 graded resolved: hard. Another model's rollouts do not count.
    expect(await relabelDifficulty(database.db, task.instanceId, TEACHER.model)).toBe("hard");
    expect(await relabelDifficulty(database.db, task.instanceId, "other-model")).toBeNull();
    expect((await getTask(database.db, task.instanceId))?.difficulty).toBe("hard");
  }, 60_000);
});
