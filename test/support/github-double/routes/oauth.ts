import { randomBytes } from "node:crypto";
import { newToken } from "../auth.js";
import { asObject, HttpError, paginate, type Reply, type RouteContext, type RouteTable } from "../http.js";
import type { Shapes } from "../serialize.js";
import type { GitHubState } from "../state.js";
import type { UserRecord } from "../types.js";

/**
 * The web application flow of a GitHub App ("Generating a user access token for a GitHub App"):
 * the browser is sent to /login/oauth/authorize, GitHub redirects back with a one-time code, the
 * app trades it at /login/oauth/access_token for an expiring `ghu_` token, and calls /user and
 * /user/installations with it.
 */

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** When set, redirect_uri must start with one of these (GitHub matches host, port and path prefix). */
  callbackUrls: string[];
}

export interface OAuthBrowser {
  /** The user signed in to the double's web UI in "the browser"; undefined shows a sign-in form. */
  user: UserRecord | undefined;
}

const DOCS = "https://docs.github.com/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";
const CODE_LIFETIME_MS = 10 * 60 * 1000;
/** GitHub App user tokens expire after eight hours; refresh tokens after six months. */
const USER_TOKEN_LIFETIME_S = 8 * 3600;
const REFRESH_TOKEN_LIFETIME_S = 15_811_200;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function html(status: number, body: string): Reply {
  return { status, raw: { data: `<!doctype html><html><body>${body}</body></html>`, contentType: "text/html; charset=utf-8" } };
}

function redirectTo(target: string, params: Record<string, string>): Reply {
  const url = new URL(target);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { status: 302, headers: { location: url.toString() } };
}

/** Query-string parameters, overridden by a form or JSON body, as GitHub reads them. */
function params(ctx: RouteContext): Record<string, string> {
  const body = ctx.body && typeof ctx.body === "object" ? asObject(ctx.body) : {};
  return { ...ctx.query, ...Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])) };
}

function tokenReply(ctx: RouteContext, fields: Record<string, string | number>): Reply {
  if (/application\/json/i.test(String(ctx.headers.accept ?? ""))) return { body: fields };
  // Without `Accept: application/json` GitHub answers form-encoded.
  const form = new URLSearchParams(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]))).toString();
  return { raw: { data: form, contentType: "application/x-www-form-urlencoded; charset=utf-8" } };
}

export function registerOAuthRoutes(
  table: RouteTable,
  { state, shapes, client, browser }: { state: GitHubState; shapes: Shapes; client: OAuthClient; browser: OAuthBrowser },
): void {
  const authorize = (ctx: RouteContext): Reply => {
    const p = params(ctx);
    if (p.client_id !== client.clientId) return html(404, "<h1>404</h1><p>The client_id is not known.</p>");
    const redirectUri = p.redirect_uri || null;
    if (redirectUri && client.callbackUrls.length && !client.callbackUrls.some((u) => redirectUri.startsWith(u))) {
      return html(400, "<h1>The redirect_uri is not associated with this application.</h1>");
    }
    const target = redirectUri ?? client.callbackUrls[0];
    if (!target) return html(400, "<h1>The application has no callback URL.</h1>");
    // The sign-in form posts the login back here; a real GitHub would check a password too.
    if (ctx.method === "POST" && p.login) browser.user = state.user(p.login);
    const user = browser.user;
    if (!user) {
      const hidden = Object.entries(p)
        .filter(([k]) => k !== "login")
        .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
        .join("");
      return html(200, `<h1>Sign in to GitHub</h1><form method="post" action="/login/oauth/authorize">${hidden}<label>Username <input name="login"></label><button type="submit">Sign in</button></form>`);
    }
    const code = randomBytes(10).toString("hex");
    state.oauthCodes.set(code, { user, clientId: client.clientId, redirectUri, expiresAt: new Date(Date.now() + CODE_LIFETIME_MS) });
    return redirectTo(target, { code, ...(p.state !== undefined ? { state: p.state } : {}) });
  };
  table.add("GET", "/login/oauth/authorize", { auth: "none" }, authorize);
  table.add("POST", "/login/oauth/authorize", { auth: "none" }, authorize);

  table.add("POST", "/login/oauth/access_token", { auth: "none" }, (ctx) => {
    const p = params(ctx);
    // GitHub reports these errors with status 200 and an `error` field.
    const error = (code: string, description: string) => tokenReply(ctx, { error: code, error_description: description, error_uri: DOCS });
    if (p.client_id !== client.clientId || p.client_secret !== client.clientSecret) {
      return error("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.");
    }
    const record = p.code ? state.oauthCodes.get(p.code) : undefined;
    if (!record || record.clientId !== p.client_id || record.expiresAt.getTime() <= Date.now()) {
      return error("bad_verification_code", "The code passed is incorrect or expired.");
    }
    if (p.redirect_uri && record.redirectUri && p.redirect_uri !== record.redirectUri) {
      return error("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.");
    }
    state.oauthCodes.delete(p.code ?? "");
    const token = newToken("ghu_");
    state.userTokens.set(token, { user: record.user, clientId: client.clientId, expiresAt: new Date(Date.now() + USER_TOKEN_LIFETIME_S * 1000) });
    return tokenReply(ctx, {
      access_token: token,
      expires_in: USER_TOKEN_LIFETIME_S,
      refresh_token: newToken("ghr_"),
      refresh_token_expires_in: REFRESH_TOKEN_LIFETIME_S,
      token_type: "bearer",
      scope: "",
    });
  });

  const caller = (ctx: RouteContext): UserRecord => {
    if (ctx.caller.kind !== "user") throw new HttpError(403, "Resource not accessible by integration");
    return ctx.caller.user;
  };

  table.add("GET", "/user", { auth: "user", docs: "https://docs.github.com/rest/users/users#get-the-authenticated-user" }, (ctx) => ({
    body: { ...shapes.user(caller(ctx)), name: null, email: null },
  }));

  table.add("GET", "/user/installations", { auth: "user", docs: "https://docs.github.com/rest/apps/installations#list-app-installations-accessible-to-the-user-access-token" }, (ctx) => {
    const installations = state.installationsOf(caller(ctx)).map((i) => shapes.installation(i));
    const page = paginate(ctx, installations);
    return { body: { total_count: installations.length, installations: page.items }, headers: page.headers };
  });
}
