// The dashboard through Fastify's inject on the real PostgreSQL and Redis, with GitHub sign-in
// against the GitHub double: who may see what, CSRF on actions, bounded pages for bad input,
// and /metrics scraped and parsed.
import path from "node:path";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { modelVersions } from "../../db/schema.js";
import { createLogger } from "../../src/logger.js";
import { Metrics } from "../../src/metrics.js";
import { Queues, redisOptions } from "../../src/queue.js";
import { UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { sftMasking } from "../../src/runtime/sft-masking.js";
import { buildServer } from "../../src/web/server.js";
import { eq } from "drizzle-orm";
import { ACME, HUGE_ROLLOUT, OTHER, SECRET_TASK, seedDashboard, type Seeded } from "../support/dashboard-seed.js";
import { parsePrometheusText } from "../support/prometheus.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { requireRedis } from "../support/services.js";
import { testConfig, testPrivateKey } from "../support/test-config.js";

const TOKEN = "dashboard-token-0123456789abcdef";
const log = createLogger("silent");

let temp: TempDatabase;
let database: DatabaseHandle;
let queues: Queues;
let gh: GitHubDouble;
let app: FastifyInstance;
let seeded: Seeded;
let config: ReturnType<typeof testConfig>;

/** A cookie jar for inject: what the browser would send back. */
class Jar {
  readonly cookies = new Map<string, string>();
  take(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === "" || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }
  get header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? "";

async function tokenSession(): Promise<Jar> {
  const jar = new Jar();
  const page = jar.take(await app.inject({ url: "/dashboard/login" }));
  const res = jar.take(
    await app.inject({ method: "POST", url: "/dashboard/login", headers: { cookie: jar.header }, payload: { _csrf: csrfOf(page.body), token: TOKEN, next: "/dashboard/tasks" } }),
  );
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe("/dashboard/tasks");
  return jar;
}

async function githubSession(login: string): Promise<Jar> {
  const jar = new Jar();
  gh.signInBrowser(login);
  const start = jar.take(await app.inject({ url: "/dashboard/oauth/start?next=/dashboard" }));
  expect(start.statusCode).toBe(302);
  const atGitHub = await fetch(String(start.headers.location), { redirect: "manual" });
  const back = new URL(atGitHub.headers.get("location") ?? "");
  const res = jar.take(await app.inject({ url: `${back.pathname}${back.search}`, headers: { cookie: jar.header } }));
  expect(res.statusCode, res.body).toBe(302);
  return jar;
}

beforeAll(async () => {
  await requireRedis();
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "/nonexistent" });
  await migrate(database);
  seeded = await seedDashboard(database.db);
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "test-secret" });
  await gh.createRepo(ACME.repo, { files: { "README.md": "a\n" } });
  await gh.createRepo(OTHER.repo, { files: { "README.md": "o\n" } });
  gh.addInstallation({ id: ACME.installation, account: { login: "acme", type: "Organization" }, repositories: "all" });
  gh.addInstallation({ id: OTHER.installation, account: { login: "other", type: "Organization" }, repositories: "all" });
  gh.addMember("acme", "alice");
  gh.addUser("mallory");
  config = testConfig({
    LEGO_DASHBOARD_TOKEN: TOKEN,
    GITHUB_CLIENT_ID: gh.clientId,
    GITHUB_CLIENT_SECRET: gh.clientSecret,
    GITHUB_API_URL: gh.url,
    LEGO_PUBLIC_URL: "http://127.0.0.1:1",
  });
  queues = new Queues(config.REDIS_URL, config.LEGO_QUEUE_PREFIX);
  app = await buildServer({ config, log, database, queues, appYmlPath: path.resolve("app.yml"), envFile: "/nonexistent/.env", metrics: new Metrics(), maskStep: sftMasking });
});

afterAll(async () => {
  await app?.close();
  for (const q of ["harvest", "webhooks"] as const) await queues?.get(q).obliterate({ force: true });
  await queues?.close();
  await database?.close();
  await temp?.drop();
  await gh?.close();
});

