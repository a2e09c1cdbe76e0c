// The closed loop, end to end, on the real database, queue and Docker engine through the GitHub
// and model doubles: a merged PR is harvested and validated → trajgen makes a trajectory with the
// teacher → the scheduled check starts a training run that exports it and runs the command
// launcher with the CPU trainer → the candidate is registered, then served (its endpoint recorded
// with `lego models add`: a double scripted to solve the held-out task) → the service's gate
// promotes it over the current model (a double that fails it) → the next `/lego fix` is served
// by the promoted endpoint → `lego models rollback` sends the following one back to the old
// endpoint. Then a worse candidate is rejected by the gate and nothing changes.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { attemptsForIssue, rolloutsForAttempt } from "../../db/fixes.js";
import { getModelVersion, listModelVersions } from "../../db/model-versions.js";
import { rollouts, taskInstances } from "../../db/schema.js";
import { listTrainingRuns } from "../../db/training-runs.js";
import { pythonFix, pythonProject, repoWithMergedPulls } from "../support/fixture-repos.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { type LegoProcess, runLego, startLego, waitFor } from "../support/lego-process.js";
import { type ModelDouble, startModelDouble } from "../support/model-double.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { policyResponder, verifierResponder } from "../support/scripted-agent.js";
import { requireRedis, TEST_CACHE_DIR, TEST_REDIS_URL } from "../support/services.js";
import { testPrivateKey, uniquePrefix } from "../support/test-config.js";
import { TINY_DB_TRAIN_COMMAND } from "../support/tiny-export.js";

const REPO = "acme/calc";
const work = mkdtempSync(path.join(os.tmpdir(), "lego-loop-e2e-"));
let gh: GitHubDouble;
let temp: TempDatabase;
let db: DatabaseHandle;
let lego: LegoProcess | undefined;
let teacher: ModelDouble;
let solver: ModelDouble;
let failer: ModelDouble;
let worse: ModelDouble;
let verifier: ModelDouble;
let env: Record<string, string>;
const heldOut = repoWithMergedPulls(path.join(work, "heldout-calc"), pythonProject, pythonFix, { "README.md": "calc\n" });

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = runLego(args, env, work);
  let stdout = "";
  let stderr = "";
  proc.stdout?.on("data", (d) => (stdout += d));
  proc.stderr?.on("data", (d) => (stderr += d));
  return new Promise((resolve) => proc.once("exit", (code) => resolve({ code, stdout, stderr })));
}

const fixRequests = (m: ModelDouble) => m.chatRequests("policy").filter((r) => /^fix\d+-r\d+$/.test(String(r.user ?? ""))).length;

async function fix(title: string): Promise<{ issue: number; attemptId: number; status: string; rolloutModelVersion: number | null; model: string }> {
  const issue = gh.createIssue(REPO, { title, body: "`add(1, 2)` returns -1.", user: "alice" });
  const c = gh.addIssueComment(REPO, issue.number, { body: "/lego fix k=1", user: "alice" });
  expect((await gh.deliver("issue_comment", gh.payloads.issueCommentCreated(REPO, c.id))).status).toBe(202);
  const attempt = await waitFor(`fix attempt for #${issue.number} to end`, async () => {
    const [a] = await attemptsForIssue(db.db, REPO, issue.number);
    return a && ["pr-open", "no-candidate", "failed"].includes(a.status) ? a : undefined;
  }, 300_000, 500);
  const [r] = await rolloutsForAttempt(db.db, attempt.id);
  return { issue: issue.number, attemptId: attempt.id, status: attempt.status, rolloutModelVersion: r?.modelVersionId ?? null, model: r?.model ?? "" };
}

