// Handlers driven through Probot's receive() against the GitHub double, the real database and
// the real queue: what gets enqueued, and what a broken .github/lego.yml does.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { getRepository, upsertInstallation, upsertRepositories } from "../../db/installations.js";
import { repoTrajgen } from "../../db/trajgen.js";
import { CONFIG_ISSUE_TITLE } from "../../handlers/repo-config.js";
import { legoApp } from "../../handlers/index.js";
import { createProbot } from "../../src/github/probot.js";
import { createLogger } from "../../src/logger.js";
import { Queues } from "../../src/queue.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { requireRedis } from "../support/services.js";
import { testConfig, testPrivateKey } from "../support/test-config.js";

const REPO = "acme/gadgets";
let gh: GitHubDouble;
let temp: TempDatabase;
let database: DatabaseHandle;
let queues: Queues;
let probot: ReturnType<typeof createProbot>;

async function mergedPr(opts: { user?: string; files?: Record<string, string> } = {}): Promise<number> {
  const branch = `b-${randomUUID().slice(0, 8)}`;
  await gh.commitFiles(REPO, { branch, from: "main", message: "change", author: opts.user ?? "alice", files: opts.files ?? { [`src/${branch}.py`]: "x = 1\n" } });
  const pr = await gh.createPullRequest(REPO, { title: "t", body: "Fixes #1", head: branch, user: opts.user ?? "alice" });
  await gh.mergePullRequest(REPO, pr.number, { user: "alice" });
  return pr.number;
}

async function receivePrClosed(number: number): Promise<void> {
  const payload = await gh.payloads.pullRequestClosed(REPO, number);
  await probot.receive({ id: randomUUID(), name: "pull_request", payload } as never);
}

async function setLegoYml(content: string): Promise<void> {
  await gh.commitFiles(REPO, { branch: "main", message: "config", author: "alice", files: { ".github/lego.yml": content } });
}

beforeAll(async () => {
  await requireRedis();
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "s" });
  const repo = await gh.createRepo(REPO, { files: { "README.md": "hi\n" } });
  gh.addUser("alice", { permissions: { [REPO]: "write" } });
  gh.addUser("dependabot[bot]", { type: "Bot", permissions: { [REPO]: "write" } });
  gh.createIssue(REPO, { title: "bug", body: "it breaks", user: "alice" });
  gh.addInstallation({ id: 9, account: { login: "acme", type: "Organization" }, repositories: [REPO] });

  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  await upsertInstallation(database.db, { id: 9, accountLogin: "acme", accountType: "Organization" });
  await upsertRepositories(database.db, 9, [{ id: repo.id, fullName: REPO, private: false }]);

  const config = testConfig({ GITHUB_API_URL: gh.url, PRIVATE_KEY: gh.privateKey });
  queues = new Queues(config.REDIS_URL, config.LEGO_QUEUE_PREFIX);
  probot = createProbot(config, createLogger("silent"), { retries: false });
  await probot.load(legoApp({ db: database.db, queues }));
});

afterAll(async () => {
  await queues?.get("harvest").obliterate({ force: true });
  await queues?.close();
  await database?.close();
  await temp?.drop();
  await gh?.close();
});

describe("pull_request.closed", () => {
  it("enqueues one harvest job per merged PR, with a deterministic id", async () => {
    const n = await mergedPr();
    await receivePrClosed(n);
    await receivePrClosed(n);
    const job = await queues.get("harvest").getJob(`harvest-acme_gadgets-${n}`);
    expect(job?.data).toMatchObject({ installationId: 9, repo: REPO, pullNumber: n });
    expect(await queues.get("harvest").getJobCounts("waiting")).toEqual({ waiting: 1 });
  });

  it("skips PRs by bots and PRs closed without merging", async () => {
    const botPr = await mergedPr({ user: "dependabot[bot]" });
    await receivePrClosed(botPr);
    expect(await queues.get("harvest").getJob(`harvest-acme_gadgets-${botPr}`)).toBeUndefined();

    await gh.commitFiles(REPO, { branch: "unmerged", from: "main", message: "x", author: "alice", files: { "a.py": "1\n" } });
    const pr = await gh.createPullRequest(REPO, { title: "t", head: "unmerged", user: "alice" });
    gh.closeIssue(REPO, pr.number);
    await receivePrClosed(pr.number);
    expect(await queues.get("harvest").getJob(`harvest-acme_gadgets-${pr.number}`)).toBeUndefined();
  });
});

describe(".github/lego.yml", () => {
  it("turns an invalid file into one Action Required issue, updated in place, closed once fixed", async () => {
    await setLegoYml("autofix:\n  trigger: sometimes\n");
    const first = await mergedPr();
    await receivePrClosed(first);
    expect(await queues.get("harvest").getJob(`harvest-acme_gadgets-${first}`)).toBeUndefined();
    const issues = () => [...gh.state.issues.values()].filter((i) => i.title === CONFIG_ISSUE_TITLE);
    expect(issues()).toHaveLength(1);
    expect(issues()[0]?.body).toMatch(/autofix\.trigger: Invalid option/);
    const number = issues()[0]?.number;
    expect((await getRepository(database.db, REPO))?.configIssueNumber).toBe(number);

    await setLegoYml("harvest: [unclosed\n");
    await receivePrClosed(await mergedPr());
    expect(issues()).toHaveLength(1);
    expect(issues()[0]?.body).toMatch(/not valid YAML/);

    await setLegoYml("harvest:\n  maxFiles: 10\n");
    const fixed = await mergedPr();
    await receivePrClosed(fixed);
    expect(issues()[0]?.state).toBe("closed");
    expect(await queues.get("harvest").getJob(`harvest-acme_gadgets-${fixed}`)).toBeDefined();
    expect((await getRepository(database.db, REPO))?.configIssueNumber).toBeNull();
  });

  it("records the trajgen section on the repository's row as each event reads it; a broken file leaves the last one", async () => {
    await setLegoYml("trajgen:\n  k: 1\n  maxCostUsdPerDay: 3\n");
    await receivePrClosed(await mergedPr());
    expect(await repoTrajgen(database.db, REPO)).toEqual({ k: 1, maxCostUsdPerDay: 3 });
    await setLegoYml("trajgen:\n  k: -1\n");
    await receivePrClosed(await mergedPr());
    expect(await repoTrajgen(database.db, REPO)).toEqual({ k: 1, maxCostUsdPerDay: 3 });
    await setLegoYml("# all defaults\n");
    await receivePrClosed(await mergedPr());
    expect(await repoTrajgen(database.db, REPO)).toEqual({});
  });

  it("pauses harvesting when the file turns it off", async () => {
    await setLegoYml("harvest:\n  enabled: false\n");
    const n = await mergedPr();
    await receivePrClosed(n);
    expect(await queues.get("harvest").getJob(`harvest-acme_gadgets-${n}`)).toBeUndefined();
    await setLegoYml("# all defaults\n");
  });
});
