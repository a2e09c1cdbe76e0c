// `lego harvest owner/name` through the GitHub App's API (the GitHub double): merged PRs newest
// first, and a PR with no test change skipped from the PR files API before anything is cloned.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isGitHubRepoName } from "../../src/cli/commands/harvest.js";
import { type Files, pythonProject } from "../support/fixture-repos.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { runLego } from "../support/lego-process.js";
import { TEST_CACHE_DIR } from "../support/services.js";
import { testPrivateKey } from "../support/test-config.js";

const REPO = "acme/widgets";
const work = mkdtempSync(path.join(os.tmpdir(), "lego-cli-gh-"));
let gh: GitHubDouble;

async function merged(files: Files, title: string): Promise<number> {
  const branch = `b-${randomUUID().slice(0, 8)}`;
  await gh.commitFiles(REPO, { branch, from: "main", message: title, author: "alice", files });
  const pr = await gh.createPullRequest(REPO, { title, body: "Fixes it", head: branch, user: "alice" });
  await gh.mergePullRequest(REPO, pr.number, { method: "squash", user: "alice" });
  return pr.number;
}

function lego(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { LEGO_DATA_DIR: path.join(work, "data"), LEGO_CACHE_DIR: TEST_CACHE_DIR, APP_ID: "4242", PRIVATE_KEY: gh.privateKey, WEBHOOK_SECRET: "s", GITHUB_API_URL: gh.url };
  const proc = runLego(args, env, work);
  let stdout = "";
  let stderr = "";
  proc.stdout?.on("data", (d) => (stdout += d));
  proc.stderr?.on("data", (d) => (stderr += d));
  return new Promise((resolve) => proc.once("exit", (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "s" });
  await gh.createRepo(REPO, { files: { ...(pythonProject as Record<string, string>), ".github/lego.yml": "harvest:\n  allowPrDescriptionTasks: true\n" } });
  gh.addUser("alice", { permissions: { [REPO]: "write" } });
  gh.addInstallation({ id: 9, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
});

afterAll(async () => {
  await gh?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("lego harvest owner/name", () => {
  it("owner/name is GitHub only when no such path exists", () => {
    expect(isGitHubRepoName("acme/widgets", () => false)).toBe(true);
    expect(isGitHubRepoName("acme/widgets", () => true)).toBe(false);
    expect(isGitHubRepoName("./acme/widgets", () => false)).toBe(false);
    expect(isGitHubRepoName("https://x/acme/widgets.git", () => false)).toBe(false);
  });

  it("skips the docs-only PR from the files API without cloning; clones once for the PR with tests", async () => {
    const withTests = await merged({ "calc/neg.py": "def neg(a):\n    return -a\n", "tests/test_neg.py": "from calc.neg import neg\n\n\ndef test_neg():\n    assert neg(2) == -2\n" }, "Add neg");
    const docsOnly = await merged({ "calc/notes.py": "# notes\n", "README.md": "widgets\n" }, "Notes");
    gh.reset();
    const r = await lego(["harvest", REPO, "--json", "--no-validate"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rows = r.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((t) => [t.instance_id, t.status])).toEqual([
      [`acme__widgets-${docsOnly}`, "skipped"],
      [`acme__widgets-${withTests}`, "candidate"],
    ]);
    expect(rows[0]?.status_reason).toBe("no test change: the PR adds or edits no test file");
    expect(rows[1]?.problem_statement).toBe("Add neg\n\nFixes it");
    // Every call in order: nothing is fetched by git before the skipped PR is decided.
    const calls = gh.calls.map((c) => `${c.method} ${c.path}`);
    const filesOfDocs = calls.indexOf(`GET /repos/${REPO}/pulls/${docsOnly}/files`);
    const firstGit = calls.findIndex((c) => /\.git\/(info\/refs|git-upload-pack)$/.test(c));
    expect(filesOfDocs).toBeGreaterThan(-1);
    expect(firstGit).toBeGreaterThan(calls.indexOf(`GET /repos/${REPO}/pulls/${withTests}`));
    expect(calls.filter((c) => c.endsWith("/info/refs")).length).toBe(1);
  }, 300_000);

  it("a repository the app is not installed on: exit 2 saying so", async () => {
    const r = await lego(["harvest", "acme/elsewhere", "--no-validate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("acme/elsewhere: the GitHub App is not installed on this repository (or it does not exist)");
  }, 120_000);
});
