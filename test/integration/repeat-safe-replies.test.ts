// A webhook job killed after its handler replied but before the delivery was recorded processed
// runs again on another worker: the re-run finds the reply on GitHub (the double) by its delivery
// marker and posts nothing. Driven through processWebhookDelivery, real Probot, real database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { getDelivery, insertDelivery } from "../../db/deliveries.js";
import { attemptsForIssue } from "../../db/fixes.js";
import { upsertInstallation, upsertRepositories } from "../../db/installations.js";
import { legoApp } from "../../handlers/index.js";
import { deliveryIdsIn } from "../../src/github/delivery-reply.js";
import { createProbot } from "../../src/github/probot.js";
import { createLogger } from "../../src/logger.js";
import { jobId, Queues } from "../../src/queue.js";
import { updateProgress } from "../../src/fix/progress.js";
import { processWebhookDelivery } from "../../workers/webhooks.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { requireRedis } from "../support/services.js";
import { testConfig, testPrivateKey } from "../support/test-config.js";

const REPO = "acme/once";
let gh: GitHubDouble;
let temp: TempDatabase;
let database: DatabaseHandle;
let queues: Queues;
let probot: ReturnType<typeof createProbot>;
/** The same app with a policy model, so `/lego fix` starts an attempt. */
let probotFix: ReturnType<typeof createProbot>;
let n = 0;

/** A stored delivery of `/lego <command>` on a fresh issue. */
async function commandDelivery(command: string): Promise<{ id: string; issue: number }> {
  const issue = gh.createIssue(REPO, { title: `issue ${++n}`, user: "alice" });
  const comment = gh.addIssueComment(REPO, issue.number, { body: command, user: "alice" });
  const id = `once-${n}-${comment.id}`;
  await insertDelivery(database.db, { id, event: "issue_comment", action: "created", installationId: 9, repository: REPO, payload: gh.payloads.issueCommentCreated(REPO, comment.id) });
  return { id, issue: issue.number };
}

const botReplies = (issue: number) => [...gh.state.comments.values()].filter((c) => c.issue.number === issue && c.issue.repo.fullName === REPO && c.user.login === gh.botLogin);

/** The handler runs and replies, then the worker "dies" before the delivery is recorded. */
const killedAfterReply = { receive: async (event: Parameters<typeof probot.receive>[0]) => {
  await probot.receive(event);
  throw new Error("SIGKILL");
} };

beforeAll(async () => {
  await requireRedis();
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "s" });
  const repo = await gh.createRepo(REPO, { files: { "README.md": "hi\n" } });
  gh.addUser("alice", { permissions: { [REPO]: "write" } });
  gh.addInstallation({ id: 9, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  await upsertInstallation(database.db, { id: 9, accountLogin: "acme", accountType: "Organization" });
  await upsertRepositories(database.db, 9, [{ id: repo.id, fullName: REPO, private: false }]);
  const config = testConfig({ GITHUB_API_URL: gh.url, PRIVATE_KEY: gh.privateKey });
  queues = new Queues(config.REDIS_URL, config.LEGO_QUEUE_PREFIX);
  probot = createProbot(config, createLogger("silent"), { retries: false });
  await probot.load(legoApp({ db: database.db, queues, fixEnabled: false }));
  probotFix = createProbot(config, createLogger("silent"), { retries: false });
  await probotFix.load(legoApp({ db: database.db, queues, fixEnabled: true }));
});

afterAll(async () => {
  await queues?.get("fix").obliterate({ force: true });
  await queues?.close();
  await database?.close();
  await temp?.drop();
  await gh?.close();
});

