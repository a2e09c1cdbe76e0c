// The training-data chain end to end on the real database, Redis and Docker engine: a merged PR
// is harvested into a validated task, which enqueues its teacher rollouts on `trajgen`; BullMQ
// workers run them with the model double as the teacher; the graded trajectories are stored and
// then exported by `lego export sft|verifier`, whose files are checked exactly.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { UnrecoverableError } from "bullmq";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { getTask, upsertTask } from "../../db/tasks.js";
import { createDocker } from "../../sandbox/docker.js";
import { createProbot } from "../../src/github/probot.js";
import { createLogger } from "../../src/logger.js";
import { Queues } from "../../src/queue.js";
import { defaultRepoConfig, harvestSettings } from "../../src/repo-config.js";
import { startWorkers, type WorkerPool } from "../../src/runtime/workers.js";
import { JUDGE_SYSTEM_PROMPT, judgeExample } from "../../src/verifier/prompt.js";
import { enqueueTrajgen, trajgenJobs } from "../../src/trajgen/enqueue.js";
import { addModelVersion, promoteModelVersion } from "../../db/model-versions.js";
import { fixedTeacher, type Teacher, teacherSource } from "../../src/trajgen/teacher.js";
import { processHarvest } from "../../workers/harvest.js";
import { processTrajgen, TrajgenInfraError, type TrajgenDeps, trajgenFailed, trajgenProcessor } from "../../workers/trajgen.js";
import { pythonFix, pythonProject } from "../support/fixture-repos.js";
import { runLego } from "../support/lego-process.js";
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
    source: "teacher",
    version: null,
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
    teacher: fixedTeacher(teacher()),
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
      { ...deps, github: async (id) => (await probot.auth(id)) as never, onValidated: async (task, installationId) => void (await enqueueTrajgen(queues, teacher(), task, installationId)) },
    );
    expect(row.status).toBe("valid");
    instanceId = row.instanceId;
    const jobs = await queues.get("trajgen").getJobs(["waiting"]);
    expect(jobs.map((j) => j.id).sort()).toEqual([0, 1, 2].map((i) => `trajgen-${instanceId}-${TEACHER}-r${i}`));
    expect(jobs.map((j) => j.data).sort((a, b) => a.index - b.index)).toEqual(trajgenJobs({ instanceId, repo: REPO }, 7, teacher()).map((j) => j.data));
    // Enqueueing again (a re-harvest, a sweep) adds nothing.
    await enqueueTrajgen(queues, teacher(), { instanceId, repo: REPO }, 7);
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
    // Three graded rollouts are too few for a solve rate: the harvest's difficulty label stays.
    expect((await getTask(database.db, instanceId))?.difficulty).toBe("easy");
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
    const tight = { ...deps, teacher: fixedTeacher(teacher({ repoRolloutsPerDay: 3 })) };
    const direct = await processTrajgen({ instanceId, repo: REPO, installationId: 7, index: 3, model: TEACHER, rolloutId: `${instanceId}-${TEACHER}-r3` }, tight);
    expect(direct).toMatchObject({ status: "over-budget", reason: `${REPO} started 3 teacher rollout(s) in 24 h (LEGO_TRAJGEN_REPO_ROLLOUTS_PER_DAY is 3)` });
    const oldest = Math.min(...(await rolloutRows()).map((r) => r.createdAt.getTime()));
    expect((direct as { retryAt: Date }).retryAt.getTime()).toBe(oldest + 24 * 3600 * 1000);
    const costly = await processTrajgen({ instanceId, repo: REPO, installationId: 7, index: 3, model: TEACHER, rolloutId: `${instanceId}-${TEACHER}-r3` }, { ...deps, teacher: fixedTeacher(teacher({ costPerDayUsd: 0 })) });
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

  it("with no teacher set, the promoted version serves trajgen, read per job, and is recorded on the rollout", async () => {
    const SERVED = "lego-v2-served";
    models.respondWith(teacherReply, { model: SERVED });
    const noTeacher = { ...deps, teacher: teacherSource(testConfig({ LEGO_TRAJGEN_K: "1" }), database.db) };
    const data = (model: string, index: number) => ({ instanceId, repo: REPO, installationId: 7, index, model, rolloutId: `${instanceId}-${model}-r${index}` });
    // Nothing promoted and no LEGO_POLICY_BASE_URL: no model, the job is skipped.
    expect(await processTrajgen(data(SERVED, 0), noTeacher)).toMatchObject({ status: "skipped", reason: expect.stringContaining("no model makes trajectories now") });

    const { version } = await addModelVersion(database.db, { name: "lego-v2", endpoint: models.baseURL, servedModel: SERVED });
    await promoteModelVersion(database.db, version.id);
    // A job enqueued for the old teacher is skipped with the reason; the sweep enqueues the current model's.
    expect(await processTrajgen(data(TEACHER, 3), noTeacher)).toMatchObject({ status: "skipped", reason: `enqueued for ${TEACHER}, but trajgen is now served by ${SERVED}, promoted version lego-v2; the trajgen-sweep enqueues its rollouts` });
    expect(await processTrajgen(data(SERVED, 0), noTeacher)).toMatchObject({ status: "done", outcome: "resolved" });
    const row = (await rolloutRows()).find((r) => r.id === `${instanceId}-${SERVED}-r0`);
    expect(row).toMatchObject({ model: SERVED, modelVersionId: version.id, status: "done", outcome: "resolved" });
    expect(models.chatRequests(SERVED).map((r) => r.user)).toContain(row!.id);
    // The explicit teacher's rollouts carry no version.
    expect((await rolloutRows()).filter((r) => r.model === TEACHER && r.status === "done").every((r) => r.modelVersionId === null)).toBe(true);
    // The exports below check the teacher's rollouts exactly: this one is removed, and the registry emptied.
    const { rollouts, trajectories, modelVersions } = await import("../../db/schema.js");
    const { eq } = await import("drizzle-orm");
    await database.db.delete(trajectories).where(eq(trajectories.rolloutId, row!.id));
    await database.db.delete(rollouts).where(eq(rollouts.id, row!.id));
    await database.db.delete(modelVersions).where(eq(modelVersions.id, version.id));
  }, 400_000);
});

