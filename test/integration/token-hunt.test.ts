// The token hunt, on the real code paths: `lego serve` runs with distinctive canary secrets in its
// environment (the app's private key, webhook secret, OAuth client secret, dashboard, session and
// metrics tokens, every model API key, a package index URL with credentials, a database URL with
// a password) and gets installation tokens from the GitHub double. A merged PR is harvested and
// validated in Docker, the teacher's trajectory rollout and a `/lego fix` attempt run with the
// model double, and the PR is pushed. Meanwhile:
// - the agent itself hunts from `execute_bash` (the scripted policy and teacher run the hunt as
//   their first command; what they saw is the tool result in their next request), and
// - every sandbox container that appears is hunted from outside while it runs: `docker inspect`
//   of the container and its image (Env, Cmd, Entrypoint, Labels, mounts, image history), and a
//   `docker exec` of the same hunt: env, every /proc/*/environ and /proc/*/cmdline, the git config
//   and remotes of /repo, and a bounded grep over every file.
// Each attempt is recorded with what it saw (printed, and written to $LEGO_TOKEN_HUNT_REPORT).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { attemptsForIssue, rolloutsForAttempt } from "../../db/fixes.js";
import { rollouts, taskInstances } from "../../db/schema.js";
import { createDocker } from "../../sandbox/docker.js";
import { OWNER_LABEL } from "../../sandbox/labels.js";
import { pythonFix, pythonProject } from "../support/fixture-repos.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { type LegoProcess, startLego, waitFor } from "../support/lego-process.js";
import { type ModelDouble, startModelDouble } from "../support/model-double.js";
import type { ChatRequest, Reply, Responder } from "../support/model-double/types.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { verifierResponder } from "../support/scripted-agent.js";
import { requireRedis, TEST_BASE_IMAGE, TEST_CACHE_DIR, TEST_REDIS_URL } from "../support/services.js";
import { testPrivateKey, uniquePrefix } from "../support/test-config.js";

const REPO = "acme/hunted";
const docker = createDocker();
const work = mkdtempSync(path.join(os.tmpdir(), "lego-token-hunt-"));
// Every canary holds "c4n4ry", which the in-container grep looks for (spelt apart there, so the
// hunt's own command line never matches itself).
const tag = () => `c4n4ry-${randomBytes(6).toString("hex")}`;
const MODEL_KEY = `sk-model-${tag()}`;
const CANARIES: Record<string, string> = {
  WEBHOOK_SECRET: `whsec-${tag()}`,
  LEGO_POLICY_API_KEY: MODEL_KEY,
  LEGO_WRITER_API_KEY: `sk-writer-${tag()}`,
  GITHUB_CLIENT_SECRET: `client-secret-${tag()}`,
  LEGO_DASHBOARD_TOKEN: `dash-${tag()}`,
  LEGO_SESSION_SECRET: `session-${tag()}-${"s".repeat(16)}`,
  LEGO_METRICS_TOKEN: `metrics-${tag()}`,
  PIP_PASSWORD: `pip-${tag()}`,
  DATABASE_PASSWORD: `db-${tag()}`,
};
// The private key: its body lines are what would leak (the PEM armour alone proves nothing).
const privateKey = testPrivateKey();
const keyLines = privateKey.split("\n").filter((l) => l.length >= 40 && !l.startsWith("-----"));

const HUNT = [
  'echo "== env"; env',
  'echo "== environ"; for f in /proc/[0-9]*/environ; do tr "\\0" "\\n" < "$f"; echo; done 2>/dev/null | sort -u',
  'echo "== cmdline"; for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < "$f"; echo; done 2>/dev/null',
  'echo "== git"; git -C /repo config --list --show-origin 2>&1; git -C /repo remote -v 2>&1; cat /repo/.git/config ~/.gitconfig /etc/gitconfig ~/.git-credentials ~/.netrc ~/.pip/pip.conf ~/.config/pip/pip.conf /etc/pip.conf 2>/dev/null',
  // -o prints only the match: a canary's value, a token, a key line, the Basic header git would send.
  'echo "== files"; timeout 90 grep -rIoE -e "ghs_[A-Za-z0-9]{36}" -e "c4n4""ry-[0-9a-f]{12}" -e "eC1hY2Nlc3Mt""dG9rZW46[A-Za-z0-9+/=]*" -e "PRIVATE KEY""-----" / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null | grep -v "^/usr/.*PRIVATE KEY-----$" | head -100',
  'echo "== hunted"',
].join("; ");