describe("a delivery re-run after its worker was killed", () => {
  for (const command of ["/lego help", "/lego fix"]) {
    it(`posts one reply to \`${command}\`, marked with the delivery`, async () => {
      const d = await commandDelivery(command);
      await expect(processWebhookDelivery({ deliveryId: d.id }, { db: database.db, probot: killedAfterReply }, { attemptsMade: 0, attemptsStarted: 1 })).rejects.toThrow("SIGKILL");
      expect(botReplies(d.issue)).toHaveLength(1);
      expect((await getDelivery(database.db, d.id))?.status).not.toBe("processed");

      // BullMQ hands the stalled job to another worker: started twice, no failure counted.
      await expect(processWebhookDelivery({ deliveryId: d.id }, { db: database.db, probot }, { attemptsMade: 0, attemptsStarted: 2 })).resolves.toBe("processed");
      const replies = botReplies(d.issue);
      expect(replies).toHaveLength(1);
      expect(deliveryIdsIn(replies[0]!.body)).toEqual([d.id]);
      expect((await getDelivery(database.db, d.id))?.status).toBe("processed");
    });
  }

  it("replies again when the first run was killed before it could reply", async () => {
    const d = await commandDelivery("/lego help");
    const killedBeforeReply = { receive: async () => Promise.reject(new Error("SIGKILL")) };
    await expect(processWebhookDelivery({ deliveryId: d.id }, { db: database.db, probot: killedBeforeReply })).rejects.toThrow("SIGKILL");
    expect(botReplies(d.issue)).toHaveLength(0);
    await processWebhookDelivery({ deliveryId: d.id }, { db: database.db, probot }, { attemptsMade: 0, attemptsStarted: 2 });
    expect(botReplies(d.issue)).toHaveLength(1);
  });

  it("a re-run not known as one would post twice (what the marker look-up prevents)", async () => {
    const d = await commandDelivery("/lego help");
    await expect(processWebhookDelivery({ deliveryId: d.id }, { db: database.db, probot: killedAfterReply })).rejects.toThrow("SIGKILL");
    await processWebhookDelivery({ deliveryId: d.id }, { db: database.db, probot }, { attemptsMade: 0, attemptsStarted: 1 });
    expect(botReplies(d.issue)).toHaveLength(2);
  });

  it("the 👀 reaction of a re-run is GitHub's existing one (200), not a second", async () => {
    const d = await commandDelivery("/lego help");
    await expect(processWebhookDelivery({ deliveryId: d.id }, { db: database.db, probot: killedAfterReply })).rejects.toThrow("SIGKILL");
    await processWebhookDelivery({ deliveryId: d.id }, { db: database.db, probot }, { attemptsMade: 0, attemptsStarted: 2 });
    const command = [...gh.state.comments.values()].find((c) => c.issue.number === d.issue && c.user.login === "alice")!;
    expect(command.reactions.filter((r) => r.content === "eyes")).toHaveLength(1);
  });

  it("/lego fix: the progress comment, edited since, is still found; the attempt is queued once", async () => {
    const d = await commandDelivery("/lego fix");
    const killed = { receive: async (event: Parameters<typeof probotFix.receive>[0]) => {
      await probotFix.receive(event);
      throw new Error("SIGKILL");
    } };
    await expect(processWebhookDelivery({ deliveryId: d.id }, { db: database.db, probot: killed })).rejects.toThrow("SIGKILL");
    const [attempt, ...others] = await attemptsForIssue(database.db, REPO, d.issue);
    expect(others).toHaveLength(0);
    // A fix worker re-renders the progress comment before the delivery runs again.
    await updateProgress(database.db, await probotFix.auth(9), attempt!, { phase: "running" });
    expect(botReplies(d.issue)[0]!.body).toMatch(/running/i);
    // As if the worker had died before queueing the job: the re-run queues it.
    await queues.get("fix").remove(jobId("fix", attempt!.id));
    await processWebhookDelivery({ deliveryId: d.id }, { db: database.db, probot: probotFix }, { attemptsMade: 0, attemptsStarted: 2 });
    const replies = botReplies(d.issue);
    expect(replies).toHaveLength(1);
    expect(deliveryIdsIn(replies[0]!.body)).toEqual([d.id]);
    expect(await attemptsForIssue(database.db, REPO, d.issue)).toHaveLength(1);
    expect((await queues.get("fix").getJob(jobId("fix", attempt!.id)))?.data).toMatchObject({ attemptId: attempt!.id });
  });
});
