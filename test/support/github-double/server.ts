import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { KeyObject } from "node:crypto";
import { appCaller, hasPermission, installationCaller, tokenCoversRepo, userCaller } from "./auth.js";
import { GIT_PATH, serveGit, type GitHttpDeps } from "./git-http.js";
import { HttpError, notFound, type AuthKind, type Caller, type Reply, type RouteContext, type RouteTable } from "./http.js";
import type { GitHubState } from "./state.js";
import type { RecordedCall, RepoRecord, UserRecord } from "./types.js";

/** The HTTP front of the double: GHES-style prefixes, auth, repository access, JSON, and the call log. */

/**
 * A failure the double answers with instead of the route, as GitHub does in an outage: an error
 * status with GitHub's error body (a 502, a secondary rate limit's 403), or no answer at all (a
 * hung connection). `times` counts down; absent means until removed.
 */
export interface Fault {
  method: string;
  path: RegExp;
  status?: number;
  message?: string;
  headers?: Record<string, string>;
  /** Never answer (the socket stays open until the client gives up or the double closes). */
  hang?: boolean;
  times?: number;
}

export interface ServerDeps {
  state: GitHubState;
  faults: Fault[];
  table: RouteTable;
  appId: number;
  publicKey: KeyObject;
  bot: UserRecord;
  calls: RecordedCall[];
  git: Omit<GitHttpDeps, "state">;
}

const RATE_RESET = String(Math.floor(Date.now() / 1000) + 3600);

function jsonHeaders(): Record<string, string> {
  return {
    "content-type": "application/json; charset=utf-8",
    "x-github-media-type": "github.v3; format=json",
    "x-github-api-version-selected": "2022-11-28",
    "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(),
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    "x-ratelimit-reset": RATE_RESET,
    "x-ratelimit-used": "1",
    "x-ratelimit-resource": "core",
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, reply: Reply): void {
  const status = reply.status ?? 200;
  if (reply.raw) {
    res.writeHead(status, { ...jsonHeaders(), "content-type": reply.raw.contentType, ...reply.headers });
    res.end(reply.raw.data);
    return;
  }
  res.writeHead(status, { ...jsonHeaders(), ...reply.headers });
  res.end(status === 204 || reply.body === undefined ? undefined : JSON.stringify(reply.body));
}

function authenticate(deps: ServerDeps, kind: AuthKind, authorization: string | undefined): Caller {
  if (kind === "none") return { kind: "anonymous" };
  if (kind === "user") return userCaller(deps.state, authorization);
  return kind === "app" ? appCaller(authorization, deps.appId, deps.publicKey) : installationCaller(deps.state, authorization, deps.bot);
}

/** Checks that the token reaches the repository (404 otherwise, as GitHub hides what it cannot show) and holds the permission. */
function authorizeRepo(
  deps: ServerDeps,
  fullName: string,
  caller: Caller,
  permission: [string, "read" | "write"] | undefined,
  docs: string | undefined,
): RepoRecord {
  const repo = deps.state.repo(fullName);
  if (!repo || !tokenCoversRepo(deps.state, caller, repo)) throw notFound(docs);
  if (permission && caller.kind === "installation") {
    const [names, level] = permission;
    if (!names.split("|").some((name) => hasPermission(caller.token.permissions, name, level))) {
      throw new HttpError(403, "Resource not accessible by integration", undefined, docs);
    }
  }
  return repo;
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
  const url = new URL(req.url ?? "/", origin);
  const method = req.method ?? "GET";
  let path = url.pathname;
  let prefix = "";
  // GHES clients (and Probot with GHE_HOST) put the REST API under /api/v3 and GraphQL at /api/graphql.
  if (path === "/api/graphql") {
    path = "/graphql";
  } else if (path.startsWith("/api/v3/")) {
    prefix = "/api/v3";
    path = path.slice(prefix.length);
  }
  const query = Object.fromEntries(url.searchParams);
  const record = (status: number, body: unknown, installationId?: number): void => {
    let decoded = path;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      // Keep the raw path when it is not valid percent-encoding.
    }
    deps.calls.push({
      method,
      path: decoded,
      query,
      body,
      status,
      at: new Date().toISOString(),
      ...(installationId !== undefined ? { installationId } : {}),
    });
  };

  if (GIT_PATH.test(path)) {
    const status = await serveGit(req, res, url, { state: deps.state, ...deps.git });
    record(status, null);
    return;
  }

  const fault = deps.faults.find((f) => (f.method === "*" || f.method === method) && f.path.test(path) && (f.times === undefined || f.times > 0));
  if (fault) {
    if (fault.times !== undefined) fault.times -= 1;
    if (fault.hang) {
      record(0, null);
      return;
    }
    const status = fault.status ?? 502;
    send(res, { status, body: { message: fault.message ?? "Server Error", documentation_url: "https://docs.github.com/rest" }, headers: fault.headers });
    record(status, null);
    return;
  }

  const raw = await readBody(req);
  let body: unknown = null;
  let installationId: number | undefined;
  try {
    if (raw.length && /^application\/x-www-form-urlencoded/i.test(req.headers["content-type"] ?? "")) {
      // The OAuth web flow's token exchange and the authorize form post forms, not JSON.
      body = Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
    } else if (raw.length) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        body = raw.toString("utf8");
        throw new HttpError(400, "Problems parsing JSON");
      }
    }
    const match = deps.table.match(method, path);
    if (!match) throw notFound();
    const { route, params } = match;
    const caller = authenticate(deps, route.auth, req.headers.authorization);
    if (caller.kind === "installation") installationId = caller.installation.id;
    const repo =
      route.auth === "installation" && params.owner !== undefined && params.repo !== undefined
        ? authorizeRepo(deps, `${params.owner}/${params.repo}`, caller, route.permission, route.docs)
        : undefined;
    const ctx: RouteContext = {
      method,
      params,
      query,
      body,
      headers: req.headers,
      caller,
      get repo(): RepoRecord {
        if (!repo) throw new Error(`GitHub double: route ${route.segments.join("/")} has no repository`);
        return repo;
      },
      apiRoot: `${origin}${prefix}`,
      rawPath: path,
    };
    const reply = await route.handler(ctx);
    send(res, reply);
    record(reply.status ?? 200, body, installationId);
  } catch (error) {
    const err =
      error instanceof HttpError
        ? error
        : (console.error("GitHub double: unexpected error", error), new HttpError(500, "Server Error"));
    send(res, { status: err.status, body: err.body(), headers: err.headers });
    record(err.status, body, installationId);
  }
}

export async function listen(deps: ServerDeps): Promise<{ server: Server; url: string }> {
  let origin = "";
  const server = createServer((req, res) => {
    handle(deps, req, res, origin).catch((error: unknown) => {
      console.error("GitHub double: request failed", error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Git and webhook clients keep connections alive; do not let them hold close() open.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return { server, url: origin };
}
