// The harvest processor on its own, against the GitHub double, the real database and Docker:
// valid tasks get exact FAIL_TO_PASS / PASS_TO_PASS; every skip keeps a reason a user can act on.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { getTask } from "../../db/tasks.js";
import { createDocker } from "../../sandbox/docker.js";
import { createProbot } from "../../src/github/probot.js";
import { createLogger } from "../../src/logger.js";
import type { HarvestSettings } from "../../src/repo-config.js";
import { defaultRepoConfig, harvestSettings } from "../../src/repo-config.js";
import { type HarvestDeps, processHarvest } from "../../workers/harvest.js";
import { type Files, pythonFix, pythonProject } from "../support/fixture-repos.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { TEST_BASE_IMAGE, TEST_CACHE_DIR } from "../support/services.js";
import { testConfig, testPrivateKey } from "../support/test-config.js";

const REPO = "acme/tools";
let gh: GitHubDouble;
let temp: TempDatabase;
let database: DatabaseHandle;
let deps: HarvestDeps;
const workDir = mkdtempSync(path.join(os.tmpdir(), "lego-harvest-"));
const defaults = harvestSettings(defaultRepoConfig);

async function merged(files: Files, body: string, opts: { user?: string; method?: "merge" | "squash" } = {}): Promise<number> {
  const branch = `b-${randomUUID().slice(0, 8)}`;
  await gh.commitFiles(REPO, { branch, from: "main", message: "change", author: opts.user ?? "alice", files });
  const pr = await gh.createPullRequest(REPO, { title: "Make add add", body, head: branch, user: opts.user ?? "alice" });
  await gh.mergePullRequest(REPO, pr.number, { method: opts.method ?? "squash", user: "alice" });
  return pr.number;
}

const job = (pullNumber: number, settings: Partial<HarvestSettings> = {}) => ({ installationId: 5, repo: REPO, pullNumber, settings: { ...defaults, ...settings } });

beforeAll(async () => {
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "s" });
  await gh.createRepo(REPO, { files: pythonProject as Record<string, string> });
  gh.addUser("alice", { permissions: { [REPO]: "write" } });
  gh.addUser("renovate[bot]", { type: "Bot", permissions: { [REPO]: "write" } });
  gh.createIssue(REPO, { title: "add() subtracts", body: "add(1, 2) gives -1", user: "alice" });
  gh.addIssueComment(REPO, 1, { body: "Probably a sign error in calc/ops.py", user: "alice" });
  gh.addInstallation({ id: 5, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
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
  };
});

afterAll(async () => {
  await database?.close();
  await temp?.drop();
  await gh?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe("harvest", () => {
  it("validates a merged PR that fixes a linked issue, with hints from earlier comments", async () => {
    const n = await merged(pythonFix, "Fixes #1", { method: "merge" });
    const row = await processHarvest(job(n), deps);
    expect(row.statusReason).toBeNull();
    expect(row).toMatchObject({ status: "valid", issueNumbers: [1], failToPass: ["tests/test_ops.py::test_add"], passToPass: ["tests/test_ops.py::test_mul", "tests/test_ops.py::test_sub"], language: "python", difficulty: "easy" });
    expect(row.problemStatement).toBe("add() subtracts\n\nadd(1, 2) gives -1");
    expect(row.hintsText).toBe("Probably a sign error in calc/ops.py");
    expect((await getTask(database.db, row.instanceId))?.status).toBe("valid");
  });

  it("skips a PR with no linked issue, unless PR-description tasks are allowed", async () => {
    const n = await merged({ "calc/ops.py": `${pythonFix["calc/ops.py"]}\n\ndef neg(a):\n    return -a\n`, "tests/test_neg.py": "from calc.ops import neg\n\n\ndef test_neg():\n    assert neg(2) == -2\n" }, "Just a tweak");
    const skipped = await processHarvest(job(n), deps);
    expect(skipped).toMatchObject({ status: "skipped", statusReason: expect.stringMatching(/^no linked issue/) });
    const allowed = await processHarvest(job(n, { allowPrDescriptionTasks: true }), deps);
    expect(allowed.problemStatement).toBe("Make add add\n\nJust a tweak");
    expect(allowed).toMatchObject({ status: "valid", failToPass: ["tests/test_neg.py::test_neg"], passToPass: [] });
  });

  it("skips a PR that only touches tests, one with no test change, a bot's and an oversized one", async () => {
    const testsOnly = await processHarvest(job(await merged({ "tests/test_more.py": "def test_x():\n    assert 1\n" }, "Fixes #1")), deps);
    expect(testsOnly).toMatchObject({ status: "skipped", statusReason: expect.stringMatching(/^no non-test change/) });
    const noTests = await processHarvest(job(await merged({ "calc/extra.py": "x = 3\n" }, "Fixes #1")), deps);
    expect(noTests).toMatchObject({ status: "skipped", statusReason: expect.stringMatching(/^no test change/) });
    const bot = await processHarvest(job(await merged({ "calc/extra.py": "x = 4\n", "tests/test_x.py": "def test_x():\n    pass\n" }, "Fixes #1", { user: "renovate[bot]" })), deps);
    expect(bot).toMatchObject({ status: "skipped", statusReason: "authored by a bot (renovate[bot]); harvest.skipBots is on" });
    const big = await processHarvest(job(await merged({ "calc/a.py": "1\n", "calc/b.py": "2\n", "tests/test_y.py": "def test_y():\n    pass\n" }, "Fixes #1"), { maxFiles: 2 }), deps);
    expect(big).toMatchObject({ status: "skipped", statusReason: "too large: 3 files changed (harvest.maxFiles is 2)" });
  });

  it("skips a PR whose linked issue does not exist", async () => {
    const r = await processHarvest(job(await merged({ "calc/z.py": "1\n", "tests/test_z.py": "def test_z():\n    pass\n" }, "Fixes #999")), deps);
    expect(r).toMatchObject({ status: "skipped", statusReason: expect.stringMatching(/^linked issue #999 is missing or was deleted/) });
  });

  it("uses the squash commit's parent as the base commit", async () => {
    const before = await gh.state.repos.get(REPO)!.git.branchSha("main");
    const n = await merged({ "calc/w.py": "w = 1\n", "tests/test_w.py": "def test_w():\n    pass\n" }, "closes #1");
    const r = await processHarvest(job(n), deps);
    expect(r.baseCommit).toBe(before);
  });
});