describe("stored trajectories → lego export sft (both formats) and verifier, a held-out task excluded", () => {
  const REPO2 = "acme/calc2";
  let heldOut = "";

  function lego(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const proc = runLego(args, { DATABASE_URL: temp.url, LEGO_DATA_DIR: path.join(work, "cli"), REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: "silent" }, work);
    let stdout = "";
    let stderr = "";
    proc.stdout?.on("data", (d) => (stdout += d));
    proc.stderr?.on("data", (d) => (stderr += d));
    return new Promise((resolve) => proc.once("exit", (code) => resolve({ code, stdout, stderr })));
  }

  it("a second repository's task gets its teacher rollouts too, and is then held out", async () => {
    await gh.createRepo(REPO2, { files: pythonProject as Record<string, string> });
    gh.addUser("alice", { permissions: { [REPO]: "write", [REPO2]: "write" } });
    gh.createIssue(REPO2, { title: "add() is wrong", body: "add(2, 2) gives 0", user: "alice" });
    gh.addInstallation({ id: 8, account: { login: "acme2", type: "Organization" }, repositories: [REPO2] });
    const fix = { ...pythonFix, "calc/ops.py": (pythonFix["calc/ops.py"] as string).replace("return a + b", "return b + a") };
    await gh.commitFiles(REPO2, { branch: "fix-add", from: "main", message: "Make add add", author: "alice", files: fix });
    const pr = await gh.createPullRequest(REPO2, { title: "Make add add", body: "Fixes #1", head: "fix-add", user: "alice" });
    await gh.mergePullRequest(REPO2, pr.number, { method: "squash", user: "alice" });
    const row = await processHarvest(
      { installationId: 8, repo: REPO2, pullNumber: pr.number, settings: harvestSettings(defaultRepoConfig) },
      { ...deps, github: async (id) => (await probot.auth(id)) as never, onValidated: async (task, installationId) => void (await enqueueTrajgen(queues, teacher(), task, installationId)) },
    );
    expect(row.status).toBe("valid");
    heldOut = row.instanceId;
    pool = startWorkers({ redisUrl: TEST_REDIS_URL, prefix, concurrency: 3, log: createLogger("silent"), processors: { trajgen: trajgenProcessor(deps) } });
    await until("the second task's rollouts", async () => (await rolloutRows()).filter((r) => r.taskInstanceId === heldOut && r.status === "done").length === 3);
    await pool.close(5000);
    pool = undefined;
    writeFileSync(path.join(work, "heldout.txt"), `${heldOut}\n`);
    const r = await lego(["holdout", "add", path.join(work, "heldout.txt")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }, 400_000);

  const STEP_TOOLS = ["execute_bash", "execute_bash", "str_replace_editor", "think", "str_replace_editor", "execute_bash", "finish"];
  type Msg = { role: string; content: string; turn_mask?: boolean; weight?: number };
  const rows = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { messages: Msg[] });
  const assistants = (m: Msg[]) => m.filter((x) => x.role === "assistant");
  const maskedAt = (m: Msg[]) => assistants(m).flatMap((x, i) => (x.turn_mask ? [i] : []));

  /** Every file but the manifest is listed with its size and sha256, and nothing else is. */
  function checkManifestFiles(dir: string): Record<string, unknown> {
    const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { files: { path: string; bytes: number; sha256: string }[] };
    expect(manifest.files.map((f) => f.path).sort()).toEqual(readdirSync(dir).filter((f) => f !== "manifest.json").sort());
    for (const f of manifest.files) {
      const bytes = readFileSync(path.join(dir, f.path));
      expect({ path: f.path, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") }).toEqual({ path: f.path, bytes: f.bytes, sha256: f.sha256 });
    }
    return manifest as unknown as Record<string, unknown>;
  }

  /** System, then user/assistant strictly alternating, ending with the assistant. */
  function checkAlternation(m: Msg[]): void {
    expect(m[0]?.role).toBe("system");
    m.slice(1).forEach((x, i) => expect(x.role).toBe(i % 2 === 0 ? "user" : "assistant"));
    expect(m.at(-1)?.role).toBe("assistant");
  }

  let sftMessages: Msg[] = [];

  it("sft --format llamafactory: sharegpt rows that alternate, turn_mask on exactly the failed actions, the recipe's YAML, hashes in the manifest", async () => {
    const out = path.join(work, "sft");
    const r = await lego(["export", "sft", "--format", "llamafactory", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`SFT export in ${out}: 1 record(s) (easy 1, medium 0, hard 0); excluded: 1 outcome:semi-resolved, 1 outcome:cheated, 3 holdout:instance-id`);
    expect(readdirSync(out).sort()).toEqual(["dataset_info.json", "excluded.jsonl", "lego_sft_easy.jsonl", "manifest.json", "stage1.yaml", "train.yaml"]);
    const [row, ...more] = rows(path.join(out, "lego_sft_easy.jsonl"));
    expect(more).toEqual([]);
    const m = row!.messages;
    checkAlternation(m);
    for (const x of m) expect(Object.keys(x).every((k) => ["role", "content", "turn_mask"].includes(k)) && (x.turn_mask === undefined || (x.turn_mask === true && x.role === "assistant"))).toBe(true);
    expect(m[1]!.content).toContain("add() subtracts\n\nadd(1, 2) gives -1");
    // One assistant message per step, each the step's action as an OpenHands function block.
    expect(assistants(m).map((x) => /^<function=([a-z_]+)>/.exec(x.content)?.[1])).toEqual(STEP_TOOLS);
    // The command that was not found and the editor's missing old_str; not the assertion that failed because add() is wrong.
    expect(maskedAt(m)).toEqual([1, 2]);
    sftMessages = m;

    expect(JSON.parse(readFileSync(path.join(out, "dataset_info.json"), "utf8"))).toEqual({
      lego_sft_easy: { file_name: "lego_sft_easy.jsonl", formatting: "sharegpt", columns: { messages: "messages" }, tags: { role_tag: "role", content_tag: "content", user_tag: "user", assistant_tag: "assistant", system_tag: "system" } },
    });
    const recipe = { finetuning_type: "full", deepspeed: "examples/deepspeed/ds_z3_config.json", template: "qwen3_nothink", cutoff_len: 131072, rope_scaling: "yarn", num_train_epochs: 4, lr_scheduler_type: "cosine", warmup_ratio: 0.1, weight_decay: 0.01, max_grad_norm: 1, per_device_train_batch_size: 1, gradient_accumulation_steps: 8, bf16: true, turn_mask: true, learning_rate: 1e-4, model_name_or_path: "Qwen/Qwen3-8B", dataset_dir: out };
    expect(parseYaml(readFileSync(path.join(out, "train.yaml"), "utf8"))).toMatchObject({ ...recipe, dataset: "lego_sft_easy", output_dir: "saves/lego_sft/full" });
    expect(parseYaml(readFileSync(path.join(out, "stage1.yaml"), "utf8"))).toMatchObject({ ...recipe, dataset: "lego_sft_easy", output_dir: "saves/lego_sft/stage1-easy" });

    const manifest = checkManifestFiles(out);
    expect(manifest).toMatchObject({
      kind: "sft",
      format: "llamafactory",
      task_ids: [instanceId],
      rollout_ids: [`${instanceId}-${TEACHER}-r0`],
      models: [TEACHER],
      counts: { records: 1, by_tier: { easy: 1, medium: 0, hard: 0 }, by_outcome: { resolved: 1 }, assistant_turns: 7, masked_turns: 2, excluded: { "outcome:semi-resolved": 1, "outcome:cheated": 1, "holdout:instance-id": 3 }, excluded_tasks: { "holdout:instance-id": 1 } },
    });
    expect(readFileSync(path.join(out, "excluded.jsonl"), "utf8")).toContain(`{"task":"${heldOut}","reason":"holdout:instance-id","detail":"${heldOut} is held out for evaluation (instance-id)"}`);
    expect(readFileSync(path.join(out, "lego_sft_easy.jsonl"), "utf8")).not.toContain("add(2, 2) gives 0");
  }, 120_000);

  it("sft --format openai: the same conversation, weight 0 on exactly the masked assistant messages", async () => {
    const out = path.join(work, "oai");
    const r = await lego(["export", "sft", "--format", "openai", "--out", out]);
    expect(r.code).toBe(0);
    const [row, ...more] = rows(path.join(out, "lego_sft.jsonl"));
    expect(more).toEqual([]);
    const m = row!.messages;
    checkAlternation(m);
    expect(assistants(m).map((x) => x.weight)).toEqual([1, 0, 0, 1, 1, 1, 1]);
    expect(m.filter((x) => x.role !== "assistant").every((x) => !("weight" in x) && !("turn_mask" in x))).toBe(true);
    expect(m.map(({ weight: _w, ...x }) => x)).toEqual(sftMessages.map(({ turn_mask: _t, ...x }) => x));
    expect(checkManifestFiles(out)).toMatchObject({ format: "openai", counts: { records: 1, masked_turns: 2, excluded: { "holdout:instance-id": 3 } } });
  }, 120_000);

  it("curriculum: tiers by assistant turns, stage YAMLs that start from the previous stage, the 32B learning rate; --mask all-nonzero", async () => {
    const out = path.join(work, "sft-tiers");
    const r = await lego(["export", "sft", "--out", out, "--include", "semi-resolved", "--per-task", "2", "--tiers", "3,6", "--base-model", "Qwen/Qwen3-32B", "--mask", "all-nonzero"]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(`SFT export in ${out}: 2 record(s) (easy 1, medium 0, hard 1); excluded: 1 outcome:cheated, 3 holdout:instance-id`);
    expect(rows(path.join(out, "lego_sft_easy.jsonl")).map((x) => assistants(x.messages).length)).toEqual([2]);
    const [hard] = rows(path.join(out, "lego_sft_hard.jsonl"));
    expect(maskedAt(hard!.messages)).toEqual([0, 1, 2]);
    const manifest = checkManifestFiles(out) as { stages: { name: string; yaml: string; output_dir: string; starts_from: string }[] };
    expect(manifest).toMatchObject({ counts: { by_tier: { easy: 1, medium: 0, hard: 1 }, by_outcome: { resolved: 1, "semi-resolved": 1 }, masked_turns: 3 } });
    expect(manifest.stages.map((st) => st.name)).toEqual(["easy", "all"]);
    const [s1, s3] = manifest.stages.map((st) => parseYaml(readFileSync(path.join(out, st.yaml), "utf8")) as Record<string, unknown>);
    expect(s1).toMatchObject({ model_name_or_path: "Qwen/Qwen3-32B", dataset: "lego_sft_easy", learning_rate: 5e-5 });
    expect(s3).toMatchObject({ model_name_or_path: s1!.output_dir, dataset: "lego_sft_easy,lego_sft_hard", learning_rate: 5e-5 });
    expect(manifest.stages[1]!.starts_from).toBe(manifest.stages[0]!.output_dir);
  }, 120_000);

  it("verifier: the judge's own prompt and the stored trajectory, YES / NO from the tests, balanced, the held-out task excluded", async () => {
    const out = path.join(work, "verifier");
    const r = await lego(["export", "verifier", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`verifier export in ${out}: 2 record(s) (YES 1, NO 1); excluded: 1 balance, 3 holdout:instance-id`);
    const labels = readFileSync(path.join(out, "labels.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
    expect(labels).toEqual([
      { task: instanceId, rollout: `${instanceId}-${TEACHER}-r0`, label: "YES", source: "tests", outcome: "resolved" },
      { task: instanceId, rollout: `${instanceId}-${TEACHER}-r1`, label: "NO", source: "tests", outcome: "semi-resolved" },
    ]);
    const { getTrajectory } = await import("../../db/fixes.js");
    const { getTask } = await import("../../db/tasks.js");
    const task = await getTask(database.db, instanceId);
    const stored = await Promise.all(labels.map(async (l) => ({ t: await getTrajectory(database.db, l.rollout as string), patch: (await rolloutRows()).find((x) => x.id === l.rollout)!.patch! })));
    // Exactly what src/verifier/ sends at inference for the same rollout, plus the answer.
    expect(rows(path.join(out, "lego_verifier.jsonl"))).toEqual(
      stored.map((s, i) => judgeExample({ problemStatement: task!.problemStatement, messages: s.t!.messages as never, patch: s.patch }, labels[i]!.label === "YES")),
    );
    const [yes] = rows(path.join(out, "lego_verifier.jsonl"));
    expect(yes!.messages.map((x) => x.role)).toEqual(["system", "user", "assistant"]);
    expect(yes!.messages[0]!.content).toBe(JUDGE_SYSTEM_PROMPT);
    expect(yes!.messages[1]!.content).toMatch(/=== FINAL PATCH ===[\s\S]*\+    return a \+ b/);
    expect(yes!.messages[2]!.content).toBe("<judgement>YES</judgement>");
    expect(checkManifestFiles(out)).toMatchObject({ kind: "verifier", task_ids: [instanceId], counts: { records: 2, by_label: { YES: 1, NO: 1 }, by_label_source: { tests: 2 }, excluded: { balance: 1, "holdout:instance-id": 3 } } });
  }, 120_000);
});
