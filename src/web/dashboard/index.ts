// The dashboard under /dashboard: sign-in (the dashboard token or GitHub), signed session
// cookies, CSRF tokens on every action, the pages, the bundled assets and the queue UI.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import fastifyFormbody from "@fastify/formbody";
import type { Logger } from "pino";
import {
  OutOfScopeError,
  getEnvironmentInScope,
  getRolloutInScope,
  getTaskInScope,
  installationsInScope,
  knownInstallations,
  listDeliveries,
  listEnvironments,
  listFixes,
  listRepositories,
  listRollouts,
  listTasks,
  overview,
  resolveScope,
  training,
  type Bucket,
  type Scope,
} from "../../../db/dashboard.js";
import type { Db } from "../../../db/client.js";
import { promoteModelVersion } from "../../../db/model-versions.js";
import type { Config } from "../../config.js";
import { type QueueName, queueNames, type Queues } from "../../queue.js";
import { githubSignIn } from "./github-signin.js";
import { type Html, escapeHtml, html } from "./html.js";
import {
  BadQueryError,
  deliveriesQuery,
  environmentsQuery,
  fixesQuery,
  overviewQuery,
  parseQuery,
  reposQuery,
  rolloutsQuery,
  tasksQuery,
  type Window,
  windowStart,
} from "./params.js";
import { layout, type PageContext, type ScopeFilters, table } from "./pages/layout.js";
import { deliveriesPage, environmentsPage, fixesPage, reposPage, rolloutsPage, tasksPage } from "./pages/lists.js";
import { environmentPage, repoPage, taskPage } from "./pages/detail.js";
import { overviewPage } from "./pages/overview.js";
import { trainingPage } from "./pages/training.js";
import { type StepMasker, trajectoryPage } from "./pages/trajectory.js";
import { failedJobs, QueueReadError, queueDepths, retryJob } from "./queues.js";
import { registerQueueUi } from "./queue-ui.js";
import { decodeSession, encodeSession, isOperator, narrowTo, safeNext, secretMatches, SESSION_COOKIE, SESSION_TTL_MS, sessionKey, type Viewer } from "./session.js";

export interface DashboardDeps {
  db: Db;
  queues: Queues;
  config: Config;
  log: Logger;
  /** The SFT export's masking rule, so the trajectory viewer highlights exactly what it masks. */
  maskStep?: StepMasker;
  now?: () => Date;
}

declare module "fastify" {
  interface FastifyRequest {
    viewer: Viewer | null;
  }
}

const require = createRequire(import.meta.url);
const OAUTH_COOKIE = "lego_oauth";
const CSRF_COOKIE = "lego_csrf";

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

function loadAssets(): Record<string, { body: Buffer; type: string }> {
  const own = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url));
  return {
    // chart.js exports no path to its UMD build: find it beside the package's main file.
    "chart.umd.js": { body: readFileSync(path.join(path.dirname(require.resolve("chart.js")), "chart.umd.min.js")), type: "text/javascript; charset=utf-8" },
    "dashboard.js": { body: own("dashboard.js"), type: "text/javascript; charset=utf-8" },
    "dashboard.css": { body: own("dashboard.css"), type: "text/css; charset=utf-8" },
  };
}

function wantsJson(req: FastifyRequest): boolean {
  const q = req.query as Record<string, unknown> | undefined;
  return q?.format === "json" || /^application\/json/.test(req.headers.accept ?? "");
}

function bucketFor(window: Window): Bucket {
  return window === "24h" ? "hour" : window === "all" ? "week" : "day";
}