interface HuntRecord {
  phase: string;
  by: "agent" | "outside";
  container: string;
  role: string;
  /** What the hunt saw (the agent's observation, or the outside scan's output), shortened. */
  saw: string;
  complete: boolean;
  leaks: string[];
}
const records: HuntRecord[] = [];
let phase = "setup";
let gh: GitHubDouble;
let models: ModelDouble;
let temp: TempDatabase;
let db: DatabaseHandle;
let lego: LegoProcess | undefined;

/** Every secret value the process held or was issued so far, by name. */
function secrets(): [string, string][] {
  const tokens = [...gh.state.tokens.keys()];
  return [
    ...Object.entries(CANARIES),
    ...keyLines.map((l, i) => [`PRIVATE_KEY line ${i + 1}`, l] as [string, string]),
    ...tokens.map((t) => ["installation token", t] as [string, string]),
    ...tokens.map((t) => ["installation token (git Basic header)", Buffer.from(`x-access-token:${t}`).toString("base64")] as [string, string]),
  ];
}

/**
 * The names of the secrets in `text`, and any token-shaped or canary-shaped string at all. An
 * environment build's install commands are given the package index (credentials and all) in
 * their own environment, by design: that one is allowed there, and recorded.
 */
function leaksIn(text: string, role: string): string[] {
  const allowed = role === "env-build" ? [CANARIES.PIP_PASSWORD!] : [];
  const found = secrets()
    .filter(([, v]) => text.includes(v) && !allowed.includes(v))
    .map(([k]) => k);
  if (/ghs_[A-Za-z0-9]{36}/.test(text)) found.push("a ghs_ token");
  const canaries = [...text.matchAll(/c4n4ry-[0-9a-f]{12}/g)].map((m) => m[0]).filter((c) => !allowed.some((a) => a.includes(c)));
  if (canaries.length) found.push("a canary");
  return [...new Set(found)];
}

function record(r: Omit<HuntRecord, "leaks">): void {
  records.push({ ...r, leaks: leaksIn(r.saw, r.role), saw: r.saw.length > 4000 ? `${r.saw.slice(0, 4000)}…` : r.saw });
}

// ---- the hunt from outside: every sandbox container, while it runs ----
const scanned = new Map<string, number>();
let polling = true;
let poller: Promise<void> | undefined;
/** The sandboxes of this test's `lego serve` (other suites' containers are theirs to hunt). */
let owner: string | undefined;

async function huntOutside(id: string, role: string): Promise<void> {
  const c = docker.getContainer(id);
  let saw = "";
  let complete = false;
  try {
    const info = await c.inspect();
    const image = await docker.getImage(info.Image).inspect().catch(() => null);
    const history = await docker.getImage(info.Image).history().catch(() => []);
    saw += `== inspect\n${JSON.stringify({ Env: info.Config.Env, Cmd: info.Config.Cmd, Entrypoint: info.Config.Entrypoint, Labels: info.Config.Labels, Mounts: info.Mounts, Binds: info.HostConfig.Binds })}\n`;
    saw += `== image\n${JSON.stringify({ Env: image?.Config?.Env, Cmd: image?.Config?.Cmd, Labels: image?.Config?.Labels, History: (history as { CreatedBy?: string }[]).map((h) => h.CreatedBy) })}\n`;
    const exec = await c.exec({ Cmd: ["sh", "-c", HUNT], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) => {
      stream.on("data", (d: Buffer) => chunks.push(d));
      stream.on("end", () => resolve());
      stream.on("error", () => resolve());
      setTimeout(resolve, 150_000).unref();
    });
    // Docker's multiplexed frames: the 8-byte headers are harmless to a substring search.
    const out = Buffer.concat(chunks).toString("utf8");
    saw += out;
    complete = out.includes("== hunted");
  } catch (err) {
    saw += `(the container went away: ${(err as Error).message.slice(0, 200)})`;
  }
  record({ phase, by: "outside", container: id.slice(0, 12), role, saw, complete });
}

