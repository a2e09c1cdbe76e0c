// The training-data chain end to end on the real database, Redis and Docker engine: a merged PR
// is harvested into a validated task, which enqueues its teacher rollouts on `trajgen`; BullMQ
// workers run them with the model double as the teacher; the graded trajectories are stored and
// then exported by `lego export sft|verifier`, whose files are checked exactly.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { UnrecoverableError } from "bullmq";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { upsertTask } from "../../db/tasks.js";
import { createDocker } from "../../sandbox/docker.js";
import { createProbot } from "../../src/github/probot.js";
import { createLogger } from "../../src/logger.js";
import { Queues } from "../../src/queue.js";
import { defaultRepoConfig, harvestSettings } from "../../src/repo-config.js";
import { startWorkers, type WorkerPool } from "../../src/runtime/workers.js";
import { enqueueTrajgen, trajgenJobs } from "../../src/trajgen/enqueue.js";
import type { Teacher } from "../../src/trajgen/teacher.js";
import { processHarvest } from "../../workers/harvest.js";
import { processTrajgen, TrajgenInfraError, type TrajgenDeps, trajgenFailed, trajgenProcessor } from "../../workers/trajgen.js";
import { pythonFix, pythonProject } from "../support/fixture-repos.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { type ModelDouble, startModelDouble } from "../support/model-double.js";
import type { ChatRequest, Reply } from "../support/model-double/types.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { requireRedis, TEST_BASE_IMAGE, TEST_CACHE_DIR, TEST_REDIS_URL } from "../support/services.js";
import { testConfig, testPrivateKey, uniquePrefix } from "../support/test-config.js";

const REPO = "acme/calc";
const TEACHER = "teacher-x";
const work = mkdtempSync(path.join(os.tmpdir(), "lego-chain-"));
let gh: GitHubDouble;
let temp: TempDatabase;
let database: DatabaseHandle;
let models: ModelDouble;
let queues: Queues;
let pool: WorkerPool | undefined;
let deps: TrajgenDeps;
let probot: ReturnType<typeof createProbot>;
const prefix = uniquePrefix();
let instanceId = "";

interface Call {
  name: string;
  args: Record<string, unknown>;
}

const FIXED = "def add(a, b):\n    return a + b";
/**
 * The teacher's scripts, chosen by rollout index (the request's `user` is the rollout id).
 * r0 resolves after two actions that fail as actions (a command that is not found, an editor
 * `old_str` that is not there) and one command that exits non-zero because the code is wrong;
 * r1 writes a wrong fix; r2 edits the tests.
 */
function script(index: number): Call[] {
  if (index === 0) {
    return [
      { name: "execute_bash", args: { command: "python3 -c 'from calc.ops import add; assert add(1, 2) == 3'" } },
      { name: "execute_bash", args: { command: "pytset -q tests" } },
      { name: "str_replace_editor", args: { command: "str_replace", path: "/repo/calc/ops.py", old_str: "def add(a, b):\n    return a ** b", new_str: FIXED } },
      { name: "think", args: { thought: "add() subtracts; it should add." } },
      { name: "str_replace_editor", args: { command: "str_replace", path: "/repo/calc/ops.py", old_str: "def add(a, b):\n    return a - b", new_str: FIXED } },
      { name: "execute_bash", args: { command: "python3 -c 'from calc.ops import add; assert add(1, 2) == 3'" } },
      { name: "finish", args: { message: "add() returned a - b; it now returns a + b." } },
    ];
  }
  const edit = { name: "str_replace_editor", args: { command: "str_replace", path: "/repo/calc/ops.py", old_str: "def add(a, b):\n    return a - b", new_str: index === 1 ? "def add(a, b):\n    return a * b" : FIXED } };
  return [
    edit,
    ...(index === 2 ? [{ name: "execute_bash", args: { command: "printf 'def test_nothing():\\n    pass\\n' > tests/test_ops.py" } }] : []),
    { name: "finish", args: { message: "Changed add()." } },
  ];
}

function teacherReply(req: ChatRequest): Reply {
  const turn = req.messages.filter((m) => m.role === "assistant").length;
  const index = Number(String(req.user ?? "").split("-r").pop() ?? 0);
  const steps = script(index);
  const call = steps[Math.min(turn, steps.length - 1)] as Call;
  return { toolCalls: [{ name: call.name, arguments: call.args }] };
}

