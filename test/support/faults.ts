// The fault run shared by bench/faults.ts (10,000 deliveries) and test/reliability (a few
// hundred): signed deliveries to a real `lego web` while two real `lego worker` processes run,
// workers killed with SIGKILL and restarted, a private Redis (AOF on, as production should run
// it) restarted mid-run. Afterwards: every delivery stored once and processed once, one reply
// per command in the GitHub double, nothing stuck.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { startGitHubDouble, type GitHubDouble } from "./github-double/index.js";
import { type LegoProcess, startLego } from "./lego-process.js";
import { createTempDatabase, type TempDatabase } from "./pg.js";
import { TEST_CACHE_DIR } from "./services.js";
import { testPrivateKey, uniquePrefix } from "./test-config.js";

export interface FaultPlan {
  deliveries: number;
  /** SIGKILLs of a worker, spread over the run (each worker restarted at once). */
  workerKills: number;
  /** Restarts of Redis, spread over the run. */
  redisRestarts: number;
  /** Deliveries in flight at once. */
  concurrency: number;
  /**
   * Waiting for the queue to drain ends when everything is processed, or when nothing has been
   * processed for this long: what is left then is stuck, not slow (a loaded CI machine is slow).
   */
  stallMs: number;
}

export interface FaultFigures {
  sent: number;
  /** Answers GitHub would redeliver (5xx or no answer) that were redelivered. */
  redelivered: number;
  stored: number;
  processed: number;
  /** Deliveries whose handler ran to completion more than once. */
  processedTwice: number;
  failed: number;
  /** Stored but neither processed nor failed when the run ended. */
  stuck: number;
  /** Issues with no reply, or more than one, from the app. */
  missingReplies: number;
  duplicateReplies: number;
  workerKills: number;
  redisRestarts: number;
  /** From the last fault to the last delivery processed. */
  recoveryMs: number;
  totalMs: number;
}

const REPO = "acme/faults";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

