// Horizontal workers: one `lego web` and two `lego worker` processes on the same PostgreSQL and
// Redis. A burst of signed deliveries (new issues) and fix requests (/lego fix k=2, each a BullMQ
// flow of a fix job, two rollouts in real containers and a select job) goes through them; every
// job is done exactly once, by one of the two workers, and both workers take part.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { attemptsForIssue, rolloutsForAttempt } from "../../db/fixes.js";
import { webhookDeliveries } from "../../db/schema.js";
import { pythonProject } from "../support/fixture-repos.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { type LegoProcess, startLego, waitFor } from "../support/lego-process.js";
import { type ModelDouble, startModelDouble } from "../support/model-double.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { policyResponder, verifierResponder } from "../support/scripted-agent.js";
import { requireRedis, TEST_CACHE_DIR, TEST_REDIS_URL } from "../support/services.js";
import { testPrivateKey, uniquePrefix } from "../support/test-config.js";

const REPO = "acme/calc";
const NEW_ISSUES = 24;
const FIXES = 2;
const work = mkdtempSync(path.join(os.tmpdir(), "lego-horizontal-"));
let gh: GitHubDouble;
let models: ModelDouble;
let temp: TempDatabase;
let db: DatabaseHandle;
let web: LegoProcess | undefined;
const workers: LegoProcess[] = [];

/** The jobs a worker process finished, from its own log lines: queue and job id. */
function jobsDone(p: LegoProcess): string[] {
  return p.lines
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { msg?: string; queue?: string; job?: string })
    .filter((r) => r.msg === "job done")
    .map((r) => `${r.queue}/${r.job}`);
}

