// Who is looking at the dashboard, and how that travels in the session cookie. The cookie is
// signed (HMAC, @fastify/cookie) so it cannot be forged; it holds no GitHub token, only the login
// and the installations the viewer may see, read from GitHub at sign-in. Pure.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export interface Viewer {
  login: string;
  via: "token" | "github";
  /** Installation ids whose data the viewer may see; "all" for the dashboard token. */
  installations: number[] | "all";
}

export const SESSION_COOKIE = "lego_session";
export const SESSION_TTL_MS = 8 * 3600_000;

/** Operators (the dashboard token) may act on queues and models, which span installations. */
export function isOperator(viewer: Viewer): boolean {
  return viewer.installations === "all";
}

interface Payload {
  l: string;
  v: Viewer["via"];
  i: number[] | "all";
  e: number;
}

export function encodeSession(viewer: Viewer, now: number): string {
  const payload: Payload = { l: viewer.login, v: viewer.via, i: viewer.installations, e: now + SESSION_TTL_MS };
  return Buffer.from(JSON.stringify(payload)).toString("base64url");
}

/** The viewer, or null when the (already signature-checked) value is malformed or expired. */
export function decodeSession(value: string, now: number): Viewer | null {
  let p: Partial<Payload>;
  try {
    p = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Partial<Payload>;
  } catch {
    return null;
  }
  if (typeof p.l !== "string" || (p.v !== "token" && p.v !== "github") || typeof p.e !== "number" || p.e <= now) return null;
  const i = p.i;
  if (i !== "all" && !(Array.isArray(i) && i.every((n) => Number.isSafeInteger(n)))) return null;
  // Only the dashboard token grants every installation.
  if (i === "all" && p.v !== "token") return null;
  return { login: p.l, via: p.v, installations: i };
}

/** Constant-time comparison of a presented secret with the configured one. */
export function secretMatches(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The cookie-signing key: LEGO_SESSION_SECRET, or one derived from a secret the server already holds. */
export function sessionKey(opts: { sessionSecret?: string; privateKey?: string; dashboardToken?: string }): string | undefined {
  if (opts.sessionSecret) return opts.sessionSecret;
  const base = opts.privateKey ?? opts.dashboardToken;
  return base ? createHmac("sha256", base).update("legofactory dashboard sessions").digest("hex") : undefined;
}

/** Only paths inside the dashboard are followed after sign-in: no open redirect. */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/dashboard(?:[/?#]|$)/.test(next) && !next.includes("\\") ? next : "/dashboard";
}

/** The viewer's scope narrowed to one installation, or null when that installation is not theirs. */
export function narrowTo(viewer: Viewer, installation: number | undefined): number[] | "all" | null {
  if (installation === undefined) return viewer.installations;
  if (viewer.installations === "all" || viewer.installations.includes(installation)) return [installation];
  return null;
}
