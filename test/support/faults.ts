// The fault run shared by bench/faults.ts (10,000 deliveries) and test/reliability (a few
// hundred): signed deliveries to a real `lego web` while two real `lego worker` processes run,
// workers killed with SIGKILL and restarted, a private Redis (AOF on, as production should run
// it) restarted mid-run. Afterwards: every delivery stored once and processed once, one reply
// per command in the GitHub double, nothing stuck.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { startGitHubDouble, type GitHubDouble } from "./github-double/index.js";
import type { CommentRecord } from "./github-double/types.js";
import { type LegoProcess, startLego } from "./lego-process.js";
import { createTempDatabase, type TempDatabase } from "./pg.js";
import { freePort, PrivatePostgres, PrivateRedis, sleep } from "./private-services.js";
import { TEST_CACHE_DIR } from "./services.js";
import { testPrivateKey, uniquePrefix } from "./test-config.js";

export interface FaultPlan {
  deliveries: number;
  /** SIGKILLs of a worker, spread over the run (each worker restarted at once). */
  workerKills: number;
  /** Restarts of Redis, spread over the run. */
  redisRestarts: number;
  /** Fast restarts of PostgreSQL (a private cluster for the run), spread over the run. */
  postgresRestarts?: number;
  /** How long Postgres stays down at each restart (default 3 s). */
  postgresDownMs?: number;
  /** Deliveries in flight at once. */
  concurrency: number;
  /**
   * Installations (one organisation and repository each) the deliveries are spread over, as
   * GitHub's traffic is. Default 1. GitHub asks for at least a second between writes per
   * installation, and Probot's throttle keeps to that, so one installation caps replies at one
   * write a second per worker process whatever the code around it does.
   */
  installations?: number;
  /** LEGO_WORKER_CONCURRENCY of each worker process (default 8). */
  workerConcurrency?: number;
  /**
   * Waiting for the queue to drain ends when everything is processed, or when nothing has been
   * processed for this long: what is left then is stuck, not slow (a loaded CI machine is slow).
   */
  stallMs: number;
}

export type FaultKind = "kill" | "redis" | "postgres";

export interface FaultRecord {
  kind: FaultKind;
  /** The delivery being sent when it began. */
  atDelivery: number;
  /** When the service went down (or the worker was killed) and when it was back, since the run began. */
  downAtMs: number;
  backAtMs: number;
  /** From back to the first delivery acknowledged (2xx) after it; null if none was sent later. */
  firstAckAfterMs: number | null;
  /** From back to the first delivery processed after it. */
  firstProcessedAfterMs: number | null;
}

export interface FaultFigures {
  sent: number;
  /** Answers GitHub would redeliver (5xx or no answer) that were redelivered. */
  redelivered: number;
  /** Answers by HTTP status ("0": no answer in time). */
  answers: Record<string, number>;
  /** Requests sent and answered while Postgres was down: 5xx (as they must be) and 2xx (acknowledged without a database: must be 0). */
  answeredWhilePostgresDown: { "5xx": number; "2xx": number; other: number };
  stored: number;
  processed: number;
  /** Deliveries whose handler ran to completion more than once. */
  processedTwice: number;
  failed: number;
  /** Stored but neither processed nor failed when the run ended. */
  stuck: number;
  /** Acknowledged (2xx) but not in the database afterwards. */
  acknowledgedLost: number;
  /** Issues with no reply, or more than one, from the app. */
  missingReplies: number;
  duplicateReplies: number;
  /** Which deliveries got more than one reply, and when each reply was posted (since the run began): to set beside the faults. */
  duplicated: { delivery: number; repliesAtMs: number[] }[];
  workerKills: number;
  redisRestarts: number;
  postgresRestarts: number;
  faults: FaultRecord[];
  /** From the last fault to the last delivery processed. */
  recoveryMs: number;
  totalMs: number;
  /** Deliveries processed per second, from the first sent to the last processed. */
  perSecond: number;
}

/** Where the faults fall: evenly over the run, kills first, then Redis, then Postgres restarts. */
export function faultSchedule(plan: Pick<FaultPlan, "deliveries" | "workerKills" | "redisRestarts" | "postgresRestarts">): Map<number, FaultKind> {
  const kinds: FaultKind[] = [...Array<FaultKind>(plan.workerKills).fill("kill"), ...Array<FaultKind>(plan.redisRestarts).fill("redis"), ...Array<FaultKind>(plan.postgresRestarts ?? 0).fill("postgres")];
  const at = new Map<number, FaultKind>();
  kinds.forEach((kind, j) => {
    let i = Math.floor(((j + 1) * plan.deliveries) / (kinds.length + 1));
    while (at.has(i)) i += 1;
    at.set(i, kind);
  });
  return at;
}

