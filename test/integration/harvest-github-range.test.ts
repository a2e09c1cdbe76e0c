// The GitHub path takes the PR's own change with the same rule as offline, from the API's merge
// commit: a merge's first parent even when the PR branch was behind, a squash's parent, and the
// parent of the first commit of a rebase-merged series. No sandbox is involved. A PR with no test
// change is skipped from the PR files API before any clone or environment build.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDiff } from "../../src/diff/index.js";
import { harvestCandidate } from "../../src/harvest/candidate.js";
import { harvestPull } from "../../src/harvest/harvest-pull.js";
import { GitHubSource, type HarvestGitHub } from "../../src/harvest/github-source.js";
import { createProbot } from "../../src/github/probot.js";
import { createLogger } from "../../src/logger.js";
import { defaultRepoConfig, harvestSettings } from "../../src/repo-config.js";
import { type Files, pythonProject } from "../support/fixture-repos.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { testConfig, testPrivateKey } from "../support/test-config.js";

const REPO = "acme/ranges";
let gh: GitHubDouble;
let octokit: HarvestGitHub;
const work = mkdtempSync(path.join(os.tmpdir(), "lego-gh-range-"));
const rules = { ...harvestSettings(defaultRepoConfig), skipBots: true, allowPrDescriptionTasks: true };

const src = (name: string): Files => ({ [`calc/${name}.py`]: `${name} = 1\n`, [`tests/test_${name}.py`]: `from calc.${name} import ${name}\n\n\ndef test_${name}():\n    assert ${name} == 1\n` });

async function openPull(commits: Files[], title: string): Promise<{ number: number; branch: string }> {
  const branch = `b-${randomUUID().slice(0, 8)}`;
  for (const [i, files] of commits.entries()) await gh.commitFiles(REPO, { branch, from: "main", message: `${title} part ${i + 1}`, author: "alice", files });
  const pr = await gh.createPullRequest(REPO, { title, body: "Fixes it", head: branch, user: "alice" });
  return { number: pr.number, branch };
}

async function candidate(n: number) {
  const scratch = mkdtempSync(path.join(work, "c-"));
  const source = new GitHubSource(REPO, octokit, { allowPrDescriptionTasks: true });
  return (await harvestCandidate(source, n, { rules, scratch })).row;
}

const paths = (d?: string | null) => parseDiff(d ?? "").map((f) => f.path);

beforeAll(async () => {
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "s" });
  await gh.createRepo(REPO, { files: pythonProject as Record<string, string> });
  gh.addUser("alice", { permissions: { [REPO]: "write" } });
  gh.addInstallation({ id: 6, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
  const probot = createProbot(testConfig({ GITHUB_API_URL: gh.url, PRIVATE_KEY: gh.privateKey }), createLogger("silent"), { retries: false });
  octokit = (await probot.auth(6)) as never;
});

afterAll(async () => {
  await gh?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("GitHub merge commits", () => {
  it("a merge of a PR branch that is behind main: base is the first parent, the diff only the PR's files", async () => {
    const behind = await openPull([src("recipes")], "Recipes");
    const other = await openPull([src("other")], "Other");
    await gh.mergePullRequest(REPO, other.number, { method: "squash", user: "alice" });
    const mainBefore = await gh.state.repos.get(REPO)!.git.branchSha("main");
    await gh.mergePullRequest(REPO, behind.number, { method: "merge", user: "alice" });
    const row = await candidate(behind.number);
    expect(row).toMatchObject({ status: "candidate", baseCommit: mainBefore });
    expect(paths(row.patch)).toEqual(["calc/recipes.py"]);
    expect(paths(row.testPatch)).toEqual(["tests/test_recipes.py"]);
  });

  it("a rebase merge of several commits: base is the parent of the first rebased commit", async () => {
    const pr = await openPull([{ "calc/series.py": "series = 1\n" }, { "tests/test_series.py": "def test_series():\n    pass\n" }, { "calc/series.py": "series = 2\n" }], "Series");
    const mainBefore = await gh.state.repos.get(REPO)!.git.branchSha("main");
    await gh.mergePullRequest(REPO, pr.number, { method: "rebase", user: "alice" });
    const row = await candidate(pr.number);
    expect(row).toMatchObject({ status: "candidate", baseCommit: mainBefore });
    expect(row.patch).toContain("+series = 2");
    expect(paths(row.testPatch)).toEqual(["tests/test_series.py"]);
  });

  it("a squash merge of several commits: base is the squash commit's parent", async () => {
    const pr = await openPull([{ "calc/sq.py": "sq = 1\n" }, { "tests/test_sq.py": "def test_sq():\n    pass\n" }], "Squash");
    const mainBefore = await gh.state.repos.get(REPO)!.git.branchSha("main");
    await gh.mergePullRequest(REPO, pr.number, { method: "squash", user: "alice" });
    const row = await candidate(pr.number);
    expect(row).toMatchObject({ status: "candidate", baseCommit: mainBefore });
    expect(paths(row.patch)).toEqual(["calc/sq.py"]);
  });
});

describe("no test change: skipped before cloning", () => {
  // Anything the harvest would clone or build with: touching it fails the test.
  const untouchable = new Proxy({}, { get: (_t, key) => { throw new Error(`environment dependency ${String(key)} used for a PR that should have been skipped`); } });
  const cloneCalls = () => [...gh.callsTo("*", /\.git\/(info\/refs|git-upload-pack)$/), ...gh.callsTo("GET", "/repos/:owner/:repo")];

  it("a PR touching no test file: skipped from the files API, no clone, no build, no linked-issue lookups", async () => {
    const pr = await openPull([{ "calc/docs_only.py": "x = 1\n", "README.md": "docs\n" }], "Docs and code");
    await gh.mergePullRequest(REPO, pr.number, { method: "squash", user: "alice" });
    gh.reset();
    const scratch = mkdtempSync(path.join(work, "s-"));
    const source = new GitHubSource(REPO, octokit, { allowPrDescriptionTasks: true });
    const row = await harvestPull(source, pr.number, { ...rules, runs: 1, scope: "touched", timeoutSec: 60, overrides: {} } as never, { scratch, envDeps: untouchable as never, validate: true });
    expect(row).toMatchObject({ status: "skipped", statusReason: "no test change: the PR adds or edits no test file", baseCommit: "" });
    expect(gh.callsTo("GET", "/repos/:owner/:repo/pulls/:number/files")).toHaveLength(1);
    expect(cloneCalls()).toEqual([]);
    expect(gh.callsTo("POST", "/graphql")).toEqual([]);
  });
});