class PrivateRedis {
  private proc: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}
  async start(): Promise<void> {
    this.proc = spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(this.port), "--dir", this.dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always"], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      if (await canConnect(this.port)) return;
      await sleep(50);
    }
    throw new Error(`private redis on ${this.port} did not start`);
  }
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    await exited;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
    s.connect(port, "127.0.0.1");
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runFaults(plan: FaultPlan, log: (line: string) => void = () => {}): Promise<FaultFigures> {
  const work = mkdtempSync(path.join(os.tmpdir(), "lego-faults-"));
  const redis = new PrivateRedis(await freePort(), work);
  let temp: TempDatabase | undefined;
  let gh: GitHubDouble | undefined;
  let db: DatabaseHandle | undefined;
  const procs: LegoProcess[] = [];
  try {
    await redis.start();
    temp = await createTempDatabase();
    gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "faults-secret" });
    await gh.createRepo(REPO, { files: { "README.md": "faults\n" } });
    gh.addUser("alice", { permissions: { [REPO]: "write" } });
    gh.addInstallation({ id: 91, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
    const env = {
      APP_ID: "4242",
      PRIVATE_KEY: gh.privateKey,
      WEBHOOK_SECRET: "faults-secret",
      GITHUB_API_URL: gh.url,
      DATABASE_URL: temp.url,
      REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      LEGO_QUEUE_PREFIX: uniquePrefix(),
      LEGO_DATA_DIR: path.join(work, "data"),
      LEGO_CACHE_DIR: TEST_CACHE_DIR,
      LEGO_WORKER_CONCURRENCY: "8",
      // startLego waits for the "listening" / "workers started" lines, logged at info.
      LOG_LEVEL: "info",
    };
    const web = await startLego("web", env, work);
    procs.push(web);
    gh.setWebhookUrl(`${web.url}/api/github/webhooks`);
    const workers = [await startLego("worker", env, work), await startLego("worker", env, work)];
    procs.push(...workers);
    db = await openDatabase({ url: temp.url, dataDir: "unused" });

    // One issue per delivery, so a duplicate reply is visible per delivery.
    const comments = Array.from({ length: plan.deliveries }, (_, i) => {
      const issue = gh!.createIssue(REPO, { title: `issue ${i}`, user: "alice" });
      return gh!.addIssueComment(REPO, issue.number, { body: "/lego help", user: "alice" });
    });
    const faultAt = new Map<number, "kill" | "redis">();
    for (let k = 0; k < plan.workerKills; k++) faultAt.set(Math.floor(((k + 1) * plan.deliveries) / (plan.workerKills + plan.redisRestarts + 1)), "kill");
    for (let r = 0; r < plan.redisRestarts; r++) faultAt.set(Math.floor(((plan.workerKills + r + 1) * plan.deliveries) / (plan.workerKills + plan.redisRestarts + 1)) + 1, "redis");

    const started = Date.now();
    let lastFault = started;
    let sent = 0;
    let redelivered = 0;
    let kills = 0;
    let restarts = 0;
    let next = 0;
    const faults: Promise<void>[] = [];
    const sendOne = async (i: number) => {
      const c = comments[i]!;
      const payload = gh!.payloads.issueCommentCreated(REPO, c.id);
      const id = `fault-${i}-${c.id}`;
      // GitHub redelivers what was not acknowledged (a 5xx or no answer); so does this run.
      for (let attempt = 0; ; attempt++) {
        const r = await gh!.deliver("issue_comment", payload, { id });
        if (r.status >= 200 && r.status < 300) break;
        redelivered += 1;
        await sleep(Math.min(2000, 100 * 2 ** attempt));
      }
      sent += 1;
    };
    const injector = async (kind: "kill" | "redis") => {
      lastFault = Date.now();
      if (kind === "kill") {
        const slot = kills % workers.length;
        kills += 1;
        log(`SIGKILL worker ${slot} at delivery ${next}`);
        workers[slot]!.proc.kill("SIGKILL");
        await workers[slot]!.stop();
        workers[slot] = await startLego("worker", env, work);
        procs.push(workers[slot]!);
      } else {
        restarts += 1;
        log(`restarting Redis at delivery ${next}`);
        await redis.stop();
        await sleep(500);
        await redis.start();
      }
      lastFault = Date.now();
    };
    await Promise.all(
      Array.from({ length: plan.concurrency }, async () => {
        while (next < plan.deliveries) {
          const i = next++;
          const fault = faultAt.get(i);
          if (fault) faults.push(injector(fault));
          await sendOne(i);
        }
      }),
    );
    await Promise.all(faults);

    // Drain: every stored delivery processed or failed.
    let progressAt = Date.now();
    let lastDone = -1;
    let counts = { stored: 0, processed: 0, failed: 0, twice: 0 };
    let lastProcessedAt = Date.now();
    for (;;) {
      const rows = (await db.db.execute(
        sql`select count(*)::int as stored, count(*) filter (where status = 'processed')::int as processed, count(*) filter (where status = 'failed')::int as failed, count(*) filter (where attempts > 1)::int as twice, max(processed_at) as last from webhook_deliveries`,
      )) as unknown as { stored: number; processed: number; failed: number; twice: number; last: Date | string | null }[];
      const row = rows[0]!;
      counts = { stored: row.stored, processed: row.processed, failed: row.failed, twice: row.twice };
      if (row.last) lastProcessedAt = new Date(row.last).getTime();
      if (counts.processed + counts.failed >= counts.stored && counts.stored >= plan.deliveries) break;
      if (counts.processed + counts.failed !== lastDone) {
        lastDone = counts.processed + counts.failed;
        progressAt = Date.now();
      }
      if (Date.now() - progressAt > plan.stallMs) break;
      await sleep(500);
    }
    if (counts.processed + counts.failed < counts.stored) {
      for (const p of procs) for (const l of p.lines.filter((x) => /"level":(40|50)/.test(x)).slice(-8)) log(`[${p.proc.pid}] ${l.slice(0, 300)}`);
    }
    const replies = new Map<number, number>();
    for (const c of gh.state.comments.values()) if (c.user.login === gh.botLogin) replies.set(c.issue.number, (replies.get(c.issue.number) ?? 0) + 1);
    let missing = 0;
    let duplicates = 0;
    for (const c of comments) {
      const n = replies.get(c.issue.number) ?? 0;
      if (n === 0) missing += 1;
      if (n > 1) duplicates += 1;
    }
    return {
      sent,
      redelivered,
      stored: counts.stored,
      processed: counts.processed,
      processedTwice: counts.twice,
      failed: counts.failed,
      stuck: counts.stored - counts.processed - counts.failed,
      missingReplies: missing,
      duplicateReplies: duplicates,
      workerKills: kills,
      redisRestarts: restarts,
      recoveryMs: Math.max(0, lastProcessedAt - lastFault),
      totalMs: Date.now() - started,
    };
  } finally {
    for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) await p.stop("SIGKILL");
    await db?.close();
    await redis.stop();
    await gh?.close();
    await temp?.drop();
    rmSync(work, { recursive: true, force: true });
  }
}