export async function runFaults(plan: FaultPlan, log: (line: string) => void = () => {}): Promise<FaultFigures> {
  const work = mkdtempSync(path.join(os.tmpdir(), "lego-faults-"));
  const redis = new PrivateRedis(await freePort(), work);
  const pg = (plan.postgresRestarts ?? 0) > 0 ? new PrivatePostgres(await freePort()) : undefined;
  const installations = Math.max(1, plan.installations ?? 1);
  let temp: TempDatabase | undefined;
  let gh: GitHubDouble | undefined;
  let db: DatabaseHandle | undefined;
  const procs: LegoProcess[] = [];
  try {
    await redis.start();
    if (pg) {
      await pg.init();
      await pg.start();
    } else {
      temp = await createTempDatabase();
    }
    const databaseUrl = pg ? pg.url : temp!.url;
    gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "faults-secret" });
    const repos: string[] = [];
    for (let k = 0; k < installations; k++) {
      const org = installations === 1 ? "acme" : `acme-${k}`;
      const repo = `${org}/faults`;
      await gh.createRepo(repo, { files: { "README.md": "faults\n" } });
      gh.addInstallation({ id: 91 + k, account: { login: org, type: "Organization" }, repositories: [repo] });
      repos.push(repo);
    }
    gh.addUser("alice", { permissions: Object.fromEntries(repos.map((r) => [r, "write" as const])) });
    const env = {
      APP_ID: "4242",
      PRIVATE_KEY: gh.privateKey,
      WEBHOOK_SECRET: "faults-secret",
      GITHUB_API_URL: gh.url,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      LEGO_QUEUE_PREFIX: uniquePrefix(),
      LEGO_DATA_DIR: path.join(work, "data"),
      LEGO_CACHE_DIR: TEST_CACHE_DIR,
      LEGO_WORKER_CONCURRENCY: String(plan.workerConcurrency ?? 8),
      // startLego waits for the "listening" / "workers started" lines, logged at info.
      LOG_LEVEL: process.env.LEGO_FAULT_LOG_LEVEL ?? "info",
    };
    const web = await startLego("web", env, work, 240_000);
    procs.push(web);
    gh.setWebhookUrl(`${web.url}/api/github/webhooks`);
    const workers = [await startLego("worker", env, work, 240_000), await startLego("worker", env, work, 240_000)];
    procs.push(...workers);
    db = await openDatabase({ url: databaseUrl, dataDir: "unused" });

    // One issue per delivery, so a duplicate reply is visible per delivery.
    const comments: CommentRecord[] = Array.from({ length: plan.deliveries }, (_, i) => {
      const repo = repos[i % repos.length]!;
      const issue = gh!.createIssue(repo, { title: `issue ${i}`, user: "alice" });
      return gh!.addIssueComment(repo, issue.number, { body: "/lego help", user: "alice" });
    });
    const faultAt = faultSchedule(plan);

    const started = Date.now();
    const since = () => Date.now() - started;
    let lastFault = started;
    let sent = 0;
    let redelivered = 0;
    let kills = 0;
    let redisRestarts = 0;
    let pgRestarts = 0;
    let next = 0;
    const answers: Record<string, number> = {};
    const whileDown = { "5xx": 0, "2xx": 0, other: 0 };
    let pgDown: { from: number; to: number } | undefined;
    const pgWindows: { from: number; to: number }[] = [];
    const acks: number[] = [];
    const acked = new Set<string>();
    const faults: FaultRecord[] = [];
    const running: Promise<void>[] = [];
    let chain: Promise<void> = Promise.resolve();
    const sendOne = async (i: number) => {
      const c = comments[i]!;
      const payload = gh!.payloads.issueCommentCreated(c.issue.repo.fullName, c.id);
      const id = `fault-${i}-${c.id}`;
      // GitHub redelivers what was not acknowledged (a 5xx or no answer); so does this run.
      for (let attempt = 0; ; attempt++) {
        const sentAt = since();
        const status = await gh!.deliver("issue_comment", payload, { id }).then(
          (r) => r.status,
          () => 0,
        );
        const answeredAt = since();
        answers[String(status)] = (answers[String(status)] ?? 0) + 1;
        // Answered while Postgres was down: a 2xx counts against the intake only for a request
        // sent after the server had stopped (one sent earlier may have been stored before).
        const down = pgDown ?? pgWindows.at(-1);
        if (down && answeredAt >= down.from && answeredAt <= down.to) {
          if (status >= 500) whileDown["5xx"] += 1;
          else if (status >= 200 && status < 300) whileDown["2xx"] += sentAt >= down.from ? 1 : 0;
          else whileDown.other += 1;
        }
        if (status >= 200 && status < 300) {
          acks.push(answeredAt);
          acked.add(id);
          break;
        }
        redelivered += 1;
        await sleep(Math.min(2000, 100 * 2 ** attempt));
      }
      sent += 1;
    };
    const injector = async (kind: FaultKind, planned: number) => {
      // Where the run really is (a fault waits for the one before it): deliveries handed out so far.
      const atDelivery = Math.max(planned, Math.min(next, plan.deliveries));
      const downAtMs = since();
      lastFault = Date.now();
      if (kind === "kill") {
        const slot = kills % workers.length;
        kills += 1;
        log(`SIGKILL worker ${slot} at delivery ${atDelivery}`);
        workers[slot]!.proc.kill("SIGKILL");
        await workers[slot]!.stop();
        workers[slot] = await startLego("worker", env, work, 240_000);
        procs.push(workers[slot]!);
      } else if (kind === "redis") {
        redisRestarts += 1;
        log(`restarting Redis at delivery ${atDelivery}`);
        await redis.stop();
        await sleep(500);
        await redis.start();
      } else {
        pgRestarts += 1;
        log(`restarting Postgres at delivery ${atDelivery}`);
        await pg!.stop();
        pgDown = { from: since(), to: Number.POSITIVE_INFINITY };
        await sleep(plan.postgresDownMs ?? 3000);
        pgDown.to = since();
        await pg!.start();
        pgWindows.push(pgDown);
        pgDown = undefined;
      }
      lastFault = Date.now();
      faults.push({ kind, atDelivery, downAtMs, backAtMs: since(), firstAckAfterMs: null, firstProcessedAfterMs: null });
    };
    await Promise.all(
      Array.from({ length: plan.concurrency }, async () => {
        while (next < plan.deliveries) {
          const i = next++;
          const fault = faultAt.get(i);
          // One fault at a time: each starts once the previous one has recovered (a restarted worker is up).
          if (fault) running.push((chain = chain.then(() => injector(fault, i))));
          await sendOne(i);
        }
      }),
    );
    await Promise.all(running);
    log(`all ${sent} deliveries acknowledged after ${(since() / 1000).toFixed(1)} s; draining`);

    // Drain: every stored delivery processed or failed.
    let progressAt = Date.now();
    let lastDone = -1;
    let lastReport = Date.now();
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
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        log(`${counts.processed}/${counts.stored} processed after ${(since() / 1000).toFixed(0)} s`);
      }
      if (Date.now() - progressAt > plan.stallMs) break;
      await sleep(500);
    }
    if (process.env.LEGO_FAULT_DUMP) for (const p of procs) (await import("node:fs")).writeFileSync(`${process.env.LEGO_FAULT_DUMP}-${p.proc.pid}.log`, p.lines.join("\n"));
    if (counts.processed + counts.failed < counts.stored) {
      for (const p of procs) for (const l of p.lines.filter((x) => /"level":(40|50)/.test(x)).slice(-8)) log(`[${p.proc.pid}] ${l.slice(0, 300)}`);
    }
    const storedIds = new Set(((await db.db.execute(sql`select id from webhook_deliveries`)) as unknown as { id: string }[]).map((r) => r.id));
    const acknowledgedLost = [...acked].filter((id) => !storedIds.has(id)).length;
    for (const f of faults) {
      const back = started + f.backAtMs;
      const ack = acks.find((t) => t >= f.backAtMs);
      f.firstAckAfterMs = ack === undefined ? null : ack - f.backAtMs;
      const [first] = (await db.db.execute(sql`select min(processed_at) as t from webhook_deliveries where processed_at >= ${new Date(back).toISOString()}`)) as unknown as { t: Date | string | null }[];
      f.firstProcessedAfterMs = first?.t ? Math.max(0, new Date(first.t).getTime() - back) : null;
    }
    const replies = new Map<CommentRecord["issue"], number>();
    for (const c of gh.state.comments.values()) if (c.user.login === gh.botLogin) replies.set(c.issue, (replies.get(c.issue) ?? 0) + 1);
    let missing = 0;
    let duplicates = 0;
    const duplicated: FaultFigures["duplicated"] = [];
    for (const [i, c] of comments.entries()) {
      const n = replies.get(c.issue) ?? 0;
      if (n === 0) missing += 1;
      if (n > 1) {
        duplicates += 1;
        const at = [...gh.state.comments.values()].filter((r) => r.issue === c.issue && r.user.login === gh!.botLogin).map((r) => r.createdAt.getTime() - started);
        duplicated.push({ delivery: i, repliesAtMs: at });
      }
    }
    return {
      sent,
      redelivered,
      answers,
      answeredWhilePostgresDown: whileDown,
      stored: counts.stored,
      processed: counts.processed,
      processedTwice: counts.twice,
      failed: counts.failed,
      stuck: counts.stored - counts.processed - counts.failed,
      acknowledgedLost,
      missingReplies: missing,
      duplicateReplies: duplicates,
      duplicated,
      workerKills: kills,
      redisRestarts,
      postgresRestarts: pgRestarts,
      faults: faults.sort((a, b) => a.downAtMs - b.downAtMs),
      recoveryMs: Math.max(0, lastProcessedAt - lastFault),
      totalMs: Date.now() - started,
      perSecond: counts.processed / Math.max(0.001, (lastProcessedAt - started) / 1000),
    };
  } finally {
    for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) await p.stop("SIGKILL");
    await db?.close();
    await redis.stop();
    await pg?.remove();
    await gh?.close();
    await temp?.drop();
    rmSync(work, { recursive: true, force: true });
  }
}
