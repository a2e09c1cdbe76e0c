// SIGTERM to a real `lego serve` whose only job is stuck in a GitHub call that never returns:
// the process releases the job after LEGO_SHUTDOWN_TIMEOUT_SEC and exits (it used to log the
// release and then hang forever); a second signal exits at once.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { type LegoProcess, startLego, waitFor } from "../support/lego-process.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { requireRedis, TEST_CACHE_DIR, TEST_REDIS_URL } from "../support/services.js";
import { testPrivateKey, uniquePrefix } from "../support/test-config.js";

const REPO = "acme/stuck";
const SHUTDOWN_SEC = 2;
/** The grace the process gives connections after the deadline, plus slack for a loaded machine. */
const SLACK_MS = 5_000 + 8_000;

let gh: GitHubDouble;
let temp: TempDatabase;
const work = mkdtempSync(path.join(os.tmpdir(), "lego-shutdown-"));

async function serveWithStuckJob(shutdownSec: number): Promise<LegoProcess> {
  const lego = await startLego(
    "serve",
    {
      APP_ID: "4242",
      PRIVATE_KEY: gh.privateKey,
      WEBHOOK_SECRET: "stuck-secret",
      GITHUB_API_URL: gh.url,
      DATABASE_URL: temp.url,
      REDIS_URL: TEST_REDIS_URL,
      LEGO_QUEUE_PREFIX: uniquePrefix(),
      LEGO_DATA_DIR: path.join(work, "data"),
      LEGO_CACHE_DIR: TEST_CACHE_DIR,
      LEGO_SHUTDOWN_TIMEOUT_SEC: String(shutdownSec),
      // Longer than the test: the call stays stuck, as a connection that never answers does.
      LEGO_HTTP_TIMEOUT_SEC: "600",
      LOG_LEVEL: "info",
    },
    work,
  );
  gh.setWebhookUrl(`${lego.url}/api/github/webhooks`);
  gh.reset();
  const c = gh.addIssueComment(REPO, 1, { body: "/lego help", user: "alice" });
  await gh.deliver("issue_comment", gh.payloads.issueCommentCreated(REPO, c.id));
  // The webhook job checks alice's permission: that call never gets an answer.
  await waitFor("the stuck permission call", async () => (gh.callsTo("GET", `/repos/${REPO}/collaborators/alice/permission`).length ? true : undefined), 60_000);
  return lego;
}

beforeAll(async () => {
  await requireRedis();
  temp = await createTempDatabase();
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "stuck-secret" });
  await gh.createRepo(REPO, { files: { "README.md": "hi\n" } });
  gh.addUser("alice", { permissions: { [REPO]: "write" } });
  gh.createIssue(REPO, { title: "bug", user: "alice" });
  gh.addInstallation({ id: 61, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
  gh.fault("GET", `/repos/${REPO}/collaborators/:user/permission`, { hang: true });
}, 60_000);

afterAll(async () => {
  await gh?.close();
  await temp?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe("lego serve on SIGTERM with a job stuck in a network call", () => {
  it("releases the job after LEGO_SHUTDOWN_TIMEOUT_SEC and exits", async () => {
    const lego = await serveWithStuckJob(SHUTDOWN_SEC);
    const sent = Date.now();
    const exited = lego.stop("SIGTERM");
    const code = await Promise.race([exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), SHUTDOWN_SEC * 1000 + SLACK_MS))]);
    if (code === "hung") lego.proc.kill("SIGKILL");
    expect(code, lego.lines.slice(-20).join("\n")).not.toBe("hung");
    expect(Date.now() - sent).toBeGreaterThanOrEqual(SHUTDOWN_SEC * 1000);
    expect(lego.lines.some((l) => l.includes("active jobs did not finish in time; releasing them to be retried"))).toBe(true);
  }, 120_000);

  it("exits at once on a second signal", async () => {
    const lego = await serveWithStuckJob(300);
    const exited = lego.stop("SIGTERM");
    await waitFor("the shutdown to begin", async () => (lego.lines.some((l) => l.includes("shutting down")) ? true : undefined), 10_000, 50);
    lego.proc.kill("SIGTERM");
    const code = await Promise.race([exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), SLACK_MS))]);
    if (code === "hung") lego.proc.kill("SIGKILL");
    expect(code, lego.lines.slice(-20).join("\n")).toBe(1);
    expect(lego.lines.some((l) => l.includes("second signal: exiting now"))).toBe(true);
  }, 120_000);
});