describe("dashboard: access", () => {
  it("sends a browser without a session to the sign-in page, and refuses scripts with 401", async () => {
    const page = await app.inject({ url: "/dashboard/tasks?status=valid" });
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe(`/dashboard/login?next=${encodeURIComponent("/dashboard/tasks?status=valid")}`);
    for (const url of ["/dashboard?format=json", "/dashboard/rollouts/x", "/dashboard/queues/ui/api/queues"]) {
      const res = await app.inject({ url, headers: { accept: "application/json" } });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error).toMatch(/Sign in first/);
    }
    expect((await app.inject({ method: "POST", url: "/dashboard/models/1/promote" })).statusCode).toBe(401);
  });

  it("accepts the dashboard token as a bearer token and refuses any other", async () => {
    const ok = await app.inject({ url: "/dashboard?format=json", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().overview.tasks.total).toBe(seeded.all.tasks);
    const bad = await app.inject({ url: "/dashboard?format=json", headers: { authorization: "Bearer nope-nope-nope-nope" } });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers["www-authenticate"]).toMatch(/Bearer/);
  });

  it("signs in with the token through the form (CSRF-protected) and refuses a wrong token or a missing CSRF token", async () => {
    const jar = new Jar();
    const page = jar.take(await app.inject({ url: "/dashboard/login" }));
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    const noCsrf = await app.inject({ method: "POST", url: "/dashboard/login", headers: { cookie: jar.header }, payload: { token: TOKEN } });
    expect(noCsrf.statusCode).toBe(403);
    const wrong = await app.inject({ method: "POST", url: "/dashboard/login", headers: { cookie: jar.header }, payload: { _csrf: csrfOf(page.body), token: "wrong-token-wrong-token" } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain("not the dashboard token");
    const session = await tokenSession();
    const cookie = session.cookies.get("lego_session") ?? "";
    const res = await app.inject({ url: "/dashboard", headers: { cookie: session.header } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("Overview");
    const setCookie = String(res.headers["set-cookie"] ?? "") + String((await app.inject({ url: "/dashboard/login" })).headers["set-cookie"]);
    expect(setCookie).not.toContain(TOKEN);
    expect(cookie).not.toContain(TOKEN);
  });

  it("treats a forged or re-signed session cookie as no session", async () => {
    const jar = await tokenSession();
    const real = jar.cookies.get("lego_session") ?? "";
    const [value] = real.split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ l: "mallory", v: "token", i: "all", e: Date.now() + 3600_000 })).toString("base64url");
    for (const forged of [`${forgedPayload}.${real.split(".").slice(1).join(".")}`, `${value}.AAAA`, forgedPayload]) {
      const res = await app.inject({ url: "/dashboard?format=json", headers: { cookie: `lego_session=${forged}` } });
      expect(res.statusCode).toBe(401);
    }
  });

  it("signs in with GitHub and shows only the installations the user belongs to", async () => {
    const jar = await githubSession("alice");
    const json = await app.inject({ url: "/dashboard?format=json", headers: { cookie: jar.header } });
    expect(json.statusCode).toBe(200);
    const o = json.json().overview;
    expect(o.tasks.total).toBe(seeded.acme.tasks);
    expect(o.tasks.byStatus.valid).toBe(seeded.acme.valid);
    expect(o.rollouts.total).toBe(seeded.acme.rollouts);
    expect(o.deliveries.total).toBe(seeded.acme.deliveries);
    expect(json.json().queues).toBeUndefined();

    const tasks = await app.inject({ url: "/dashboard/tasks?format=json&window=all&per_page=100", headers: { cookie: jar.header } });
    expect(tasks.json().rows.every((t: { repo: string }) => t.repo === ACME.repo)).toBe(true);
    // Another installation's rows, by id or by filter, do not exist for this viewer.
    expect((await app.inject({ url: `/dashboard/tasks/${SECRET_TASK}`, headers: { cookie: jar.header } })).statusCode).toBe(404);
    expect((await app.inject({ url: "/dashboard/rollouts/rollout-other-0", headers: { cookie: jar.header } })).statusCode).toBe(404);
    expect((await app.inject({ url: `/dashboard?installation=${OTHER.installation}`, headers: { cookie: jar.header } })).statusCode).toBe(404);
    expect((await app.inject({ url: `/dashboard/tasks?repo=${OTHER.repo}&format=json`, headers: { cookie: jar.header } })).statusCode).toBe(404);
    expect((await app.inject({ url: `/dashboard/repos/${OTHER.repo}`, headers: { cookie: jar.header } })).statusCode).toBe(404);
    // Operator-only: queues, their UI, and promoting a model.
    expect((await app.inject({ url: "/dashboard/queues", headers: { cookie: jar.header } })).statusCode).toBe(403);
    expect((await app.inject({ url: "/dashboard/queues/ui/", headers: { cookie: jar.header } })).statusCode).toBe(403);
  });

  it("refuses GitHub users who belong to no installation", async () => {
    const jar = new Jar();
    gh.signInBrowser("mallory");
    const start = jar.take(await app.inject({ url: "/dashboard/oauth/start" }));
    const back = new URL((await fetch(String(start.headers.location), { redirect: "manual" })).headers.get("location") ?? "");
    const res = await app.inject({ url: `${back.pathname}${back.search}`, headers: { cookie: jar.header } });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain("not installed on any account you belong to");
    expect(String(res.headers["set-cookie"] ?? "")).not.toContain("lego_session=");
  });

  it("refuses an OAuth callback whose state does not match this browser's", async () => {
    const jar = new Jar();
    jar.take(await app.inject({ url: "/dashboard/oauth/start" }));
    const res = await app.inject({ url: "/dashboard/oauth/callback?code=abc&state=forged", headers: { cookie: jar.header } });
    expect(res.statusCode).toBe(400);
  });
});

