// The Docker engine restarted under running work, on a private dockerd (its own socket, data
// root and network namespace; the shared engine is only read once, to save the base image):
// the work in flight fails as an infra error with a reason, the teardown attempted while the
// engine is down is recorded instead of lost, the sweep after the restart leaves no labelled
// container, and the same work retried on the restarted engine succeeds.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type Docker from "dockerode";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../sandbox/container.js";
import { createDocker } from "../../sandbox/docker.js";
import { SANDBOX_LABEL } from "../../sandbox/labels.js";
import { sweepSandboxes } from "../../sandbox/reaper.js";
import { migrate, openDatabase } from "../../db/client.js";
import { createLogger } from "../../src/logger.js";
import { gradedRollout } from "../../src/fix/graded-rollout.js";
import type { TaskInstance } from "../../src/tasks/swebench.js";
import { failedTeardowns } from "../../sandbox/teardown.js";
import { prepareRepoAtBase } from "../../sandbox/git-history.js";
import { detectEnvironment } from "../../src/environment/detect.js";
import { snapshotAt } from "../../src/environment/snapshot.js";
import type { EnvironmentPlan } from "../../src/environment/types.js";
import { baselineTests, checkCandidate } from "../../src/fix/checks.js";
import { validateTask } from "../../src/validation/validate.js";
import { checkInfraRetry } from "../../workers/rollout.js";
import { getTask } from "../../db/tasks.js";
import { instanceIdFor } from "../../src/harvest/candidate.js";
import { createProbot } from "../../src/github/probot.js";
import { defaultJobOptions, Queues } from "../../src/queue.js";
import { defaultRepoConfig, harvestSettings } from "../../src/repo-config.js";
import { startWorkers } from "../../src/runtime/workers.js";
import { harvestFailed, processHarvest } from "../../workers/harvest.js";
import { trajgenProcessor } from "../../workers/trajgen.js";
import { getRolloutStatus } from "../../db/trajgen.js";
import { enqueueTrajgenNow, trajgenJobs } from "../../src/trajgen/enqueue.js";
import { fixedTeacher, teacherFrom } from "../../src/trajgen/teacher.js";
import { type FixtureTask, repoWithFix } from "../support/fixture-repos.js";
import { startGitHubDouble } from "../support/github-double/index.js";
import { requireRedis, TEST_REDIS_URL } from "../support/services.js";
import { testConfig, testPrivateKey, uniquePrefix } from "../support/test-config.js";
import { startModelDouble } from "../support/model-double.js";
import { createTempDatabase } from "../support/pg.js";
import { PrivateDockerd, sleep } from "../support/private-services.js";
import { TEST_BASE_IMAGE, TEST_CACHE_DIR } from "../support/services.js";

/** A missing dockerd, unshare, root or base image fails the suite with what to do, never skips it. */
function requirePrivateDockerd(): void {
  if (process.getuid?.() !== 0) throw new Error("the private dockerd needs root (dockerd, unshare --net)");
  try {
    execFileSync("sh", ["-c", "command -v dockerd && command -v unshare"], { stdio: "ignore" });
  } catch {
    throw new Error("dockerd or unshare not found: run `bash deploy/provision.sh` (Docker engine, util-linux)");
  }
  try {
    execFileSync("docker", ["-H", "unix:///var/run/docker.sock", "image", "inspect", TEST_BASE_IMAGE], { stdio: "ignore" });
  } catch {
    throw new Error(`${TEST_BASE_IMAGE} is not on the shared engine: run \`bash deploy/build-base-image.sh\``);
  }
}

const labelled = async (docker: Docker) => (await docker.listContainers({ all: true, filters: { label: [`${SANDBOX_LABEL}=1`] } })).length;

// A unittest project whose suite takes a few seconds, so a restart lands while it runs.
const TESTS = (withAdd: boolean) => `import time
import unittest
from calc.ops import ${withAdd ? "add, " : ""}mul


class Ops(unittest.TestCase):
    def test_mul(self):
        time.sleep(4)
        self.assertEqual(mul(2, 3), 6)
${withAdd ? "\n    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n" : ""}`;
const project = {
  "tox.ini": "[testenv]\ncommands = python -m unittest discover -s tests\n",
  "calc/__init__.py": "",
  "calc/ops.py": "def mul(a, b):\n    return a * b\n\n\ndef add(a, b):\n    return a - b\n",
  "tests/__init__.py": "",
  "tests/test_ops.py": TESTS(false),
};
const fix = { "calc/ops.py": "def mul(a, b):\n    return a * b\n\n\ndef add(a, b):\n    return a + b\n", "tests/test_ops.py": TESTS(true) };