beforeAll(async () => {
  await requireRedis();
  temp = await createTempDatabase();
  gh = await startGitHubDouble({ appId: 4343, privateKey: testPrivateKey(), webhookSecret: "h-secret" });
  await gh.createRepo(REPO, { files: { ...(pythonProject as Record<string, string>), ".github/lego.yml": "autofix:\n  maxOpenPrs: 10\n  maxPrsPerHour: 10\n" } });
  gh.addUser("alice", { permissions: { [REPO]: "write" } });
  gh.addInstallation({ id: 77, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
  models = await startModelDouble({ apiKey: "model-key" });
  models.respondWith(policyResponder(() => "correct"), { model: "policy" });
  models.respondWith(verifierResponder(), { model: "verifier" });
  const env = {
    APP_ID: "4343",
    PRIVATE_KEY: gh.privateKey,
    WEBHOOK_SECRET: "h-secret",
    GITHUB_API_URL: gh.url,
    DATABASE_URL: temp.url,
    REDIS_URL: TEST_REDIS_URL,
    LEGO_QUEUE_PREFIX: uniquePrefix(),
    LEGO_CACHE_DIR: TEST_CACHE_DIR,
    LEGO_POLICY_BASE_URL: models.baseURL,
    LEGO_POLICY_MODEL: "policy",
    LEGO_POLICY_API_KEY: "model-key",
    LEGO_VERIFIER_MODEL: "verifier",
    LEGO_SANDBOX_CPUS: "1",
    LEGO_SANDBOX_MEMORY_MB: "1024",
    LEGO_WORKER_CONCURRENCY: "2",
    LOG_LEVEL: "info",
  };
  web = await startLego("web", { ...env, LEGO_DATA_DIR: path.join(work, "web") }, work);
  // Migrations ran in the web process; the workers start on the same schema side by side.
  workers.push(...(await Promise.all([1, 2].map((n) => startLego("worker", { ...env, LEGO_DATA_DIR: path.join(work, `worker-${n}`) }, work)))));
  gh.setWebhookUrl(`${web.url}/api/github/webhooks`);
  db = await openDatabase({ url: temp.url, dataDir: "unused" });
  expect((await gh.deliver("installation", gh.payloads.installationCreated(77))).status).toBe(202);
}, 180_000);

afterAll(async () => {
  for (const p of [web, ...workers]) {
    const code = await p?.stop();
    if (code !== 0 && p) console.error(p.lines.slice(-40).join("\n"));
  }
  await db?.close();
  await models?.close();
  await gh?.close();
  await temp?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe("one web and two workers on the same database and Redis", () => {
  it("does every job of a burst exactly once, on both workers", async () => {
    const fixIssues = Array.from({ length: FIXES }, (_, i) => gh.createIssue(REPO, { title: `add() is wrong (${i})`, body: "`add(1, 2)` returns -1.", user: "alice" }));
    const plainIssues = Array.from({ length: NEW_ISSUES }, (_, i) => gh.createIssue(REPO, { title: `question ${i}`, body: "How do I use it?", user: "alice" }));
    const sent = await Promise.all([
      ...plainIssues.map((issue) => gh.deliver("issues", gh.payloads.issuesOpened(REPO, issue.number))),
      ...fixIssues.map((issue) => gh.deliver("issue_comment", gh.payloads.issueCommentCreated(REPO, gh.addIssueComment(REPO, issue.number, { body: "/lego fix k=2", user: "alice" }).id))),
    ]);
    expect(sent.map((d) => d.status)).toEqual(sent.map(() => 202));

    const attempts = await waitFor(
      "every fix to open its PR",
      async () => {
        const all = await Promise.all(fixIssues.map(async (i) => (await attemptsForIssue(db.db, REPO, i.number))[0]));
        return all.every((a) => a && ["pr-open", "no-candidate", "failed", "rate-limited"].includes(a.status)) ? all : undefined;
      },
      420_000,
      1000,
    );
    for (const a of attempts) expect(a, JSON.stringify(a)).toMatchObject({ status: "pr-open", k: 2 });

    // Deliveries: each stored once and processed once.
    const deliveries = await db.db.select().from(webhookDeliveries);
    expect(deliveries).toHaveLength(1 + NEW_ISSUES + FIXES);
    expect(deliveries.filter((d) => d.status !== "processed").map((d) => `${d.id}: ${d.status} ${d.error}`)).toEqual([]);

    // Fixes: one attempt per request, k rollouts each, one PR and one progress comment each.
    for (const issue of fixIssues) expect(await attemptsForIssue(db.db, REPO, issue.number)).toHaveLength(1);
    const rollouts = (await Promise.all(attempts.map((a) => rolloutsForAttempt(db.db, a!.id)))).flat();
    expect(rollouts).toHaveLength(FIXES * 2);
    const pulls = [...gh.state.issues.values()].filter((i) => i.pull && i.user.login === gh.botLogin);
    expect(pulls).toHaveLength(FIXES);
    for (const issue of fixIssues) {
      expect([...gh.state.comments.values()].filter((c) => c.issue === gh.state.issues.get(`${REPO}#${issue.number}`) && c.user.login === gh.botLogin)).toHaveLength(1);
    }
    // Each rollout talked to the model once through: the same number of turns, never a rerun.
    const perRollout = new Map<string, number>();
    for (const r of models.chatRequests("policy")) perRollout.set(String(r.user), (perRollout.get(String(r.user)) ?? 0) + 1);
    expect([...perRollout.keys()].sort()).toEqual(rollouts.map((r) => r.id).sort());
    expect(new Set(perRollout.values()).size).toBe(1);

    // The workers' own accounts: no job twice, all of them done, both workers busy.
    const done = await waitFor("the select jobs' log lines", async () => {
      const lists = workers.map(jobsDone);
      return lists.flat().filter((j) => j.startsWith("fix-select/")).length === FIXES ? lists : undefined;
    });
    const all = done.flat();
    expect(all.length).toBe(new Set(all).size);
    const byQueue = (q: string) => all.filter((j) => j.startsWith(`${q}/`)).length;
    expect(byQueue("webhooks")).toBe(1 + NEW_ISSUES + FIXES);
    expect(byQueue("fix")).toBe(FIXES);
    expect(byQueue("rollout")).toBe(FIXES * 2);
    for (const [i, list] of done.entries()) expect(list.length, `worker ${i + 1} did no job`).toBeGreaterThan(0);
    expect(web?.lines.some((l) => l.includes('"msg":"job done"'))).toBe(false);
  }, 480_000);
});
