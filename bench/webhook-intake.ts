// Webhook intake benchmark: signed `issues.opened` deliveries at a fixed open-loop rate against
// the real intake (verify, store, enqueue) and, in the same run, against a bare Fastify route on
// the same machine, so the numbers are ratios rather than absolutes from different hosts.
//
//   npx tsx bench/webhook-intake.ts [--rate 200] [--seconds 60] [--db postgres|pglite] [--quick]
//
// The load generator runs in a worker thread of this process so it does not share the servers'
// event loop; it still shares the machine's cores with them, PostgreSQL and Redis.
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker } from "node:worker_threads";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { DatabaseHandle } from "../db/client.js";
import type { JobsOptions } from "bullmq";
import type { JobData, Queues, QueueName } from "../src/queue.js";
import { sign } from "../src/web/signature.js";
import { summarize, type Summary } from "./lib/stats.js";

const SECRET = "bench";
const WEBHOOK_PATH = "/api/github/webhooks";
const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test";
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_SOCKETS = 256;
/** Sustained means: ≥ 95% of the offered rate achieved, no errors, p99 under a second. */
const SUSTAINED = { achieved: 0.95, p99Ms: 1000 };
const SEARCH_CAP = 25_600;

// ---------------------------------------------------------------------------------------------
// Load generator (worker thread)

interface RunRequest {
  url: string;
  rate: number;
  seconds: number;
  /** Return the delivery ids sent, for the integrity check. */
  keepIds: boolean;
  /**
   * Stop sending once more than a second's worth of requests is in flight: by Little's law the
   * mean latency already exceeds a second, so the step has failed and the rest would only queue.
   */
  stopOnBacklog: boolean;
}

interface RunResult {
  rate: number;
  seconds: number;
  sent: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  errorSamples: string[];
  /** Send → full response, ms, per request; NaN where no acceptable response came back. */
  latencyMs: Float64Array<ArrayBuffer>;
  /** Actual send time − scheduled send time, ms: how far the generator fell behind. */
  lagMs: Float64Array<ArrayBuffer>;
  elapsedMs: number;
  ids: string[];
  /** Sending stopped early because the backlog passed a second (see stopOnBacklog). */
  stoppedOnBacklog: boolean;
}

const ISSUE_NUMBER_MARK = 987654321;