beforeAll(async () => {
  await requireRedis();
  temp = await createTempDatabase();
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "loop-secret" });
  await gh.createRepo(REPO, { files: pythonProject as Record<string, string> });
  gh.addUser("alice", { permissions: { [REPO]: "write" } });
  gh.addInstallation({ id: 91, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
  [teacher, solver, failer, worse, verifier] = await Promise.all([startModelDouble(), startModelDouble(), startModelDouble(), startModelDouble(), startModelDouble()]);
  teacher.respondWith(policyResponder(() => "correct"), { model: "teacher" });
  solver.respondWith(policyResponder(() => "correct"), { model: "policy" });
  failer.respondWith(policyResponder(() => "wrong"), { model: "policy" });
  worse.respondWith(policyResponder(() => "wrong"), { model: "policy" });
  verifier.respondWith(verifierResponder(), { model: "verifier" });

  env = { DATABASE_URL: temp.url, LEGO_DATA_DIR: path.join(work, "data"), LEGO_CACHE_DIR: TEST_CACHE_DIR, LEGO_SANDBOX_CPUS: "1", LEGO_SANDBOX_MEMORY_MB: "1024" };
  // The held-out task the gate uses: the same bug in a repository the training never sees.
  const h = await cli(["harvest", heldOut.dir, "--pr", "7", "--json"]);
  expect(h.code).toBe(0);
  writeFileSync(path.join(work, "heldout.jsonl"), h.stdout);
  // The current model: a served version that fails the task, promoted by hand.
  expect((await cli(["models", "add", "base-v1", "--endpoint", failer.baseURL, "--model-name", "policy", "--base", "Qwen/Qwen3-8B"])).code).toBe(0);
  expect((await cli(["models", "promote", "base-v1"])).code).toBe(0);

  lego = await startLego(
    "serve",
    {
      ...env,
      APP_ID: "4242",
      PRIVATE_KEY: gh.privateKey,
      WEBHOOK_SECRET: "loop-secret",
      GITHUB_API_URL: gh.url,
      REDIS_URL: TEST_REDIS_URL,
      LEGO_QUEUE_PREFIX: uniquePrefix(),
      LEGO_VERIFIER_BASE_URL: verifier.baseURL,
      LEGO_VERIFIER_MODEL: "verifier",
      LEGO_TEACHER_BASE_URL: teacher.baseURL,
      LEGO_TEACHER_MODEL: "teacher",
      LEGO_TRAJGEN_K: "1",
      LEGO_TRAIN_LAUNCHER: "command",
      LEGO_TRAIN_COMMAND: TINY_DB_TRAIN_COMMAND,
      LEGO_TRAIN_BASE_MODEL: "tiny",
      LEGO_TRAIN_MIN_NEW: "1",
      LEGO_TRAIN_CHECK_SEC: "2",
      LEGO_TRAIN_POLL_SEC: "1",
      LEGO_TRAIN_IN_CONTEXT_EXAMPLE: "false",
      LEGO_GATE_TASKS: path.join(work, "heldout.jsonl"),
      LEGO_GATE_REPO: heldOut.dir,
      LEGO_GATE_MIN_TASKS: "1",
      LOG_LEVEL: "info",
    },
    work,
  );
  gh.setWebhookUrl(`${lego.url}/api/github/webhooks`);
  db = await openDatabase({ url: temp.url, dataDir: "unused" });
  expect((await gh.deliver("installation", gh.payloads.installationCreated(91))).status).toBe(202);
}, 600_000);

