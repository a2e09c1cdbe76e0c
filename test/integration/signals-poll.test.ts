// The reactions poller against the GitHub double and the real database: one repository that
// cannot be read is skipped (and named), every other repository is still polled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { createAttempt, outcomesForAttempt, updateAttempt } from "../../db/fixes.js";
import { createProbot } from "../../src/github/probot.js";
import { createLogger } from "../../src/logger.js";
import { pollSignals } from "../../workers/signals.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { testConfig, testPrivateKey } from "../support/test-config.js";

let gh: GitHubDouble;
let temp: TempDatabase;
let database: DatabaseHandle;
let deps: Parameters<typeof pollSignals>[0];

async function prWithReaction(repo: string, installationId: number, user: string): Promise<number> {
  await gh.commitFiles(repo, { branch: "lego/fix-1-abc1234", from: "main", message: "fix", files: { "f.txt": "x\n" } });
  const issue = gh.createIssue(repo, { title: "bug", user });
  const pr = gh.createPullRequest(repo, { title: "Fix", head: "lego/fix-1-abc1234", user: gh.botLogin });
  gh.addReaction(repo, { issue: (await pr).number }, "+1", user);
  const attempt = await createAttempt(database.db, { repo, issueNumber: issue.number, installationId, trigger: "command", requestedBy: user, k: 1 });
  await updateAttempt(database.db, attempt.id, { status: "pr-open", pullNumber: (await pr).number, branch: "lego/fix-1-abc1234" });
  return attempt.id;
}

beforeAll(async () => {
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "s" });
  for (const repo of ["acme/broken", "acme/fine", "other/fine"]) {
    await gh.createRepo(repo, { files: { "README.md": "hi\n" } });
    gh.addUser(`${repo.split("/")[0]}-dev`, { permissions: { [repo]: "write" } });
  }
  gh.addInstallation({ id: 21, account: { login: "acme", type: "Organization" }, repositories: ["acme/broken", "acme/fine"] });
  gh.addInstallation({ id: 22, account: { login: "other", type: "Organization" }, repositories: ["other/fine"] });
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  const probot = createProbot(testConfig({ GITHUB_API_URL: gh.url, PRIVATE_KEY: gh.privateKey }), createLogger("silent"), { retries: false });
  deps = { db: database.db, github: async (id) => probot.auth(id), log: createLogger("silent") };
});

afterAll(async () => {
  await database?.close();
  await temp?.drop();
  await gh?.close();
});

describe("pollSignals", () => {
  it("isolates each repository: a failing one is named and skipped, the others are recorded", async () => {
    const broken = await prWithReaction("acme/broken", 21, "acme-dev");
    const fine = await prWithReaction("acme/fine", 21, "acme-dev");
    const other = await prWithReaction("other/fine", 22, "other-dev");
    gh.fault("GET", "/repos/acme/broken/issues/:n/reactions", { status: 502 });
    const first = await pollSignals(deps);
    expect(first.failed).toEqual([{ repo: "acme/broken", error: expect.stringMatching(/Server Error/) }]);
    expect(first.added).toBe(2);
    expect(await outcomesForAttempt(database.db, broken)).toHaveLength(0);
    expect((await outcomesForAttempt(database.db, fine)).map((o) => o.signal)).toEqual(["reaction_up"]);
    expect((await outcomesForAttempt(database.db, other)).map((o) => o.signal)).toEqual(["reaction_up"]);

    gh.clearFaults();
    const second = await pollSignals(deps);
    expect(second).toEqual({ added: 1, failed: [] });
    expect((await outcomesForAttempt(database.db, broken)).map((o) => o.signal)).toEqual(["reaction_up"]);
  });
});