async function poll(): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  while (polling) {
    const list = owner ? await docker.listContainers({ filters: { label: [`${OWNER_LABEL}=${owner}`], status: ["running"] } }).catch(() => []) : [];
    for (const c of list) {
      // Twice per container at most: once when it appears, once a few seconds later (a build or
      // a test run starts processes after the container does).
      const seen = scanned.get(c.Id);
      if (inFlight.size >= 2 || (seen !== undefined && (seen >= 2 || Date.now() - (c.Created * 1000) < 5_000))) continue;
      scanned.set(c.Id, (seen ?? 0) + 1);
      const p = huntOutside(c.Id, c.Labels["org.legofactory.role"] ?? "?").finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await Promise.all(inFlight);
}

// ---- the hunt from inside: the agent's own first command ----
function huntingAgent(): Responder {
  const steps = [
    { name: "execute_bash", args: { command: HUNT } },
    { name: "str_replace_editor", args: { command: "str_replace", path: "/repo/calc/ops.py", old_str: "def add(a, b):\n    return a - b", new_str: "def add(a, b):\n    return a + b" } },
    { name: "finish", args: { message: "add() returned a - b; it now returns a + b." } },
  ];
  return (req: ChatRequest): Reply => {
    const turn = req.messages.filter((m) => m.role === "assistant").length;
    if (turn === 1) {
      // The tool result of the hunt: exactly what the agent saw.
      const result = req.messages.at(-1);
      const saw = typeof result?.content === "string" ? result.content : JSON.stringify(result?.content ?? "");
      record({ phase, by: "agent", container: String(req.user ?? ""), role: req.model, saw, complete: saw.includes("== hunted") });
    }
    const call = steps[Math.min(turn, steps.length - 1)]!;
    return req.tools?.length ? { toolCalls: [{ name: call.name, arguments: call.args }] } : { content: `<function=${call.name}>\n${Object.entries(call.args).map(([k, v]) => `<parameter=${k}>${v}</parameter>`).join("\n")}\n</function>` };
  };
}

beforeAll(async () => {
  await requireRedis();
  temp = await createTempDatabase();
  gh = await startGitHubDouble({ appId: 4242, privateKey, webhookSecret: CANARIES.WEBHOOK_SECRET! });
  await gh.createRepo(REPO, { files: { ...(pythonProject as Record<string, string>), "tests/conftest.py": "import time\n\n\ndef pytest_sessionstart(session):\n    time.sleep(3)  # long enough to be hunted from outside\n" } });
  gh.addUser("alice", { permissions: { [REPO]: "write" } });
  gh.addInstallation({ id: 77, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
  models = await startModelDouble({ apiKey: MODEL_KEY });
  models.respondWith(huntingAgent(), { model: "policy" });
  models.respondWith(huntingAgent(), { model: "teacher" });
  models.respondWith(verifierResponder(), { model: "verifier" });
  const dbUrl = new URL(temp.url);
  dbUrl.password = CANARIES.DATABASE_PASSWORD!; // trust authentication: accepted and ignored
  poller = poll();
  lego = await startLego(
    "serve",
    {
      APP_ID: "4242",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: CANARIES.WEBHOOK_SECRET!,
      GITHUB_CLIENT_ID: "Iv1.huntclient",
      GITHUB_CLIENT_SECRET: CANARIES.GITHUB_CLIENT_SECRET!,
      LEGO_DASHBOARD_TOKEN: CANARIES.LEGO_DASHBOARD_TOKEN!,
      LEGO_SESSION_SECRET: CANARIES.LEGO_SESSION_SECRET!,
      LEGO_METRICS_TOKEN: CANARIES.LEGO_METRICS_TOKEN!,
      GITHUB_API_URL: gh.url,
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: TEST_REDIS_URL,
      LEGO_QUEUE_PREFIX: uniquePrefix(),
      LEGO_DATA_DIR: path.join(work, "data"),
      LEGO_CACHE_DIR: TEST_CACHE_DIR,
      LEGO_POLICY_BASE_URL: models.baseURL,
      LEGO_POLICY_MODEL: "policy",
      LEGO_POLICY_API_KEY: MODEL_KEY,
      LEGO_VERIFIER_BASE_URL: models.baseURL,
      LEGO_VERIFIER_MODEL: "verifier",
      LEGO_VERIFIER_API_KEY: MODEL_KEY,
      LEGO_TEACHER_BASE_URL: models.baseURL,
      LEGO_TEACHER_MODEL: "teacher",
      LEGO_TEACHER_API_KEY: MODEL_KEY,
      LEGO_WRITER_API_KEY: CANARIES.LEGO_WRITER_API_KEY!,
      LEGO_TRAJGEN_K: "1",
      // A private index with credentials in its URL (unreachable here: builds fall back as offline).
      LEGO_PIP_INDEX_URL: `http://lego:${CANARIES.PIP_PASSWORD}@127.0.0.1:9/simple`,
      LEGO_SANDBOX_CPUS: "1",
      LEGO_SANDBOX_MEMORY_MB: "1024",
      LOG_LEVEL: "info",
    },
    work,
  );
  owner = `${os.hostname()}:${lego.proc.pid}`;
  gh.setWebhookUrl(`${lego.url}/api/github/webhooks`);
  db = await openDatabase({ url: temp.url, dataDir: "unused" });
  expect((await gh.deliver("installation", gh.payloads.installationCreated(77))).status).toBe(202);
}, 180_000);

afterAll(async () => {
  polling = false;
  await poller;
  const code = await lego?.stop();
  if (code !== 0 && lego) console.error(lego.lines.slice(-60).join("\n"));
  await db?.close();
  await models?.close();
  await gh?.close();
  await temp?.drop();
  rmSync(work, { recursive: true, force: true });
  if (process.env.LEGO_TOKEN_HUNT_REPORT) writeFileSync(process.env.LEGO_TOKEN_HUNT_REPORT, `${JSON.stringify(records, null, 2)}\n`);
  console.log(records.map((r) => `[${r.phase}] ${r.by} ${r.role} ${r.container}: ${r.complete ? "complete" : "incomplete"}, ${r.leaks.length ? `LEAKS ${r.leaks.join(", ")}` : "nothing found"} (${r.saw.length} chars seen)`).join("\n"));
});

describe("the token hunt during harvest, validation, rollouts and fix attempts", () => {
  it("finds secrets planted where a leak would put them (the hunt can fail)", async () => {
    const token = gh.installationToken(77);
    const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
    const plant = [
      "mkdir -p /repo /var/tmp/x && cd /repo && git init -q .",
      `git remote add origin http://x-access-token:${token}@github.invalid/acme/hunted.git`,
      `git config http.extraHeader "Authorization: Basic ${basic}"`,
      `printf '%s\\n' '${keyLines[3]}' > /var/tmp/x/key`,
      `(exec -a "worker --secret=${CANARIES.WEBHOOK_SECRET}" sleep 600 &)`,
      "sleep 600",
    ].join("; ");
    const c = await docker.createContainer({ Image: TEST_BASE_IMAGE, Cmd: ["bash", "-c", plant], Env: [`LEGO_POLICY_API_KEY=${MODEL_KEY}`], Labels: { "org.legofactory.test": "token-hunt" }, HostConfig: { NetworkMode: "none", AutoRemove: true } });
    await c.start();
    try {
      await waitFor("the planted files", async () => ((await c.inspect()).State.Running ? true : undefined), 30_000);
      await new Promise((r) => setTimeout(r, 2_000));
      phase = "control";
      await huntOutside(c.id, "control");
    } finally {
      await c.remove({ force: true }).catch(() => {});
    }
    const control = records.find((r) => r.phase === "control")!;
    expect(control.complete).toBe(true);
    expect(control.leaks).toEqual(expect.arrayContaining(["LEGO_POLICY_API_KEY", "WEBHOOK_SECRET", "PRIVATE_KEY line 4", "installation token", "installation token (git Basic header)", "a ghs_ token", "a canary"]));
  }, 120_000);

  it("finds nothing while a merged PR is harvested and validated and the teacher's rollout runs", async () => {
    phase = "harvest+validation+trajgen";
    const issue = gh.createIssue(REPO, { title: "add() subtracts", body: "`add(1, 2)` returns -1.", user: "alice" });
    await gh.commitFiles(REPO, { branch: "fix-add", from: "main", message: "Fix add", author: "alice", files: pythonFix });
    const pr = await gh.createPullRequest(REPO, { title: "Fix add", body: `Fixes #${issue.number}`, head: "fix-add", user: "alice" });
    await gh.mergePullRequest(REPO, pr.number, { method: "merge", user: "alice" });
    expect((await gh.deliver("pull_request", await gh.payloads.pullRequestClosed(REPO, pr.number))).status).toBe(202);
    const task = await waitFor("a validated task", async () => {
      const [row] = await db.db.select().from(taskInstances).where(eq(taskInstances.instanceId, `acme__hunted-${pr.number}`));
      return row && !["candidate", "validating"].includes(row.status) ? row : undefined;
    }, 400_000, 500);
    expect(task.statusReason).toBeNull();
    expect(task.status).toBe("valid");
    await waitFor("the teacher's graded trajectory", async () => {
      const [r] = await db.db.select().from(rollouts).where(eq(rollouts.taskInstanceId, task.instanceId));
      return r?.outcome ? r : undefined;
    }, 300_000, 500);

    const mine = records.filter((r) => r.phase === phase);
    expect(mine.filter((r) => r.by === "outside" && r.complete && r.role.startsWith("validate-")).length, "a validation container hunted from outside").toBeGreaterThan(0);
    expect(mine.filter((r) => r.by === "agent" && r.complete && r.role === "teacher"), "the teacher's agent hunted from inside").toHaveLength(1);
    expectNoLeaks(mine);
  }, 900_000);

  it("finds nothing while /lego fix runs a rollout, the verifier and the push", async () => {
    phase = "fix";
    // The bug comes back on main, so there is something to fix.
    await gh.commitFiles(REPO, { branch: "main", message: "Refactor ops", author: "alice", files: { "calc/ops.py": (pythonProject as Record<string, string>)["calc/ops.py"] as string } });
    const issue = gh.createIssue(REPO, { title: "add() subtracts again", body: "`add(1, 2)` returns -1.", user: "alice" });
    const c = gh.addIssueComment(REPO, issue.number, { body: "/lego fix k=1", user: "alice" });
    expect((await gh.deliver("issue_comment", gh.payloads.issueCommentCreated(REPO, c.id))).status).toBe(202);
    const attempt = await waitFor("a PR or a final status", async () => {
      const [a] = await attemptsForIssue(db.db, REPO, issue.number);
      return a && ["pr-open", "no-candidate", "failed", "rate-limited"].includes(a.status) ? a : undefined;
    }, 400_000, 500);
    expect(attempt.statusReason).toBeNull();
    expect(attempt.status).toBe("pr-open");
    expect((await rolloutsForAttempt(db.db, attempt.id)).map((r) => r.status)).toEqual(["finished"]);

    const mine = records.filter((r) => r.phase === phase);
    expect(mine.filter((r) => r.by === "agent" && r.complete && r.role === "policy"), "the policy's agent hunted from inside").toHaveLength(1);
    expect(mine.filter((r) => r.by === "outside" && r.complete).length, "a fix container hunted from outside").toBeGreaterThan(0);
    expectNoLeaks(mine);
    // The hunt really looks: the agent saw its own environment and the repository's git config.
    const agent = mine.find((r) => r.by === "agent")!;
    expect(agent.saw).toMatch(/== env\n[\s\S]*PATH=/);
    expect(agent.saw).toContain("== git");
  }, 900_000);
});

function expectNoLeaks(mine: HuntRecord[]): void {
  const leaks = mine.filter((r) => r.leaks.length).map((r) => `${r.by} ${r.role} ${r.container}: ${r.leaks.join(", ")}`);
  expect(leaks).toEqual([]);
}
