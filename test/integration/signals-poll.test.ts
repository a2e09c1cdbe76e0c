// The reactions poller against the GitHub double and the real database: one repository that
// cannot be read is skipped (and named), every other repository is still polled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { createAttempt, insertRollout, outcomesForAttempt, updateAttempt } from "../../db/fixes.js";
import { signalsOf } from "../../db/training-data.js";
import { legoApp } from "../../handlers/index.js";
import { Queues } from "../../src/queue.js";
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
let probot: ReturnType<typeof createProbot>;
let queues: Queues;

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
  const config = testConfig({ GITHUB_API_URL: gh.url, PRIVATE_KEY: gh.privateKey });
  probot = createProbot(config, createLogger("silent"), { retries: false });
  queues = new Queues(config.REDIS_URL, config.LEGO_QUEUE_PREFIX);
  await probot.load(legoApp({ db: database.db, queues, fixEnabled: true }));
  gh.addUser("reader", { permissions: { "acme/fine": "read" } });
  gh.addUser("helper[bot]", { type: "User", permissions: { "acme/fine": "write" } });
  deps = { db: database.db, github: async (id) => probot.auth(id), log: createLogger("silent") };
});

afterAll(async () => {
  await queues?.close();
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

describe("who a signal counts for", () => {
  it("stores reviews and reactions from users without write access as non-maintainer signals, which label nothing", async () => {
    const repo = "acme/fine";
    await gh.commitFiles(repo, { branch: "lego/fix-9-abc1234", from: "main", message: "fix", files: { "g.txt": "x\n" } });
    const issue = gh.createIssue(repo, { title: "bug 9", user: "acme-dev" });
    const pr = await gh.createPullRequest(repo, { title: "Fix 9", head: "lego/fix-9-abc1234", user: gh.botLogin });
    const attempt = await createAttempt(database.db, { repo, issueNumber: issue.number, installationId: 21, trigger: "command", requestedBy: "acme-dev", k: 1 });
    await insertRollout(database.db, { id: "sig-r0", fixAttemptId: attempt.id, index: 0, model: "m", status: "finished" });
    await updateAttempt(database.db, attempt.id, { status: "pr-open", pullNumber: pr.number, branch: "lego/fix-9-abc1234", chosenRolloutId: "sig-r0" });

    let n = 0;
    for (const user of ["reader", "helper[bot]", "acme-dev"]) {
      const review = await gh.addReview(repo, pr.number, { user, state: user === "acme-dev" ? "CHANGES_REQUESTED" : "APPROVED" });
      await probot.receive({ id: `rev-${++n}`, name: "pull_request_review", payload: await gh.payloads.pullRequestReviewSubmitted(repo, pr.number, review.id) } as never);
    }
    gh.addReaction(repo, { issue: pr.number }, "+1", "reader");
    gh.addReaction(repo, { issue: pr.number }, "-1", "acme-dev");
    await pollSignals(deps);

    const rows = await outcomesForAttempt(database.db, attempt.id);
    expect(rows.map((o) => [o.signal, o.actor, o.maintainer])).toEqual([
      ["approved", "reader", false],
      ["approved", "helper[bot]", false],
      ["changes_requested", "acme-dev", true],
      ["reaction_up", "reader", false],
      ["reaction_down", "acme-dev", true],
    ]);
    // Only the maintainer's signals reach the verifier's labels.
    await expect(signalsOf(database.db, ["sig-r0"]).then((m) => m.get("sig-r0")?.map((s) => s.signal))).resolves.toEqual(["changes_requested", "reaction_down"]);
  });
});