/** A plausible `issues.opened` payload (~8 KB, like GitHub's), split where the issue number goes. */
function payloadParts(): string[] {
  const owner = "lego-bench";
  const name = "widget-service";
  const full = `${owner}/${name}`;
  const api = "https://api.github.com";
  const user = (login: string, id: number) => ({
    login,
    id,
    node_id: `MDQ6VXNlcj${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: "",
    url: `${api}/users/${login}`,
    html_url: `https://github.com/${login}`,
    followers_url: `${api}/users/${login}/followers`,
    following_url: `${api}/users/${login}/following{/other_user}`,
    gists_url: `${api}/users/${login}/gists{/gist_id}`,
    starred_url: `${api}/users/${login}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/users/${login}/subscriptions`,
    organizations_url: `${api}/users/${login}/orgs`,
    repos_url: `${api}/users/${login}/repos`,
    events_url: `${api}/users/${login}/events{/privacy}`,
    received_events_url: `${api}/users/${login}/received_events`,
    type: "User",
    user_view_type: "public",
    site_admin: false,
  });
  const repoApi = `${api}/repos/${full}`;
  const repoUrls = Object.fromEntries(
    [
      "forks", "keys{/key_id}", "collaborators{/collaborator}", "teams", "hooks", "issues/events{/number}", "events",
      "assignees{/user}", "branches{/branch}", "tags", "blobs{/sha}", "git/tags{/sha}", "git/refs{/sha}", "git/trees{/sha}",
      "statuses/{sha}", "languages", "stargazers", "contributors", "subscribers", "subscription", "commits{/sha}",
      "git/commits{/sha}", "comments{/number}", "issues/comments{/number}", "contents/{+path}", "compare/{base}...{head}",
      "merges", "{archive_format}{/ref}", "downloads", "issues{/number}", "pulls{/number}", "milestones{/number}",
      "notifications{?since,all,participating}", "labels{/name}", "releases{/id}", "deployments",
    ].map((p) => [`${p.split(/[{/]/)[0] || "archive"}_url`.replace("-", "_"), `${repoApi}/${p}`]),
  );
  const issueUrl = `${repoApi}/issues/${ISSUE_NUMBER_MARK}`;
  const payload = {
    action: "opened",
    issue: {
      url: issueUrl,
      repository_url: repoApi,
      labels_url: `${issueUrl}/labels{/name}`,
      comments_url: `${issueUrl}/comments`,
      events_url: `${issueUrl}/events`,
      html_url: `https://github.com/${full}/issues/${ISSUE_NUMBER_MARK}`,
      id: 2_000_000_000 + ISSUE_NUMBER_MARK,
      node_id: "I_kwDOBench0001",
      number: ISSUE_NUMBER_MARK,
      title: "Parser drops trailing newline when config file ends with a comment",
      user: user("octo-reporter", 583231),
      labels: [{ id: 1, node_id: "LA_kwDOBench", url: `${repoApi}/labels/bug`, name: "bug", color: "d73a4a", default: true, description: "Something isn't working" }],
      state: "open",
      locked: false,
      assignee: null,
      assignees: [],
      milestone: null,
      comments: 0,
      created_at: "2025-01-01T00:00:00Z",
      updated_at: "2025-01-01T00:00:00Z",
      closed_at: null,
      author_association: "CONTRIBUTOR",
      active_lock_reason: null,
      body: "",
      reactions: { url: `${issueUrl}/reactions`, total_count: 0, "+1": 0, "-1": 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 },
      timeline_url: `${issueUrl}/timeline`,
      performed_via_github_app: null,
      state_reason: null,
    },
    repository: {
      id: 123456789,
      node_id: "R_kgDOBench",
      name,
      full_name: full,
      private: false,
      owner: user(owner, 9919),
      html_url: `https://github.com/${full}`,
      description: "A service that serves widgets",
      fork: false,
      url: repoApi,
      ...repoUrls,
      created_at: "2020-01-01T00:00:00Z",
      updated_at: "2025-01-01T00:00:00Z",
      pushed_at: "2025-01-01T00:00:00Z",
      git_url: `git://github.com/${full}.git`,
      ssh_url: `git@github.com:${full}.git`,
      clone_url: `https://github.com/${full}.git`,
      svn_url: `https://github.com/${full}`,
      homepage: null,
      size: 4821,
      stargazers_count: 112,
      watchers_count: 112,
      language: "TypeScript",
      has_issues: true,
      has_projects: true,
      has_downloads: true,
      has_wiki: false,
      has_pages: false,
      has_discussions: false,
      forks_count: 9,
      archived: false,
      disabled: false,
      open_issues_count: 14,
      license: { key: "mit", name: "MIT License", spdx_id: "MIT", url: `${api}/licenses/mit`, node_id: "MDc6TGljZW5zZTEz" },
      allow_forking: true,
      is_template: false,
      topics: ["widgets", "service"],
      visibility: "public",
      forks: 9,
      open_issues: 14,
      watchers: 112,
      default_branch: "main",
    },
    sender: user("octo-reporter", 583231),
    installation: { id: 424242, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0MjQy" },
  };
  const paragraph =
    "Steps to reproduce: write a config whose last line is a comment, run `widget check`, and compare the output " +
    "with the input. Expected the trailing newline to be kept; it is dropped, so the next run reports a diff.\n\n";
  const target = 8 * 1024;
  while (JSON.stringify(payload).length < target) payload.issue.body += paragraph;
  return JSON.stringify(payload).split(String(ISSUE_NUMBER_MARK));
}

function generate(req: RunRequest): Promise<RunResult> {
  const target = new URL(req.url);
  const parts = payloadParts();
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  let total = Math.max(1, Math.round(req.rate * req.seconds));
  let stoppedOnBacklog = false;
  const latencyMs = new Float64Array(total).fill(Number.NaN);
  const lagMs = new Float64Array(total).fill(Number.NaN);
  const ids: string[] = [];
  const statuses: Record<string, number> = {};
  const errorSamples: string[] = [];
  let ok = 0;
  let errors = 0;
  let finished = 0;
  let lastDone = 0;
  const start = performance.now();

  return new Promise((resolve) => {
    const complete = (i: number, sentAt: number, outcome: { status?: number; body?: string; error?: string }) => {
      const now = performance.now();
      const key = outcome.status === undefined ? "error" : String(outcome.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (outcome.status === 202 && outcome.body?.includes('"queued"')) {
        ok++;
        latencyMs[i] = now - sentAt;
      } else {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(outcome.error ?? `HTTP ${outcome.status}: ${(outcome.body ?? "").slice(0, 200)}`);
      }
      lastDone = now;
      if (++finished === total) {
        agent.destroy();
        resolve({ rate: req.rate, seconds: req.seconds, sent: total, ok, errors, statuses, errorSamples, latencyMs, lagMs, elapsedMs: lastDone - start, ids, stoppedOnBacklog });
      }
    };

    const send = (i: number, scheduledAt: number) => {
      const id = randomUUID();
      if (req.keepIds) ids.push(id);
      const body = parts.join(String(100_000 + i));
      const headers = {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        "user-agent": "GitHub-Hookshot/bench",
        "x-github-delivery": id,
        "x-github-event": "issues",
        "x-github-hook-id": "1",
        "x-github-hook-installation-target-type": "integration",
        "x-hub-signature-256": sign(SECRET, body),
      };
      const sentAt = performance.now();
      lagMs[i] = sentAt - scheduledAt;
      let done = false;
      const once = (outcome: { status?: number; body?: string; error?: string }) => {
        if (done) return;
        done = true;
        complete(i, sentAt, outcome);
      };
      const r = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent, headers },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (text += c));
          res.on("end", () => once({ status: res.statusCode ?? 0, body: text }));
          res.on("error", (err) => once({ error: err.message }));
        },
      );
      r.setTimeout(REQUEST_TIMEOUT_MS, () => r.destroy(new Error(`no response within ${REQUEST_TIMEOUT_MS} ms`)));
      r.on("error", (err) => once({ error: err.message }));
      r.end(body);
    };

    // Open loop: each send is due at start + i/rate whatever the responses are doing.
    let next = 0;
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * req.rate) / 1000) + 1);
      while (next < due) {
        send(next, start + (next * 1000) / req.rate);
        next++;
      }
      if (req.stopOnBacklog && next < total && next - finished > req.rate * (SUSTAINED.p99Ms / 1000)) {
        stoppedOnBacklog = true;
        total = next;
      }
      if (next < total) setTimeout(tick, 1);
    };
    tick();
  });
}