/** Containers whose role label starts with `role` (e.g. the validation's, not the environment build's). */
const withRole = async (docker: Docker, role: string) =>
  (await docker.listContainers({ filters: { label: [`${SANDBOX_LABEL}=1`] } })).filter((c) => (c.Labels["org.legofactory.role"] ?? "").startsWith(role)).length;

/** Restarts the daemon once a labelled container has run for `afterMs`; resolves when it is back. */
async function restartWhileRunning(dockerd: PrivateDockerd, docker: Docker, afterMs: number): Promise<void> {
  for (let i = 0; i < 600 && (await labelled(docker)) === 0; i++) await sleep(100);
  await sleep(afterMs);
  await dockerd.restart();
}

/**
 * Scripts the model double as an agent: look, a slow command (`sleep 5`), apply `patch`, finish.
 * Resolves when a rollout reaches the slow command, so a restart can land in it.
 */
function scriptAgent(model: { respondWith: Awaited<ReturnType<typeof startModelDouble>>["respondWith"] }, patch: string): Promise<void> {
  let sleeping: () => void = () => undefined;
  const asleep = new Promise<void>((resolve) => (sleeping = resolve));
  model.respondWith((req) => {
    const turn = req.messages.filter((m) => m.role === "assistant").length;
    const steps = [
      { name: "execute_bash", arguments: { command: "echo started" } },
      { name: "execute_bash", arguments: { command: "sleep 5; echo slept" } },
      { name: "execute_bash", arguments: { command: `cat > /tmp/fix.diff <<'LEGO_EOF'\n${patch}LEGO_EOF\ngit apply /tmp/fix.diff && git status --short` } },
      { name: "finish", arguments: { message: "add() now adds" } },
    ];
    if (turn === 1) sleeping();
    return { toolCalls: [steps[Math.min(turn, steps.length - 1)]!] };
  });
  return asleep;
}

/** One try: its result, or the error it failed with (what the queue would retry). */
const settle = <T>(p: Promise<T>) => p.then((value) => ({ value }), (error: Error) => ({ error }));