function standalone(title: string, body: Html): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · LegoFactory</title><link rel="stylesheet" href="/dashboard/assets/dashboard.css"></head><body><main class="login"><h1>${title}</h1>${body}</main></body></html>`.value;
}

export async function registerDashboard(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const { config, db, log } = deps;
  const now = deps.now ?? (() => new Date());
  const token = config.LEGO_DASHBOARD_TOKEN;
  const oauth =
    config.GITHUB_CLIENT_ID && config.GITHUB_CLIENT_SECRET
      ? githubSignIn({ apiUrl: config.githubApiUrl, clientId: config.GITHUB_CLIENT_ID, clientSecret: config.GITHUB_CLIENT_SECRET })
      : undefined;
  const key = sessionKey({ sessionSecret: config.LEGO_SESSION_SECRET, privateKey: config.privateKey, dashboardToken: token });

  if ((!token && !oauth) || !key) {
    const off = async (_req: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(503)
        .headers(SECURITY_HEADERS)
        .type("text/html; charset=utf-8")
        .send(standalone("Dashboard is off", html`<p>No way to sign in is configured. Set <code>LEGO_DASHBOARD_TOKEN</code> (a shared token for one team), or <code>GITHUB_CLIENT_ID</code> and <code>GITHUB_CLIENT_SECRET</code> (sign-in with GitHub), and restart.</p>`));
    app.get("/dashboard", off);
    app.get("/dashboard/*", off);
    return;
  }
  const publicUrl = config.LEGO_PUBLIC_URL?.replace(/\/+$/, "");
  const secure = publicUrl?.startsWith("https:") ? true : "auto";
  const assets = loadAssets();

  await app.register(
    async (scope) => {
      await scope.register(fastifyCookie, { secret: key });
      await scope.register(fastifyFormbody);
      await scope.register(fastifyCsrf, {
        sessionPlugin: "@fastify/cookie",
        cookieKey: CSRF_COOKIE,
        cookieOpts: { path: "/dashboard", signed: true, httpOnly: true, sameSite: "strict", secure },
        getToken: (req) => {
          const body = req.body as Record<string, unknown> | undefined;
          return typeof body?._csrf === "string" ? body._csrf : (req.headers["x-csrf-token"] as string | undefined);
        },
      });
      scope.decorateRequest("viewer", null);

      scope.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
        let status = err.statusCode ?? 500;
        let message = err.message;
        if (err instanceof QueueReadError) status = 503;
        if (err.code === "FST_CSRF_INVALID_TOKEN" || err.code === "FST_CSRF_MISSING_SECRET") {
          status = 403;
          message = "This form was stale or came from another site. Reload the page and try again.";
        }
        if (status >= 500) {
          log.error({ err: err.message, url: req.url }, "dashboard request failed");
          message = err instanceof QueueReadError ? err.message : "Something went wrong on our side; the server log has the details. Try again in a moment.";
        }
        if (wantsJson(req) || req.method !== "GET") return reply.code(status).headers(SECURITY_HEADERS).send({ error: message });
        return reply.code(status).headers(SECURITY_HEADERS).type("text/html; charset=utf-8").send(standalone(status === 404 ? "Not found" : `Error ${status}`, html`<p>${message}</p><p><a href="/dashboard">Back to the overview</a></p>`));
      });

      scope.get("/assets/:name", async (req, reply) => {
        const asset = assets[(req.params as { name: string }).name];
        if (!asset) return reply.code(404).send({ error: "No such asset." });
        return reply.type(asset.type).header("cache-control", "public, max-age=3600").header("x-content-type-options", "nosniff").send(asset.body);
      });

      const setSession = (reply: FastifyReply, viewer: Viewer) =>
        reply.setCookie(SESSION_COOKIE, encodeSession(viewer, now().getTime()), { path: "/dashboard", signed: true, httpOnly: true, sameSite: "lax", secure, maxAge: SESSION_TTL_MS / 1000 });

      const viewerOf = (req: FastifyRequest): Viewer | null | "bad-bearer" => {
        const auth = req.headers.authorization;
        if (auth !== undefined) {
          const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
          if (m?.[1] && token && secretMatches(m[1], token)) return { login: "token", via: "token", installations: "all" };
          return "bad-bearer";
        }
        const raw = req.cookies[SESSION_COOKIE];
        if (!raw) return null;
        const unsigned = req.unsignCookie(raw);
        if (!unsigned.valid || unsigned.value === null) return null;
        const viewer = decodeSession(unsigned.value, now().getTime());
        // A token session outlives a change of token only until the token is gone.
        if (viewer?.via === "token" && !token) return null;
        return viewer;
      };

      const loginPage = (reply: FastifyReply, status: number, next: string, message?: string) => {
        const csrf = reply.generateCsrf();
        const body = html`${message ? html`<p class="error">${message}</p>` : ""}