afterAll(async () => {
  const code = await lego?.stop();
  if (code !== 0 && lego) console.error(lego.lines.slice(-80).join("\n"));
  await db?.close();
  await Promise.all([teacher, solver, failer, worse, verifier].map((m) => m?.close()));
  await gh?.close();
  await temp?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe("the closed loop", () => {
  let candidate = "";

  it("harvests a merged PR, makes a trajectory, trains on it and registers a candidate", async () => {
    const issue = gh.createIssue(REPO, { title: "add() subtracts", body: "`add(1, 2)` returns -1.", user: "alice" });
    await gh.commitFiles(REPO, { branch: "fix-add", from: "main", message: "Fix add", author: "alice", files: pythonFix });
    const pr = await gh.createPullRequest(REPO, { title: "Fix add", body: `Fixes #${issue.number}`, head: "fix-add", user: "alice" });
    await gh.mergePullRequest(REPO, pr.number, { method: "merge", user: "alice" });
    expect((await gh.deliver("pull_request", await gh.payloads.pullRequestClosed(REPO, pr.number))).status).toBe(202);
    const task = await waitFor("a validated task", async () => {
      const [row] = await db.db.select().from(taskInstances).where(eq(taskInstances.instanceId, `acme__calc-${pr.number}`));
      return row && !["candidate", "validating"].includes(row.status) ? row : undefined;
    }, 300_000, 500);
    expect(task.status).toBe("valid");
    const trajectory = await waitFor("the teacher's resolved trajectory", async () => {
      const [r] = await db.db.select().from(rollouts).where(eq(rollouts.taskInstanceId, task.instanceId));
      return r?.outcome ? r : undefined;
    }, 300_000, 500);
    expect(trajectory).toMatchObject({ model: "teacher", outcome: "resolved" });

    const run = await waitFor("a finished training run", async () => {
      const [r] = await listTrainingRuns(db.db, 1);
      return r && ["succeeded", "failed"].includes(r.status) ? r : undefined;
    }, 300_000, 500);
    expect(run.statusReason, run.logTail ?? "").toMatch(/^candidate lego-run-\d+ registered/);
    expect(run).toMatchObject({ status: "succeeded", trigger: "new-trajectories", backend: "command" });
    expect((run.manifest as { rollout_ids: string[] }).rollout_ids).toEqual([trajectory.id]);
    expect((run.metrics as { loss: unknown[] }).loss.length).toBeGreaterThan(0);
    const version = await getModelVersion(db.db, `lego-run-${run.id}`);
    expect(version).toMatchObject({ status: "candidate", endpoint: null, uri: run.checkpointUri, trainingRunId: run.id });
    candidate = version?.name ?? "";
  }, 900_000);

  it("gates the served candidate on its own, promotes it, and the next fix uses it", async () => {
    // The bug comes back on main, so the next issues have something to fix.
    await gh.commitFiles(REPO, { branch: "main", message: "Refactor ops", author: "alice", files: { "calc/ops.py": (pythonProject as Record<string, string>)["calc/ops.py"] as string } });
    const before = fixRequests(failer);
    const r = await cli(["models", "add", candidate, "--endpoint", solver.baseURL, "--model-name", "policy"]);
    expect(r.stdout).toContain("the service gates it on the held-out tasks next");
    const gated = await waitFor("the gate's decision", async () => {
      const v = await getModelVersion(db.db, candidate);
      return v?.evaluation ? v : undefined;
    }, 300_000, 500);
    expect(gated.evaluation).toMatchObject({ decision: "promote", candidate: { resolveRate: 1 }, current: { name: "base-v1", resolveRate: 0 }, against: { endpoint: failer.baseURL } });
    expect(gated).toMatchObject({ status: "promoted", previousVersionId: (await getModelVersion(db.db, "base-v1"))?.id });
    expect((await getModelVersion(db.db, "base-v1"))?.status).toBe("retired");

    const solverBefore = fixRequests(solver);
    const f = await fix("add() is still wrong");
    expect(f).toMatchObject({ status: "pr-open", rolloutModelVersion: gated.id, model: "policy" });
    expect(fixRequests(solver)).toBeGreaterThan(solverBefore);
    expect(fixRequests(failer)).toBe(before);
    const [attempt] = (await attemptsForIssue(db.db, REPO, f.issue)).filter((a) => a.id === f.attemptId);
    const pr = gh.state.issues.get(`${REPO}#${attempt?.pullNumber}`.toLowerCase());
    expect(pr?.body).toContain(`**Model:** \`policy\`, model version \`${candidate}\` from LegoFactory's registry.`);
  }, 900_000);

  it("rolls back: the following fix goes to the old endpoint", async () => {
    const r = await cli(["models", "rollback"]);
    expect(r.stdout).toContain(`base-v1 is now the promoted model (${failer.baseURL}); ${candidate} retired.`);
    const solverBefore = fixRequests(solver);
    const failerBefore = fixRequests(failer);
    const f = await fix("add() broke again");
    expect(f.rolloutModelVersion).toBe((await getModelVersion(db.db, "base-v1"))?.id);
    expect(fixRequests(failer)).toBeGreaterThan(failerBefore);
    expect(fixRequests(solver)).toBe(solverBefore);
  }, 600_000);

  it("rejects a worse candidate, and nothing changes", async () => {
    const before = await listModelVersions(db.db);
    expect((await cli(["models", "add", "worse-v2", "--endpoint", worse.baseURL, "--model-name", "policy"])).code).toBe(0);
    const gated = await waitFor("the gate's decision on worse-v2", async () => {
      const v = await getModelVersion(db.db, "worse-v2");
      return v?.evaluation ? v : undefined;
    }, 300_000, 500);
    expect(gated).toMatchObject({ status: "rejected", evaluation: { decision: "reject", deltaPoints: 0 } });
    const after = await listModelVersions(db.db);
    expect(after.filter((v) => v.name !== "worse-v2").map((v) => [v.name, v.status, v.promotedAt?.toISOString()])).toEqual(before.map((v) => [v.name, v.status, v.promotedAt?.toISOString()]));
    expect(after.find((v) => v.status === "promoted")?.name).toBe("base-v1");
  }, 600_000);
});