function teacher(overrides: Partial<Teacher["budget"]> = {}): Teacher {
  return {
    client: new OpenAI({ baseURL: models.baseURL, apiKey: "unused", maxRetries: 0 }),
    model: TEACHER,
    mode: "tools",
    k: 3,
    maxTurns: 100,
    maxCostUsd: 5,
    pricing: { promptPerMTok: 0, completionPerMTok: 0 },
    budget: { rolloutsPerDay: 100, repoRolloutsPerDay: 100, costPerDayUsd: 100, repoCostPerDayUsd: 100, ...overrides },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 240_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function rolloutRows() {
  const { rollouts } = await import("../../db/schema.js");
  const { asc } = await import("drizzle-orm");
  return database.db.select().from(rollouts).orderBy(asc(rollouts.id));
}

beforeAll(async () => {
  await requireRedis();
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "s" });
  await gh.createRepo(REPO, { files: pythonProject as Record<string, string> });
  gh.addUser("alice", { permissions: { [REPO]: "write" } });
  gh.createIssue(REPO, { title: "add() subtracts", body: "add(1, 2) gives -1", user: "alice" });
  gh.addInstallation({ id: 7, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  models = await startModelDouble();
  models.respondWith(teacherReply, { model: TEACHER });
  queues = new Queues(TEST_REDIS_URL, prefix);
  probot = createProbot(testConfig({ GITHUB_API_URL: gh.url, PRIVATE_KEY: gh.privateKey }), createLogger("silent"), { retries: false });
  deps = {
    db: database.db,
    docker: createDocker(),
    github: async (id) => (await probot.auth(id)) as never,
    baseImage: TEST_BASE_IMAGE,
    limits: { cpus: 1, memoryMb: 1024, pids: 256 },
    workDir: work,
    cacheDir: TEST_CACHE_DIR,
    buildTimeoutMs: 300_000,
    log: createLogger("silent"),
    teacher: teacher(),
    testTimeoutMs: 300_000,
  };
}, 60_000);

afterAll(async () => {
  await pool?.close(1000);
  await queues?.get("trajgen").obliterate({ force: true });
  await queues?.close();
  await models?.close();
  await database?.close();
  await temp?.drop();
  await gh?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("validated task → trajgen → stored trajectories", () => {
  it("enqueues k teacher rollouts, with the rollouts' ids, when the harvest validates a task", async () => {
    await gh.commitFiles(REPO, { branch: "fix-add", from: "main", message: "Make add add", author: "alice", files: pythonFix });
    const pr = await gh.createPullRequest(REPO, { title: "Make add add", body: "Fixes #1", head: "fix-add", user: "alice" });
    await gh.mergePullRequest(REPO, pr.number, { method: "squash", user: "alice" });
    const row = await processHarvest(
      { installationId: 7, repo: REPO, pullNumber: pr.number, settings: harvestSettings(defaultRepoConfig) },
      { ...deps, github: async (id) => (await probot.auth(id)) as never, onValidated: async (task, installationId) => void (await enqueueTrajgen(queues, deps.teacher, task, installationId)) },
    );
    expect(row.status).toBe("valid");
    instanceId = row.instanceId;
    const jobs = await queues.get("trajgen").getJobs(["waiting"]);
    expect(jobs.map((j) => j.id).sort()).toEqual([0, 1, 2].map((i) => `trajgen-${instanceId}-${TEACHER}-r${i}`));
    expect(jobs.map((j) => j.data).sort((a, b) => a.index - b.index)).toEqual(trajgenJobs({ instanceId, repo: REPO }, 7, deps.teacher).map((j) => j.data));
    // Enqueueing again (a re-harvest, a sweep) adds nothing.
    await enqueueTrajgen(queues, deps.teacher, { instanceId, repo: REPO }, 7);
    expect(await queues.get("trajgen").getJobCounts("waiting")).toEqual({ waiting: 3 });
  }, 400_000);

  it("runs them on BullMQ workers and stores each graded rollout with its trajectory, linked to the task", async () => {
    pool = startWorkers({ redisUrl: TEST_REDIS_URL, prefix, concurrency: 3, log: createLogger("silent"), processors: { trajgen: trajgenProcessor(deps) } });
    const rows = await until("three stored teacher rollouts", async () => {
      const r = await rolloutRows();
      return r.length === 3 && r.every((x) => x.status === "done") && r;
    });
    expect(rows.map((r) => [r.id, r.taskInstanceId, r.model, r.outcome])).toEqual([
      [`${instanceId}-${TEACHER}-r0`, instanceId, TEACHER, "resolved"],
      [`${instanceId}-${TEACHER}-r1`, instanceId, TEACHER, "semi-resolved"],
      [`${instanceId}-${TEACHER}-r2`, instanceId, TEACHER, "cheated"],
    ]);
    expect(rows[0]).toMatchObject({ turns: 7, finishReason: "finish" });
    const { getTrajectory } = await import("../../db/fixes.js");
    const t0 = await getTrajectory(database.db, rows[0]!.id);
    const steps = t0?.steps as { action: { tool: string } | null; error: boolean; errorKind?: string }[];
    expect(steps.map((s) => [s.action?.tool, s.errorKind ?? null])).toEqual([
      ["execute_bash", "nonzero-exit"],
      ["execute_bash", "command-not-found"],
      ["str_replace_editor", "editor"],
      ["think", null],
      ["str_replace_editor", null],
      ["execute_bash", null],
      ["finish", null],
    ]);
    // The teacher was asked with the rollout ids, capped at 100 turns.
    expect(new Set(models.chatRequests(TEACHER).map((r) => r.user))).toEqual(new Set(rows.map((r) => r.id)));
    await pool.close(5000);
    pool = undefined;
  }, 400_000);

  it("a job over a budget waits in the delayed set, with no attempt used and no rollout started", async () => {
    const tight = { ...deps, teacher: teacher({ repoRolloutsPerDay: 3 }) };
    const direct = await processTrajgen({ instanceId, repo: REPO, installationId: 7, index: 3, model: TEACHER, rolloutId: `${instanceId}-${TEACHER}-r3` }, tight);
    expect(direct).toMatchObject({ status: "over-budget", reason: `${REPO} started 3 teacher rollout(s) in 24 h (LEGO_TRAJGEN_REPO_ROLLOUTS_PER_DAY is 3)` });
    const oldest = Math.min(...(await rolloutRows()).map((r) => r.createdAt.getTime()));
    expect((direct as { retryAt: Date }).retryAt.getTime()).toBe(oldest + 24 * 3600 * 1000);
    const costly = await processTrajgen({ instanceId, repo: REPO, installationId: 7, index: 3, model: TEACHER, rolloutId: `${instanceId}-${TEACHER}-r3` }, { ...deps, teacher: teacher({ costPerDayUsd: 0 }) });
    expect(costly).toMatchObject({ status: "over-budget", reason: "$0.00 spent on the teacher in 24 h (LEGO_TRAJGEN_COST_PER_DAY_USD is 0)" });

    const [job] = trajgenJobs({ instanceId, repo: REPO }, 7, { model: TEACHER, k: 4 }).slice(3);
    pool = startWorkers({ redisUrl: TEST_REDIS_URL, prefix, concurrency: 1, log: createLogger("silent"), processors: { trajgen: trajgenProcessor(tight) } });
    await queues.add("trajgen", job!.id, job!.data);
    const delayed = await until("the job to be delayed", async () => (await queues.get("trajgen").getJobState(job!.id)) === "delayed");
    expect(delayed).toBe(true);
    const j = await queues.get("trajgen").getJob(job!.id);
    expect(j?.attemptsMade).toBe(0);
    expect((await rolloutRows()).length).toBe(3);
    await pool.close(5000);
    pool = undefined;
  }, 60_000);

  it("retries only infra errors: a rollout the sandbox cannot start is marked and thrown, then recorded as failed", async () => {
    const bad = "acme__calc-broken";
    await upsertTask(database.db, { instanceId: bad, repo: REPO, kind: "synthetic", baseCommit: "0123456789abcdef0123456789abcdef01234567", status: "valid", patch: "", failToPass: ["t"] });
    const data = { instanceId: bad, repo: REPO, installationId: 7, index: 0, model: TEACHER, rolloutId: `${bad}-${TEACHER}-r0` };
    await expect(processTrajgen(data, deps)).rejects.toBeInstanceOf(TrajgenInfraError);
    expect((await rolloutRows()).find((r) => r.id === data.rolloutId)).toMatchObject({ status: "retrying", outcome: "infra-error" });
    await trajgenFailed(data, { error: new Error("sandbox down"), attempts: 3 }, deps);
    expect((await rolloutRows()).find((r) => r.id === data.rolloutId)).toMatchObject({ status: "failed", outcome: "infra-error", outcomeReason: "trajgen gave up after 3 attempt(s): sandbox down" });

    await expect(processTrajgen({ ...data, instanceId: "nope", rolloutId: "nope-r0" }, deps)).rejects.toBeInstanceOf(UnrecoverableError);
    await upsertTask(database.db, { instanceId: "acme__calc-invalid", repo: REPO, kind: "real", baseCommit: "x", status: "invalid" });
    expect(await processTrajgen({ ...data, instanceId: "acme__calc-invalid", rolloutId: "i-r0" }, deps)).toMatchObject({ status: "skipped", reason: "task acme__calc-invalid is invalid, not valid" });
    const again = await processTrajgen({ instanceId, repo: REPO, installationId: 7, index: 0, model: TEACHER, rolloutId: `${instanceId}-${TEACHER}-r0` }, deps);
    expect(again).toMatchObject({ status: "skipped", reason: `rollout ${instanceId}-${TEACHER}-r0 is already stored` });
  }, 120_000);
});