describe("a Docker daemon restarted mid-run (private dockerd)", () => {
  const dockerd = new PrivateDockerd();
  let docker: Docker;

  beforeAll(async () => {
    requirePrivateDockerd();
    await dockerd.start();
    dockerd.loadImage(TEST_BASE_IMAGE);
    docker = createDocker({ DOCKER_HOST: dockerd.host });
  }, 180_000);

  let work: string;
  let task: FixtureTask;
  let plan: EnvironmentPlan;
  let repoDir: string;
  let repoHead: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), "lego-docker-restart-"));
    task = repoWithFix(path.join(work, "calc"), project, fix);
    const detected = detectEnvironment(await snapshotAt(task.dir, task.base));
    if ("error" in detected) throw new Error(detected.error);
    plan = detected;
    repoDir = path.join(work, "calc-at-base");
    repoHead = await prepareRepoAtBase(task.dir, task.base, repoDir);
  });

  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    await dockerd.remove();
  }, 60_000);

  it("fails the exec in flight, records the teardown it could not do, sweeps to zero, and runs again", async () => {
    const sandbox = await Sandbox.create(docker, { image: TEST_BASE_IMAGE, labels: { "org.legofactory.role": "restart-test" } });
    const inFlight = sandbox.exec("echo started; sleep 60; echo finished", { timeoutMs: 90_000 }).then(
      (result) => ({ result }),
      (error: Error) => ({ error }),
    );
    await sleep(1500);
    await dockerd.stop();
    const outcome = await inFlight;
    // Either the call rejects (the engine went away under it) or the command was killed: never a clean finish.
    if ("result" in outcome) {
      expect(outcome.result.stdout).not.toContain("finished");
      expect(outcome.result.exitCode).not.toBe(0);
    } else {
      expect(outcome.error.message).not.toBe("");
    }
    // Torn down while the engine is down: not thrown, recorded with the reason.
    expect(await sandbox.destroy({ tries: 2, sleep: async () => { await sleep(50); } })).toBe(false);
    expect(failedTeardowns()).toMatchObject([{ containerId: sandbox.id, reason: expect.stringMatching(/removal failed 2 time\(s\)/) }]);

    await dockerd.start();
    const swept = await sweepSandboxes(docker);
    expect(swept.stillFailing).toEqual([]);
    expect(failedTeardowns()).toEqual([]);
    expect(await labelled(docker)).toBe(0);

    // The retry, on the restarted engine (same data root: the image is still there).
    const again = await Sandbox.create(docker, { image: TEST_BASE_IMAGE, labels: { "org.legofactory.role": "restart-test" } });
    const result = await again.exec("echo started; echo finished", { timeoutMs: 30_000 });
    expect(result).toMatchObject({ exitCode: 0, stdout: "started\nfinished\n" });
    expect(await again.destroy()).toBe(true);
    expect(await labelled(docker)).toBe(0);
    console.log(JSON.stringify({ inFlight: "result" in outcome ? { exitCode: outcome.result.exitCode } : { error: outcome.error.message.slice(0, 200) }, swept }));
  }, 180_000);

  it("validation: the try the restart hits fails with a reason, the retry validates, nothing is left", async () => {
    const opts = { docker, image: TEST_BASE_IMAGE, plan, repoDir, repoHead, runs: 1, scope: "all" as const, timeoutMs: 60_000, labels: { "org.legofactory.role": "restart-test" } };
    const [first] = await Promise.all([settle(validateTask(task, opts)), restartWhileRunning(dockerd, docker, 1500)]);
    // Not valid, and not an invalid verdict on the task either: a sandbox failure, with its reason.
    const reason = "error" in first ? first.error.message : first.value.reason;
    // A restart landing in the upload of the tree can also be the engine's 500 ("Error processing tar file").
    expect(reason).toMatch(/ENOENT|ECONNREFUSED|socket hang up|EPIPE|ECONNRESET|not running|no longer running|no longer exists|exit 137|no such container|HTTP code 404|HTTP code 500/i);
    await sweepSandboxes(docker);
    expect(await labelled(docker)).toBe(0);
    const second = await validateTask(task, opts);
    expect(second).toMatchObject({ valid: true, reason: null, failToPass: ["tests.test_ops.Ops.test_add"], passToPass: ["tests.test_ops.Ops.test_mul"] });
    expect(await labelled(docker)).toBe(0);
    console.log(JSON.stringify({ validation: { firstTry: String(reason).slice(0, 200), retry: "valid" } }));
  }, 180_000);

  it("rollout check: a check the restart hits is retried (thrown, or infraError → checkInfraRetry), the retry grades it", async () => {
    const opts = { docker, image: TEST_BASE_IMAGE, plan, repoDir, repoHead, timeoutMs: 60_000, labels: { "org.legofactory.role": "restart-test" } };
    const baseline = await baselineTests(opts);
    expect(baseline.passed).toEqual(["tests.test_ops.Ops.test_mul"]);
    const [first] = await Promise.all([settle(checkCandidate(opts, task.patch, baseline)), restartWhileRunning(dockerd, docker, 1500)]);
    const retryReason = "error" in first ? first.error.message : checkInfraRetry(first.value);
    expect(retryReason).not.toBeNull();
    await sweepSandboxes(docker);
    expect(await labelled(docker)).toBe(0);
    const second = await checkCandidate(opts, task.patch, baseline);
    expect(checkInfraRetry(second)).toBeNull();
    expect(second).toMatchObject({ editsTests: false, breaks: [], passed: ["tests.test_ops.Ops.test_mul"] });
    expect(await labelled(docker)).toBe(0);
    console.log(JSON.stringify({ rolloutCheck: { firstTry: String(retryReason).slice(0, 200), retry: "graded" } }));
  }, 180_000);

  it("rollout agent phase: a restart during the agent's `sleep 5` is infra-error (not shown to the model), the next rollout grades", async () => {
    const temp = await createTempDatabase();
    const database = await openDatabase({ url: temp.url, dataDir: "unused" });
    const model = await startModelDouble({ models: ["policy"] });
    try {
      await migrate(database);
      // A scripted policy: look, a slow command (the restart lands in it), apply the fix, finish.
      const asleep = scriptAgent(model, task.patch);
      const instance: TaskInstance = {
        instance_id: "local__calc-1", repo: "local/calc", base_commit: task.base, patch: task.patch, test_patch: task.testPatch,
        problem_statement: "add() subtracts", hints_text: "", FAIL_TO_PASS: ["tests.test_ops.Ops.test_add"], PASS_TO_PASS: ["tests.test_ops.Ops.test_mul"], kind: "real",
      };
      const limits = { cpus: 1, memoryMb: 1024, pids: 256 };
      const deps = {
        docker, limits, testTimeoutMs: 60_000, scratch: work, cloneOf: async () => task.dir,
        envDeps: { db: database.db, docker, baseImage: TEST_BASE_IMAGE, dataDir: work, cacheDir: TEST_CACHE_DIR, buildTimeoutMs: 300_000, limits, log: createLogger("silent") },
      };
      const agent = { client: new OpenAI({ baseURL: model.baseURL, apiKey: "k", maxRetries: 0 }), model: "policy", mode: "tools" as const, maxTurns: 6 };
      const [first] = await Promise.all([
        gradedRollout(deps, instance, "restart-r0", agent),
        asleep.then(async () => { await sleep(1500); await dockerd.restart(); }),
      ]);
      expect(first.outcome).toBe("infra-error");
      expect(first.outcomeReason).toMatch(/sandbox|engine|container/i);
      // The killed command never reached the model as a command that failed.
      expect(first.trajectory.steps.map((s) => s.observation).join("\n")).not.toMatch(/exit code (137|-1)|slept/);
      await sweepSandboxes(docker);
      expect(await labelled(docker)).toBe(0);

      const second = await gradedRollout(deps, instance, "restart-r1", agent);
      expect(second).toMatchObject({ outcome: "resolved" });
      expect(second.trajectory.finishReason).not.toBe("sandbox-error");
      expect(await labelled(docker)).toBe(0);
      console.log(JSON.stringify({ rolloutAgent: { firstTry: first.outcomeReason.slice(0, 200), retry: second.outcome } }));
    } finally {
      await model.close();
      await database.close();
      await temp.drop();
    }
  }, 240_000);
  it("the worker queues: a restart mid-validation and one mid-rollout each fail that attempt, BullMQ retries it, the task is stored valid and its teacher rollout resolved, nothing is left", async () => {
    await requireRedis();
    const REPO = "acme/calc";
    const gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "s" });
    const temp = await createTempDatabase();
    const database = await openDatabase({ url: temp.url, dataDir: "unused" });
    const model = await startModelDouble({ models: ["teacher"] });
    const prefix = uniquePrefix();
    const queues = new Queues(TEST_REDIS_URL, prefix);
    const attempts: Record<string, string[]> = { harvest: [], trajgen: [] };
    let pool: ReturnType<typeof startWorkers> | undefined;
    try {
      await migrate(database);
      await gh.createRepo(REPO, { files: project });
      gh.addUser("alice", { permissions: { [REPO]: "write" } });
      gh.createIssue(REPO, { title: "add() subtracts", body: "add(2, 3) gives -1", user: "alice" });
      gh.addInstallation({ id: 7, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
      await gh.commitFiles(REPO, { branch: "fix-add", from: "main", message: "add adds", author: "alice", files: fix });
      const pr = await gh.createPullRequest(REPO, { title: "Make add add", body: "Fixes #1", head: "fix-add", user: "alice" });
      await gh.mergePullRequest(REPO, pr.number, { method: "squash", user: "alice" });
      const probot = createProbot(testConfig({ GITHUB_API_URL: gh.url, PRIVATE_KEY: gh.privateKey }), createLogger("silent"), { retries: false });
      const deps = {
        db: database.db, docker, github: async (id: number) => (await probot.auth(id)) as never, baseImage: TEST_BASE_IMAGE,
        limits: { cpus: 1, memoryMb: 1024, pids: 256 }, workDir: work, cacheDir: TEST_CACHE_DIR, buildTimeoutMs: 300_000, log: createLogger("silent"),
      };
      // The teacher, scripted: look, a slow command (the second restart lands in it, on the first
      // rollout only), apply the PR's fix, finish.
      let restartedInRollout = false;
      const asleep = scriptAgent(model, task.patch);
      const config = testConfig({ LEGO_TEACHER_BASE_URL: model.baseURL, LEGO_TEACHER_MODEL: "teacher", LEGO_TRAJGEN_K: "1", LEGO_TRAJGEN_MAX_TURNS: "6" });
      const teachers = fixedTeacher(teacherFrom(config, null, (baseURL, apiKey) => new OpenAI({ baseURL, apiKey: apiKey ?? "k", maxRetries: 0 })));
      const finals: string[] = [];
      const trajgenDone = new Promise<void>((resolve, reject) => {
        // The workers as `lego worker` runs them: each processor behind its queue's retry policy,
        // the harvest's onValidated enqueueing the teacher rollouts as src/runtime/queues.ts does.
        pool = startWorkers({
          redisUrl: TEST_REDIS_URL, prefix, concurrency: 1, log: createLogger("silent"),
          processors: {
            harvest: (data) => processHarvest(data, { ...deps, onValidated: async (t, installationId) => void (await enqueueTrajgenNow(queues, teachers, t, installationId)) }),
            trajgen: trajgenProcessor({ ...deps, teacher: teachers, testTimeoutMs: 60_000 }),
          },
          onFinalFailure: async (q, job, err) => {
            finals.push(`${q}: ${err.message}`);
            if (q === "harvest") await harvestFailed(job.data as never, { error: err, attempts: job.attemptsMade }, deps);
            reject(new Error(`the ${q} job failed for good: ${err.message}`));
          },
        });
        for (const [i, q] of (["harvest", "trajgen"] as const).entries()) pool.workers[i]!.on("failed", (_job, err) => void attempts[q]!.push(err.message));
        pool.workers[1]!.on("completed", () => resolve());
      });
      const data = { installationId: 7, repo: REPO, pullNumber: pr.number, settings: harvestSettings(defaultRepoConfig) };
      await queues.add("harvest", "restart-harvest", data, defaultJobOptions);
      // The first restart lands while a validation container runs the suite (not the environment build).
      for (let i = 0; i < 3000 && (await withRole(docker, "validate")) === 0; i++) await sleep(100);
      await sleep(1500);
      await dockerd.restart();
      // The second while the teacher's first rollout runs its `sleep 5`.
      await asleep;
      await sleep(1500);
      await dockerd.restart();
      restartedInRollout = true;
      await trajgenDone;
      expect(restartedInRollout).toBe(true);
      expect(finals).toEqual([]);
      const harvestJob = await queues.get("harvest").getJob("restart-harvest");
      // The attempt the restart hit failed with the engine's error (not an invalid verdict), the retry validated.
      expect(attempts.harvest!.length).toBeGreaterThanOrEqual(1);
      expect(attempts.harvest![0]).toMatch(/ENOENT|ECONNREFUSED|socket hang up|EPIPE|ECONNRESET|not running|no longer running|no longer exists|exit 137|no such container|HTTP code 404|HTTP code 500|sandbox/i);
      expect(harvestJob?.attemptsMade).toBe(attempts.harvest!.length + 1);
      const row = await getTask(database.db, instanceIdFor(REPO, pr.number));
      expect(row).toMatchObject({ status: "valid", statusReason: null, failToPass: ["tests.test_ops.Ops.test_add"], passToPass: ["tests.test_ops.Ops.test_mul"] });
      // The rollout the restart hit: infra-error, retried (never graded against the teacher), then resolved.
      expect(attempts.trajgen!.length).toBeGreaterThanOrEqual(1);
      expect(attempts.trajgen![0]).toMatch(/infra|sandbox|engine|container|ENOENT|ECONNREFUSED/i);
      const [rollout] = trajgenJobs(row!, 7, { model: "teacher", k: 1 });
      const trajgenJob = await queues.get("trajgen").getJob(rollout!.id);
      expect(trajgenJob?.attemptsMade).toBe(attempts.trajgen!.length + 1);
      expect(await getRolloutStatus(database.db, rollout!.data.rolloutId)).toEqual({ status: "done", outcome: "resolved" });
      // What the killed tries left behind is the reaper's; after its sweep no labelled container is left.
      await sweepSandboxes(docker);
      expect(await labelled(docker)).toBe(0);
      console.log(JSON.stringify({ queues: { harvest: { failedAttempts: attempts.harvest!.map((a) => a.slice(0, 200)), attemptsMade: harvestJob?.attemptsMade, task: row?.status }, trajgen: { failedAttempts: attempts.trajgen!.map((a) => a.slice(0, 200)), attemptsMade: trajgenJob?.attemptsMade, rollout: "resolved" } } }));
    } finally {
      await pool?.close(5000);
      for (const q of ["harvest", "trajgen"] as const) await queues.get(q).obliterate({ force: true }).catch(() => undefined);
      await model.close();
      await queues.close();
      await database.close();
      await temp.drop();
      await gh.close();
    }
  }, 420_000);
});