${oauth ? html`<p><a class="button" href="/dashboard/oauth/start?next=${encodeURIComponent(next)}">Sign in with GitHub</a></p>` : ""}
${token ? html`<form method="post" action="/dashboard/login"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="next" value="${next}"><label>Dashboard token <input type="password" name="token" autocomplete="current-password" required></label><button type="submit">Sign in</button></form>` : ""}`;
        return reply.code(status).headers(SECURITY_HEADERS).type("text/html; charset=utf-8").send(standalone("Sign in to LegoFactory", body));
      };

      scope.get("/login", async (req, reply) => loginPage(reply, 200, safeNext((req.query as Record<string, unknown>).next)));

      scope.post("/login", { preHandler: scope.csrfProtection }, async (req, reply) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const next = safeNext(body.next);
        if (!token || typeof body.token !== "string" || !secretMatches(body.token, token)) {
          log.warn({ ip: req.ip }, "dashboard sign-in with a wrong token");
          return loginPage(reply, 401, next, "That is not the dashboard token. Check LEGO_DASHBOARD_TOKEN on the server and try again.");
        }
        setSession(reply, { login: "token", via: "token", installations: "all" });
        return reply.redirect(next, 303);
      });

      const callbackUrl = (req: FastifyRequest) => `${publicUrl ?? `${req.protocol}://${req.host}`}/dashboard/oauth/callback`;

      scope.get("/oauth/start", async (req, reply) => {
        if (!oauth) return reply.code(404).send({ error: "Sign-in with GitHub is not configured: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET." });
        const state = randomBytes(16).toString("hex");
        const next = safeNext((req.query as Record<string, unknown>).next);
        reply.setCookie(OAUTH_COOKIE, `${state}|${next}`, { path: "/dashboard/oauth", signed: true, httpOnly: true, sameSite: "lax", secure, maxAge: 600 });
        return reply.redirect(oauth.authorizeUrl(state, callbackUrl(req)), 302);
      });

      scope.get("/oauth/callback", async (req, reply) => {
        if (!oauth) return reply.code(404).send({ error: "Sign-in with GitHub is not configured." });
        const q = req.query as Record<string, unknown>;
        const raw = req.cookies[OAUTH_COOKIE];
        const unsigned = raw ? req.unsignCookie(raw) : { valid: false, value: null };
        const [state, next] = unsigned.valid && unsigned.value ? unsigned.value.split("|") : [];
        reply.clearCookie(OAUTH_COOKIE, { path: "/dashboard/oauth" });
        if (typeof q.error === "string") return loginPage(reply, 400, "/dashboard", `GitHub did not sign you in (${q.error}). Try again.`);
        if (!state || typeof q.state !== "string" || !secretMatches(q.state, state) || typeof q.code !== "string") {
          return loginPage(reply, 400, "/dashboard", "The sign-in could not be matched to this browser (it expired or came from elsewhere). Start again.");
        }
        let identity;
        try {
          identity = await oauth.identify(q.code, callbackUrl(req));
        } catch (err) {
          log.warn({ err: (err as Error).message }, "GitHub sign-in failed");
          return loginPage(reply, 502, "/dashboard", "GitHub did not confirm the sign-in. Try again; if it keeps failing, check GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET.");
        }
        const installations = await knownInstallations(db, identity.installationIds);
        if (!installations.length) {
          log.info({ login: identity.login }, "GitHub sign-in without a LegoFactory installation");
          return loginPage(reply, 403, "/dashboard", `Signed in to GitHub as ${identity.login}, but LegoFactory is not installed on any account you belong to. Ask an owner to install the app, or to give you access.`);
        }
        setSession(reply, { login: identity.login, via: "github", installations });
        log.info({ login: identity.login, installations }, "dashboard sign-in with GitHub");
        return reply.redirect(safeNext(next), 302);
      });

      scope.post("/logout", { preHandler: scope.csrfProtection }, async (_req, reply) => {
        reply.clearCookie(SESSION_COOKIE, { path: "/dashboard" });
        return reply.redirect("/dashboard/login", 303);
      });

      // Everything below needs a viewer.
      await scope.register(async (authed) => {
        authed.addHook("onRequest", async (req, reply) => {
          const viewer = viewerOf(req);
          if (viewer === "bad-bearer") {
            return reply.code(401).header("www-authenticate", 'Bearer realm="legofactory"').send({ error: "The bearer token is not the dashboard token (LEGO_DASHBOARD_TOKEN). Check it, or sign in at /dashboard/login." });
          }
          if (!viewer) {
            if (req.method === "GET" && !wantsJson(req)) return reply.redirect(`/dashboard/login?next=${encodeURIComponent(req.url)}`, 302);
            return reply.code(401).header("www-authenticate", 'Bearer realm="legofactory"').send({ error: "Sign in first: send Authorization: Bearer <LEGO_DASHBOARD_TOKEN>, or sign in at /dashboard/login." });
          }
          req.viewer = viewer;
        });

        const viewer = (req: FastifyRequest): Viewer => req.viewer as Viewer;
        /** Bearer requests carry no ambient credentials, so only cookie sessions need the CSRF token. */
        const csrfUnlessBearer = (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
          if (req.headers.authorization) return done();
          scope.csrfProtection(req, reply, done);
        };
        const requireOperator = async (req: FastifyRequest, reply: FastifyReply) => {
          if (!isOperator(viewer(req))) return reply.code(403).send({ error: "Queues and models span every installation: only the dashboard token (LEGO_DASHBOARD_TOKEN) may act on them." });
        };

        const pageContext = async (req: FastifyRequest, reply: FastifyReply): Promise<PageContext> => ({
          viewer: viewer(req),
          csrf: reply.generateCsrf(),
          installations: await installationsInScope(db, viewer(req).installations),
        });
        const send = async (req: FastifyRequest, reply: FastifyReply, title: string, render: (ctx: PageContext) => Html, data: unknown) => {
          if (wantsJson(req)) return reply.headers(SECURITY_HEADERS).send(data);
          const ctx = await pageContext(req, reply);
          return reply.headers(SECURITY_HEADERS).type("text/html; charset=utf-8").send(layout(ctx, title, render(ctx)));
        };
        const scopeOf = async (req: FastifyRequest, f: ScopeFilters): Promise<Scope> => {
          const installations = narrowTo(viewer(req), f.installation);
          if (installations === null) throw new OutOfScopeError(`No installation ${f.installation} among yours. Pick one from the list.`);
          return resolveScope(db, { installations, ...(f.repo ? { repo: f.repo } : {}), since: windowStart(f.window, now()) });
        };
        const paging = (q: { page: number; per_page: number }) => ({ page: q.page, perPage: q.per_page });
        const notFound = (what: string) => new OutOfScopeError(`${what} does not exist, or is not in your installations.`);

        authed.get("/", async (req, reply) => {
          const q = parseQuery(overviewQuery, req.query);
          const scope = await scopeOf(req, q);
          const [o, t, queues] = await Promise.all([
            overview(db, scope, bucketFor(q.window)),
            training(db, scope.since),
            isOperator(viewer(req)) ? queueDepths(deps.queues).catch((err: Error) => err.message) : Promise.resolve(undefined),
          ]);
          return send(req, reply, "Overview", (ctx) => overviewPage(ctx, q, { overview: o, training: t, ...(queues !== undefined ? { queues } : {}) }), { overview: o, training: t, queues });
        });

        authed.get("/repos", async (req, reply) => {
          const q = parseQuery(reposQuery, req.query);
          const page = await listRepositories(db, await scopeOf(req, q), paging(q));
          return send(req, reply, "Repositories", (ctx) => reposPage(ctx, q, page), page);
        });

        authed.get("/repos/:owner/:name", async (req, reply) => {
          const { owner, name } = req.params as { owner: string; name: string };
          const repo = `${owner}/${name}`;
          if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) throw new BadQueryError([`repository: ${repo} is not owner/name`]);
          const scope = await scopeOf(req, { repo, window: "all" });
          const first = { page: 1, perPage: 20 };
          const [environments, tasks, fixes] = await Promise.all([listEnvironments(db, scope, {}, first), listTasks(db, scope, {}, first), listFixes(db, scope, {}, first)]);
          return send(req, reply, repo, () => repoPage(repo, { environments, tasks, fixes }), { environments, tasks, fixes });
        });

        authed.get("/tasks", async (req, reply) => {
          const q = parseQuery(tasksQuery, req.query);
          const page = await listTasks(db, await scopeOf(req, q), { status: q.status, kind: q.kind, strategy: q.strategy, reason: q.reason }, paging(q));
          return send(req, reply, "Tasks", (ctx) => tasksPage(ctx, q, page), page);
        });

        authed.get("/tasks/:id", async (req, reply) => {
          const id = (req.params as { id: string }).id;
          const task = await getTaskInScope(db, await scopeOf(req, { window: "all" }), id);
          if (!task) throw notFound(`Task ${id}`);
          return send(req, reply, task.instanceId, () => taskPage(task), task);
        });

        authed.get("/environments", async (req, reply) => {
          const q = parseQuery(environmentsQuery, req.query);
          const page = await listEnvironments(db, await scopeOf(req, q), { status: q.status, failureClass: q.failure_class }, paging(q));
          return send(req, reply, "Environment builds", (ctx) => environmentsPage(ctx, q, page), page);
        });

        authed.get("/environments/:id", async (req, reply) => {
          const raw = (req.params as { id: string }).id;
          const id = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
          const env = Number.isNaN(id) ? undefined : await getEnvironmentInScope(db, await scopeOf(req, { window: "all" }), id);
          if (!env) throw notFound(`Environment build ${raw}`);
          return send(req, reply, `Environment build #${env.id}`, () => environmentPage(env), env);
        });

        authed.get("/rollouts", async (req, reply) => {
          const q = parseQuery(rolloutsQuery, req.query);
          const page = await listRollouts(db, await scopeOf(req, q), { outcome: q.outcome, task: q.task, fix: q.fix }, paging(q));
          return send(req, reply, "Rollouts", (ctx) => rolloutsPage(ctx, q, page), page);
        });

        authed.get("/rollouts/:id", async (req, reply) => {
          const id = (req.params as { id: string }).id;
          const r = await getRolloutInScope(db, await scopeOf(req, { window: "all" }), id);
          if (!r) throw notFound(`Rollout ${id}`);
          const task = r.rollout.taskInstanceId ? await getTaskInScope(db, await scopeOf(req, { window: "all" }), r.rollout.taskInstanceId) : undefined;
          return send(req, reply, `Rollout ${id}`, () => trajectoryPage(r, task?.problemStatement ?? null, deps.maskStep), {
            ...r,
            masked: deps.maskStep ? (Array.isArray(r.trajectory?.steps) ? (r.trajectory.steps as (Parameters<StepMasker>[0] & { index: number })[]).filter((s) => deps.maskStep?.(s)).map((s) => s.index) : []) : null,
          });
        });

        authed.get("/fixes", async (req, reply) => {
          const q = parseQuery(fixesQuery, req.query);
          const page = await listFixes(db, await scopeOf(req, q), { status: q.status, signal: q.signal, pr: q.pr }, paging(q));
          return send(req, reply, "Fix attempts", (ctx) => fixesPage(ctx, q, page), page);
        });

        authed.get("/deliveries", async (req, reply) => {
          const q = parseQuery(deliveriesQuery, req.query);
          const page = await listDeliveries(db, await scopeOf(req, q), { status: q.status, event: q.event }, paging(q));
          return send(req, reply, "Webhook deliveries", (ctx) => deliveriesPage(ctx, q, page), page);
        });

        authed.get("/training", async (req, reply) => {
          const t = await training(db, null);
          return send(req, reply, "Training", (ctx) => trainingPage(ctx, t), t);
        });

        authed.post("/models/:id/promote", { onRequest: requireOperator, preHandler: csrfUnlessBearer }, async (req, reply) => {
          const raw = (req.params as { id: string }).id;
          const change = /^\d{1,9}$/.test(raw) ? await promoteModelVersion(db, Number(raw), "promoted from the dashboard") : null;
          if (!change || (!change.ok && change.reason.startsWith("there is no"))) throw notFound(`Model version ${raw}`);
          if (!change.ok) return reply.code(409).send({ error: change.reason });
          log.info({ modelVersion: Number(raw), by: viewer(req).login }, "model version promoted from the dashboard");
          return wantsJson(req) || req.headers.authorization ? reply.send({ promoted: Number(raw) }) : reply.redirect("/dashboard/training", 303);
        });

        authed.get("/queues", { onRequest: requireOperator }, async (req, reply) => {
          const [depths, failed] = await Promise.all([queueDepths(deps.queues), failedJobs(deps.queues)]);
          return send(
            req,
            reply,
            "Queues",
            (ctx) => html`${table(["queue", "waiting", "active", "delayed", "failed", "completed"], depths.map((d) => [d.queue, d.waiting, d.active, d.delayed, d.failed, d.completed]))}
<p><a href="/dashboard/queues/ui/">Open the queue UI (bull-board)</a></p><h2>Failed jobs</h2>${table(
              ["queue", "job", "attempts", "reason", "failed", ""],
              failed.map((j) => [
                j.queue,
                j.id,
                String(j.attempts),
                j.reason,
                j.failedAt ? j.failedAt.toISOString().slice(0, 16).replace("T", " ") : "",
                html`<form method="post" action="/dashboard/queues/${j.queue}/jobs/${encodeURIComponent(j.id)}/retry"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">Retry</button></form>`,
              ]),
              "No failed jobs.",
            )}`,
            { depths, failed },
          );
        });

        authed.post("/queues/:queue/jobs/:id/retry", { onRequest: requireOperator, preHandler: csrfUnlessBearer }, async (req, reply) => {
          const { queue, id } = req.params as { queue: string; id: string };
          if (!(queueNames as readonly string[]).includes(queue)) throw notFound(`Queue ${queue}`);
          if (!(await retryJob(deps.queues, queue as QueueName, id))) throw notFound(`Failed job ${id} on ${queue}`);
          log.info({ queue, job: id, by: viewer(req).login }, "failed job retried from the dashboard");
          return wantsJson(req) || req.headers.authorization ? reply.send({ retried: id }) : reply.redirect("/dashboard/queues", 303);
        });

        await authed.register(
          async (ui) => {
            ui.addHook("onRequest", requireOperator);
            // bull-board's own UI posts JSON without our token: refuse any state change that a
            // page on another origin could have sent.
            ui.addHook("onRequest", async (req, reply) => {
              if (req.method === "GET" || req.method === "HEAD" || req.headers.authorization) return;
              const origin = req.headers.origin;
              const expected = publicUrl ?? `${req.protocol}://${req.host}`;
              if (origin !== expected) return reply.code(403).send({ error: `Refused: the request came from ${escapeHtml(origin ?? "an unknown origin")}, not ${expected}.` });
            });
            await registerQueueUi(ui, deps.queues, "/dashboard/queues/ui");
          },
          { prefix: "/queues/ui" },
        );
      });
    },
    { prefix: "/dashboard" },
  );
}