if (!isMainThread) {
  parentPort?.on("message", (msg: RunRequest) => {
    void generate(msg).then((res) => parentPort?.postMessage(res, [res.latencyMs.buffer, res.lagMs.buffer]));
  });
}

// ---------------------------------------------------------------------------------------------
// Driver (main thread)

interface Options {
  rate: number;
  seconds: number;
  db: "postgres" | "pglite";
  warmupSeconds: number;
  stepSeconds: number;
  bisections: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      rate: { type: "string" },
      seconds: { type: "string" },
      db: { type: "string", default: "postgres" },
      quick: { type: "boolean", default: false },
    },
  });
  const quick = values.quick ?? false;
  const num = (name: string, v: string | undefined, fallback: number) => {
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got ${JSON.stringify(v)})`);
    return n;
  };
  if (values.db !== "postgres" && values.db !== "pglite") throw new Error(`--db must be postgres or pglite (got ${JSON.stringify(values.db)})`);
  return {
    rate: num("rate", values.rate, 200),
    seconds: num("seconds", values.seconds, quick ? 10 : 60),
    db: values.db,
    warmupSeconds: quick ? 1 : 2,
    stepSeconds: quick ? 3 : 5,
    bisections: quick ? 1 : 2,
  };
}

class LoadGenerator {
  private readonly worker: Worker;

  constructor() {
    // tsx's loader does not reach worker threads on its own; register it before importing this file.
    const api = import.meta.resolve("tsx/esm/api");
    const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    this.worker = new Worker(boot, { eval: true });
  }

  run(req: RunRequest): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.worker.once("error", onError);
      this.worker.once("message", (res: RunResult) => {
        this.worker.off("error", onError);
        resolve(res);
      });
      this.worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

interface Step {
  offered: number;
  achieved: number;
  sent: number;
  ok: number;
  errors: number;
  latency: Summary;
  lagP99: number;
  sustained: boolean;
  stoppedOnBacklog: boolean;
  statuses: Record<string, number>;
  errorSamples: string[];
}

function toStep(r: RunResult): Step {
  const latency = summarize(r.latencyMs);
  // A step stopped early reports the throughput it got while it ran.
  const achieved = r.ok / (r.stoppedOnBacklog ? r.elapsedMs / 1000 : Math.max(r.elapsedMs / 1000, r.seconds));
  const sustained =
    !r.stoppedOnBacklog && achieved >= SUSTAINED.achieved * r.rate && r.errors === 0 && latency.p99 < SUSTAINED.p99Ms;
  return {
    offered: r.rate,
    achieved,
    sent: r.sent,
    ok: r.ok,
    errors: r.errors,
    latency,
    lagP99: summarize(r.lagMs).p99,
    stoppedOnBacklog: r.stoppedOnBacklog,
    sustained,
    statuses: r.statuses,
    errorSamples: r.errorSamples,
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Doubling from the fixed rate until a step fails, then bisecting between the last pass and that failure. */
async function maxSustained(gen: LoadGenerator, url: string, opts: Options, label: string): Promise<{ rate: number; steps: Step[] }> {
  const steps: Step[] = [];
  const probe = async (rate: number) => {
    const step = toStep(await gen.run({ url, rate, seconds: opts.stepSeconds, keepIds: false, stopOnBacklog: true }));
    steps.push(step);
    console.log(
      `  ${label} step ${String(rate).padStart(6)}/s: achieved ${step.achieved.toFixed(0)}/s, p99 ${fmtMs(step.latency.p99)}, ` +
        `errors ${step.errors}, generator lag p99 ${fmtMs(step.lagP99)} → ${step.sustained ? "sustained" : step.stoppedOnBacklog ? "not sustained (stopped early: over 1 s of backlog)" : "not sustained"}`,
    );
    await pause(500);
    return step.sustained;
  };
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  for (let rate = Math.round(opts.rate); rate <= SEARCH_CAP; rate *= 2) {
    if (await probe(rate)) lo = rate;
    else {
      hi = rate;
      break;
    }
  }
  for (let i = 0; i < opts.bisections && Number.isFinite(hi) && hi - lo > Math.max(10, lo * 0.05); i++) {
    const mid = Math.round((lo + hi) / 2);
    if (await probe(mid)) lo = mid;
    else hi = mid;
  }
  return { rate: lo, steps };
}

function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

interface IntakeTarget {
  url: string;
  app: FastifyInstance;
  database: DatabaseHandle;
  queues: Queues;
  /** In-server time (onRequest → onResponse) and queue.add time, while recording. */
  timings: { recording: boolean; serverMs: number[]; enqueueMs: number[] };
  countStored(ids: string[]): Promise<{ stored: number; enqueued: number }>;
  countJobs(ids: string[]): Promise<number>;
  close(): Promise<void>;
}

async function startIntake(opts: Options): Promise<IntakeTarget> {
  const [{ loadConfig }, { createLogger }, { openDatabase, migrate }, queue, { buildServer }, { webhookDeliveries }, orm, { Metrics }] = await Promise.all([
    import("../src/config.js"),
    import("../src/logger.js"),
    import("../db/client.js"),
    import("../src/queue.js"),
    import("../src/web/server.js"),
    import("../db/schema.js"),
    import("drizzle-orm"),
    import("../src/metrics.js"),
  ]);
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch((err: Error) => console.error(`cleanup: ${err.message}`));
  };
  try {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    let databaseUrl: string | undefined;
    let dataDir = path.join(os.tmpdir(), "lego-bench-unused");
    if (opts.db === "postgres") {
      const { default: postgres } = await import("postgres");
      const name = `lego_t_${Date.now()}_bench`;
      const admin = () => postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      const a = admin();
      try {
        await a.unsafe(`create database "${name}"`);
      } catch (err) {
        throw new Error(`cannot create a bench database on ${ADMIN_URL} (${(err as Error).message}); start PostgreSQL or use --db pglite`);
      } finally {
        await a.end();
      }
      cleanups.push(async () => {
        const b = admin();
        await b.unsafe(`drop database if exists "${name}" with (force)`);
        await b.end();
      });
      const u = new URL(ADMIN_URL);
      u.pathname = `/${name}`;
      databaseUrl = u.toString();
    } else {
      dataDir = mkdtempSync(path.join(os.tmpdir(), "lego-bench-"));
      cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    }
    const config = loadConfig({
      ...process.env,
      APP_ID: "1",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      LOG_LEVEL: "warn",
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      LEGO_QUEUE_PREFIX: `lego-bench-${randomBytes(4).toString("hex")}`,
      DATABASE_URL: databaseUrl,
      LEGO_DATA_DIR: dataDir,
    });
    await queue.assertRedisAvailable(config.REDIS_URL);
    const log = createLogger(config.LOG_LEVEL, "lego-bench");
    const database = await openDatabase({ url: config.DATABASE_URL, dataDir: path.join(config.LEGO_DATA_DIR, "db") });
    cleanups.push(() => database.close());
    await migrate(database);

    const timings = { recording: false, serverMs: [] as number[], enqueueMs: [] as number[] };
    // Times the enqueue step of the real intake without changing it.
    class TimedQueues extends queue.Queues {
      override async add(name: QueueName, id: string, data: JobData[QueueName], opts?: JobsOptions): Promise<void> {
        const t0 = performance.now();
        await super.add(name, id, data, opts);
        if (timings.recording) timings.enqueueMs.push(performance.now() - t0);
      }
    }
    const queues = new TimedQueues(config.REDIS_URL, config.LEGO_QUEUE_PREFIX);
    cleanups.push(async () => {
      await queues.get("webhooks").obliterate({ force: true });
      await queues.close();
    });

    const app = await buildServer({ config, log, database, queues, appYmlPath: "app.yml", envFile: path.join(dataDir, ".env"), metrics: new Metrics() });
    cleanups.push(() => app.close());
    const started = new WeakMap<FastifyRequest, number>();
    app.addHook("onRequest", async (req) => {
      if (timings.recording) started.set(req, performance.now());
    });
    app.addHook("onResponse", async (req) => {
      const t0 = started.get(req);
      if (t0 !== undefined) timings.serverMs.push(performance.now() - t0);
    });
    const address = await app.listen({ port: 0, host: "127.0.0.1" });

    const chunks = (ids: string[]) => Array.from({ length: Math.ceil(ids.length / 1000) }, (_, i) => ids.slice(i * 1000, (i + 1) * 1000));
    return {
      url: `${address}${WEBHOOK_PATH}`,
      app,
      database,
      queues,
      timings,
      async countStored(ids) {
        let stored = 0;
        let enqueued = 0;
        for (const chunk of chunks(ids)) {
          const [row] = await database.db
            .select({ stored: orm.count(), enqueued: orm.count(webhookDeliveries.enqueuedAt) })
            .from(webhookDeliveries)
            .where(orm.inArray(webhookDeliveries.id, chunk));
          stored += row?.stored ?? 0;
          enqueued += row?.enqueued ?? 0;
        }
        return { stored, enqueued };
      },
      async countJobs(ids) {
        const q = queues.get("webhooks");
        let found = 0;
        for (const chunk of chunks(ids)) {
          const jobs = await Promise.all(chunk.map((id) => q.getJob(queue.jobId("delivery", id))));
          found += jobs.filter((j) => j !== undefined).length;
        }
        return found;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

async function startBare(bodyLimit: number): Promise<{ url: string; close(): Promise<void> }> {
  const { default: Fastify } = await import("fastify");
  const app = Fastify({ logger: false, bodyLimit });
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => done(null, body));
  app.post(WEBHOOK_PATH, async (_req, reply) => reply.code(202).send({ status: "queued" }));
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url: `${address}${WEBHOOK_PATH}`, close: () => app.close() };
}

/** Warm-up (not counted), then the measured run. */
async function fixedRate(gen: LoadGenerator, url: string, opts: Options, keepIds: boolean): Promise<RunResult> {
  await gen.run({ url, rate: opts.rate, seconds: opts.warmupSeconds, keepIds: false, stopOnBacklog: false });
  await pause(250);
  return gen.run({ url, rate: opts.rate, seconds: opts.seconds, keepIds, stopOnBacklog: false });
}

function ratio(a: number, b: number): number {
  return b > 0 && Number.isFinite(a) && Number.isFinite(b) ? a / b : Number.NaN;
}

async function main(): Promise<number> {
  const opts = parseOptions();
  const cores = os.availableParallelism();
  console.log(
    `webhook intake bench: ${opts.rate}/s for ${opts.seconds} s per target (+${opts.warmupSeconds} s warm-up), ` +
      `${opts.db}, search steps of ${opts.stepSeconds} s`,
  );
  console.log(
    `host: ${cores} core(s), node ${process.version}; the load generator (worker thread), both servers, PostgreSQL and ` +
      "Redis all share these cores, so absolute numbers understate a dedicated server; compare the ratios.",
  );

  const intake = await startIntake(opts);
  let bare: Awaited<ReturnType<typeof startBare>> | undefined;
  let gen: LoadGenerator | undefined;
  try {
    bare = await startBare(25 * 1024 * 1024);
    gen = new LoadGenerator();

    console.log("A (intake): fixed rate…");
    intake.timings.recording = true;
    const runA = await fixedRate(gen, intake.url, opts, true);
    intake.timings.recording = false;
    const { stored, enqueued } = await intake.countStored(runA.ids);
    const jobs = await intake.countJobs(runA.ids);
    const jobCounts = await intake.queues.get("webhooks").getJobCounts();
    const fixedA = toStep(runA);

    console.log("B (bare Fastify): fixed rate…");
    const fixedB = toStep(await fixedRate(gen, bare.url, opts, false));

    console.log("maximum sustained rate (achieved ≥ 95% of offered, no errors, p99 < 1 s):");
    const searchA = await maxSustained(gen, intake.url, opts, "A");
    const searchB = await maxSustained(gen, bare.url, opts, "B");

    const server = summarize(intake.timings.serverMs);
    const enqueue = summarize(intake.timings.enqueueMs);
    const integrityOk = stored === runA.sent && jobs === runA.sent && enqueued === runA.sent;

    const header = ["target", "offered/s", "achieved/s", "p50", "p99", "max", "errors", "gen lag p99", "max sustained/s"];
    const row = (name: string, s: Step, max: number) => [
      name,
      String(s.offered),
      s.achieved.toFixed(1),
      fmtMs(s.latency.p50),
      fmtMs(s.latency.p99),
      fmtMs(s.latency.max),
      String(s.errors),
      fmtMs(s.lagP99),
      max >= SEARCH_CAP ? `≥${max}` : max === 0 ? `<${Math.round(opts.rate)}` : String(max),
    ];
    const rows = [header, row("A intake", fixedA, searchA.rate), row("B bare Fastify", fixedB, searchB.rate)];
    const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
    const ratios = {
      p50: ratio(fixedA.latency.p50, fixedB.latency.p50),
      p99: ratio(fixedA.latency.p99, fixedB.latency.p99),
      maxSustained: ratio(searchA.rate, searchB.rate),
    };
    const fx = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : "–");

    console.log("");
    console.log(line(rows[0] ?? []));
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    for (const r of rows.slice(1)) console.log(line(r));
    console.log("");
    console.log(`A/B: p50 ${fx(ratios.p50)}   p99 ${fx(ratios.p99)}   max sustained rate ${fx(ratios.maxSustained)}`);
    console.log(
      `integrity (A, fixed-rate phase): sent ${runA.sent}, stored ${stored}, marked enqueued ${enqueued}, ` +
        `jobs in queue ${jobs} → ${integrityOk ? "OK" : "MISMATCH"}`,
    );
    console.log(`  bench queue job counts (incl. warm-up): ${JSON.stringify(jobCounts)}`);
    console.log(
      `where A's time goes (fixed phase): in-server p50 ${fmtMs(server.p50)} / p99 ${fmtMs(server.p99)}; ` +
        `of which queue.add p50 ${fmtMs(enqueue.p50)} / p99 ${fmtMs(enqueue.p99)}; ` +
        `the rest is the insert + markEnqueued round trips to ${intake.database.kind === "postgres" ? "PostgreSQL (pool of 10)" : "in-process PGlite"}, plus verify/parse.`,
    );
    for (const s of [...fixedA.errorSamples, ...fixedB.errorSamples]) console.log(`  error sample: ${s}`);

    const results = {
      when: new Date().toISOString(),
      host: { cores, node: process.version, platform: `${os.platform()} ${os.release()}`, cpu: os.cpus()[0]?.model ?? "unknown" },
      note: "load generator (worker thread), servers, PostgreSQL and Redis share the host's cores",
      options: opts,
      sustainedCriterion: SUSTAINED,
      targets: {
        intake: { fixed: fixedA, maxSustainedRate: searchA.rate, search: searchA.steps, breakdown: { server, enqueue } },
        bare: { fixed: fixedB, maxSustainedRate: searchB.rate, search: searchB.steps },
      },
      ratios,
      integrity: { sent: runA.sent, stored, enqueued, jobs, jobCounts, ok: integrityOk },
    };
    const out = path.join(path.dirname(fileURLToPath(import.meta.url)), "results", "webhook-intake.json");
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`written ${path.relative(process.cwd(), out)}`);
    return integrityOk ? 0 : 1;
  } finally {
    await gen?.close();
    await bare?.close();
    await intake.close();
  }
}

if (isMainThread) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(`webhook intake bench failed: ${err.message}`);
      process.exit(2);
    },
  );
}