describe("dashboard: pages and bad input", () => {
  const bearer = { authorization: `Bearer ${TOKEN}` };

  it.each([
    ["/dashboard/tasks?per_page=1000000", /per_page: must be at most 100/],
    ["/dashboard/tasks?page=abc", /page: must be a whole number/],
    ["/dashboard/tasks?status=valid&status=invalid", /status: given more than once/],
    ["/dashboard/tasks?status=bogus", /status: must be one of/],
    ["/dashboard/rollouts?window=forever", /window: must be one of/],
    ["/dashboard/tasks?repo=../../etc", /repo: must be owner\/name/],
    ["/dashboard/tasks?page=99999999", /page: must be at most/],
  ])("answers %s with a clear 400", async (url, message) => {
    const res = await app.inject({ url, headers: bearer });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(message);
  });

  it("pages the task list and filters by status and reason, the total equal to the rows", async () => {
    const res = await app.inject({ url: `/dashboard/tasks?format=json&status=skipped&reason=${encodeURIComponent("no linked issue")}&installation=${ACME.installation}`, headers: bearer });
    expect(res.json().total).toBe(seeded.acme.skippedNoIssue);
    const paged = await app.inject({ url: "/dashboard/tasks?format=json&per_page=5&page=2&window=all", headers: bearer });
    expect(paged.json().rows).toHaveLength(5);
    expect(paged.json().total).toBe(seeded.all.tasks + 1);
  });

  it("renders every page as HTML for an operator", async () => {
    const jar = await tokenSession();
    for (const url of [
      "/dashboard",
      "/dashboard?window=24h",
      "/dashboard?window=all",
      "/dashboard/repos",
      `/dashboard/repos/${ACME.repo}`,
      "/dashboard/tasks",
      "/dashboard/tasks/acme__widgets-1",
      "/dashboard/environments",
      "/dashboard/environments/1",
      "/dashboard/rollouts",
      `/dashboard/rollouts/${HUGE_ROLLOUT}`,
      "/dashboard/fixes",
      "/dashboard/deliveries",
      "/dashboard/training",
      "/dashboard/queues",
      "/dashboard/queues/ui/",
    ]) {
      const res = await app.inject({ url, headers: { cookie: jar.header } });
      expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200);
    }
  });

  it("shows training runs with their loss curve and model versions with endpoint and gate result", async () => {
    const html = await app.inject({ url: "/dashboard/training", headers: { ...bearer, accept: "text/html" } });
    expect(html.body).toContain("3 steps: 2.500 → 1.250");
    expect(html.body).toContain("http://vllm-v1:8000/v1");
    const json = await app.inject({ url: "/dashboard/training?format=json", headers: bearer });
    const data = JSON.parse(json.body) as { latestRuns: { metrics: { loss: unknown[] } | null; checkpointUri: string | null }[]; models: { endpoint: string | null }[] };
    expect(data.latestRuns.find((r) => r.metrics)?.metrics?.loss).toHaveLength(3);
    expect(data.latestRuns.find((r) => r.checkpointUri)?.checkpointUri).toBe("s3://models/v1");
    expect(data.models.map((m) => m.endpoint).sort()).toEqual(["http://vllm-v1:8000/v1", "http://vllm-v2:8000/v1"]);
  });

  it("escapes markup from a trajectory and bounds a huge observation", async () => {
    const res = await app.inject({ url: `/dashboard/rollouts/${HUGE_ROLLOUT}`, headers: bearer });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain("<script>window.__pwned");
    expect(res.body).toContain("&lt;script&gt;window.__pwned");
    expect(res.body).not.toContain('<img src=x onerror');
    expect(res.body.length).toBeLessThan(100_000);
    expect(res.body).toMatch(/characters not shown/);
    // The SFT export's rule: a bad-arguments step is masked, a failing test command is not.
    expect(res.body).toContain('<li class="step masked failed" data-step="1"');
    expect(res.body).toContain('<li class="step failed" data-step="2"');
    const json = await app.inject({ url: `/dashboard/rollouts/${HUGE_ROLLOUT}?format=json`, headers: bearer });
    expect(json.json().masked).toEqual([1]);
    const task = await app.inject({ url: "/dashboard/tasks/acme__widgets-1", headers: bearer });
    expect(task.body).toContain("add() subtracts &lt;b&gt;instead&lt;/b&gt;");
    expect(task.body).toContain('<span class="d-add">+    return a + b</span>');
  });

  it("promotes a model version only with a CSRF token (cookie session) or the bearer token", async () => {
    const [v2] = await database.db.select().from(modelVersions).where(eq(modelVersions.name, "lego-8b-v2"));
    const jar = await tokenSession();
    const noToken = await app.inject({ method: "POST", url: `/dashboard/models/${v2?.id}/promote`, headers: { cookie: jar.header }, payload: {} });
    expect(noToken.statusCode).toBe(403);
    const page = jar.take(await app.inject({ url: "/dashboard/training", headers: { cookie: jar.header } }));
    const ok = await app.inject({ method: "POST", url: `/dashboard/models/${v2?.id}/promote`, headers: { cookie: jar.header }, payload: { _csrf: csrfOf(page.body) } });
    expect(ok.statusCode).toBe(303);
    const rows = await database.db.select({ name: modelVersions.name, status: modelVersions.status }).from(modelVersions).orderBy(modelVersions.name);
    expect(rows).toEqual([
      { name: "lego-8b-v1", status: "retired" },
      { name: "lego-8b-v2", status: "promoted" },
    ]);
    expect((await app.inject({ method: "POST", url: "/dashboard/models/999999/promote", headers: bearer })).statusCode).toBe(404);
  });

  it("retries a failed job from the queues page", async () => {
    const q = queues.get("harvest");
    const worker = new Worker("harvest", async () => {
      throw new UnrecoverableError("boom");
    }, { connection: new Redis(redisOptions(config.REDIS_URL, true)), prefix: config.LEGO_QUEUE_PREFIX });
    const failed = new Promise((resolve) => worker.once("failed", resolve));
    await queues.add("harvest", "dash-retry-1", { installationId: 1, repo: "acme/widgets", pullNumber: 1 }, { attempts: 1 });
    await failed;
    await worker.close();
    expect(await (await q.getJob("dash-retry-1"))?.isFailed()).toBe(true);
    const listed = await app.inject({ url: "/dashboard/queues?format=json", headers: bearer });
    expect(listed.json().failed.map((j: { id: string }) => j.id)).toContain("dash-retry-1");
    const res = await app.inject({ method: "POST", url: "/dashboard/queues/harvest/jobs/dash-retry-1/retry", headers: bearer });
    expect(res.statusCode).toBe(200);
    expect(await (await q.getJob("dash-retry-1"))?.isFailed()).toBe(false);
    expect((await app.inject({ method: "POST", url: "/dashboard/queues/nope/jobs/x/retry", headers: bearer })).statusCode).toBe(404);
  });

  it("serves the bundled chart library and refuses bull-board writes from another origin", async () => {
    const asset = await app.inject({ url: "/dashboard/assets/chart.umd.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.body.length).toBeGreaterThan(100_000);
    const jar = await tokenSession();
    const res = await app.inject({ method: "PUT", url: "/dashboard/queues/ui/api/queues/harvest/retry/failed", headers: { cookie: jar.header, origin: "https://evil.example" } });
    expect(res.statusCode).toBe(403);
  });
});

describe("/metrics", () => {
  it("serves Prometheus text that parses, with intake, queue and factory metrics", async () => {
    await app.inject({ method: "POST", url: "/api/github/webhooks", payload: "{}", headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": "m-1", "x-hub-signature-256": "sha256=00" } });
    const res = await app.inject({ url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(res.body);
    expect([...families.keys()].every((name) => name.startsWith("lego_"))).toBe(true);
    const samples = (name: string) => families.get(name)?.samples ?? [];
    expect(families.get("lego_webhook_intake_seconds")?.type).toBe("histogram");
    expect(samples("lego_webhook_intake_seconds").find((s) => s.name === "lego_webhook_intake_seconds_count" && s.labels.outcome === "bad_signature")?.value).toBe(1);
    expect(samples("lego_webhook_deliveries_total").find((s) => s.labels.outcome === "bad_signature")?.value).toBe(1);
    expect(samples("lego_queue_jobs").some((s) => s.labels.queue === "harvest" && s.labels.state === "waiting")).toBe(true);
    const valid = samples("lego_tasks").filter((s) => s.labels.status === "valid").reduce((a, s) => a + s.value, 0);
    expect(valid).toBe(seeded.all.valid + 1);
    expect(samples("lego_rollouts").find((s) => s.labels.outcome === "resolved")?.value).toBe(2);
    expect(samples("lego_model_promoted")).toHaveLength(1);
    expect(samples("lego_rollout_cost_usd")[0]?.value).toBeCloseTo(0.047, 5);
    expect(samples("lego_training_runs").find((s) => s.labels.status === "failed")?.value).toBe(1);
    expect(families.get("lego_process_resident_memory_bytes")?.type).toBe("gauge");
  });

  it("needs the bearer token when LEGO_METRICS_TOKEN is set", async () => {
    const guarded = await buildServer({
      config: { ...config, LEGO_METRICS_TOKEN: "metrics-secret-123" },
      log,
      database,
      queues,
      appYmlPath: path.resolve("app.yml"),
      envFile: "/nonexistent/.env",
      metrics: new Metrics(),
    });
    try {
      expect((await guarded.inject({ url: "/metrics" })).statusCode).toBe(401);
      expect((await guarded.inject({ url: "/metrics", headers: { authorization: "Bearer metrics-secret-123" } })).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
