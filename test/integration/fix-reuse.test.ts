// Whether a retry updates LegoFactory's open PR: against the GitHub double and the real database.
// Only a missing branch (404) or a moved head means "a human took over"; any other error reading
// the branch is thrown so the job is retried, never read as permission to open a second PR.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { createAttempt, type FixAttempt, getAttempt, updateAttempt } from "../../db/fixes.js";
import { reusablePr } from "../../src/fix/open-pr.js";
import { createProbot, type InstallationOctokit } from "../../src/github/probot.js";
import { createLogger } from "../../src/logger.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { testConfig, testPrivateKey } from "../support/test-config.js";

const REPO = "acme/reuse";
let gh: GitHubDouble;
let temp: TempDatabase;
let database: DatabaseHandle;
let octokit: InstallationOctokit;
let issue = 0;

/** An attempt with an open PR on `branch` at `headSha`, and a fresh retry attempt for the same issue. */
async function openPrAndRetry(branch: string, headSha: string): Promise<{ previous: FixAttempt; retry: FixAttempt }> {
  issue += 1;
  const base = { repo: REPO, issueNumber: issue, installationId: 7, trigger: "command", requestedBy: "alice", k: 1 };
  const first = await createAttempt(database.db, base);
  await updateAttempt(database.db, first.id, { status: "pr-open", pullNumber: 100 + issue, branch, headSha });
  const retry = await createAttempt(database.db, base);
  return { previous: (await getAttempt(database.db, first.id))!, retry };
}

beforeAll(async () => {
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "s" });
  await gh.createRepo(REPO, { files: { "README.md": "hi\n" } });
  gh.addInstallation({ id: 7, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  const probot = createProbot(testConfig({ GITHUB_API_URL: gh.url, PRIVATE_KEY: gh.privateKey, LEGO_HTTP_TIMEOUT_SEC: "1" }), createLogger("silent"), { retries: false });
  octokit = await probot.auth(7);
});

afterAll(async () => {
  await database?.close();
  await temp?.drop();
  await gh?.close();
});

describe("reusablePr", () => {
  it("reuses the PR while its branch still points at LegoFactory's commit", async () => {
    const sha = await gh.commitFiles(REPO, { branch: "lego/fix-a", from: "main", message: "fix", files: { "a.txt": "a\n" } });
    const { previous, retry } = await openPrAndRetry("lego/fix-a", sha);
    expect((await reusablePr(database.db, octokit, retry))?.id).toBe(previous.id);
  });

  it("does not reuse it once a human pushed to the branch", async () => {
    const sha = await gh.commitFiles(REPO, { branch: "lego/fix-b", from: "main", message: "fix", files: { "b.txt": "b\n" } });
    const { retry } = await openPrAndRetry("lego/fix-b", sha);
    await gh.commitFiles(REPO, { branch: "lego/fix-b", message: "human", author: "alice", files: { "b.txt": "mine\n" } });
    expect(await reusablePr(database.db, octokit, retry)).toBeNull();
  });

  it("does not reuse it when the branch is gone (404)", async () => {
    const { retry } = await openPrAndRetry("lego/fix-deleted", "0".repeat(40));
    expect(await reusablePr(database.db, octokit, retry)).toBeNull();
  });

  it.each([
    ["a GitHub 502", { status: 502 }],
    ["a secondary rate limit", { status: 403, message: "You have exceeded a secondary rate limit", headers: { "retry-after": "60" } }],
    ["a 500", { status: 500 }],
  ])("throws on %s instead of opening a duplicate PR", async (_, failure) => {
    const branch = `lego/fix-${failure.status}-${issue}`;
    const sha = await gh.commitFiles(REPO, { branch, from: "main", message: "fix", files: { "c.txt": `${branch}\n` } });
    const { retry } = await openPrAndRetry(branch, sha);
    gh.fault("GET", /^\/repos\/acme\/reuse\/git\/ref\//, { ...failure, times: 1 });
    try {
      await expect(reusablePr(database.db, octokit, retry)).rejects.toMatchObject({ status: failure.status });
    } finally {
      gh.clearFaults();
    }
  });

  it("throws when GitHub does not answer at all, within LEGO_HTTP_TIMEOUT_SEC", async () => {
    const branch = `lego/fix-hang-${issue}`;
    const sha = await gh.commitFiles(REPO, { branch, from: "main", message: "fix", files: { "d.txt": "hang\n" } });
    const { retry } = await openPrAndRetry(branch, sha);
    gh.fault("GET", /^\/repos\/acme\/reuse\/git\/ref\//, { hang: true, times: 1 });
    try {
      await expect(reusablePr(database.db, octokit, retry)).rejects.toThrow(/GitHub did not answer within 1 s \(GET \/repos\/acme\/reuse\/git\/ref\//);
    } finally {
      gh.clearFaults();
    }
  });
});
