import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import { HttpError, type Caller } from "./http.js";
import type { GitHubState } from "./state.js";
import type { AccessLevel, AppPermissions, InstallationRecord, RepoRecord, TokenRecord, UserRecord } from "./types.js";

/** App JWTs and installation tokens, checked the way GitHub checks them. */

const JWT_DOCS = "https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app";
const TOKEN_LIFETIME_MS = 60 * 60 * 1000;
/** GitHub refuses app JWTs that live longer than ten minutes. */
const MAX_JWT_LIFETIME_S = 600;
/** Leeway for clock drift, the reason @octokit/auth-app backdates `iat` by 30 s. */
const CLOCK_SKEW_S = 60;

const LEVEL: Record<AccessLevel, number> = { read: 1, write: 2, admin: 3 };

export function publicKeyOf(privateKeyPem: string): KeyObject {
  return createPublicKey(privateKeyPem);
}

function jwtError(message: string): HttpError {
  return new HttpError(401, message, undefined, JWT_DOCS);
}

export function verifyAppJwt(jwt: string, appId: number, publicKey: KeyObject, nowMs = Date.now()): void {
  const parts = jwt.split(".");
  if (parts.length !== 3) throw jwtError("A JSON web token could not be decoded");
  const [headerB64 = "", payloadB64 = "", sigB64 = ""] = parts;
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(headerB64, "base64url").toString("utf8")) as Record<string, unknown>;
    payload = JSON.parse(Buffer.from(payloadB64, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    throw jwtError("A JSON web token could not be decoded");
  }
  const signed = verify(
    "RSA-SHA256",
    Buffer.from(`${headerB64}.${payloadB64}`),
    publicKey,
    Buffer.from(sigB64, "base64url"),
  );
  if (header.alg !== "RS256" || !signed) throw jwtError("A JSON web token could not be decoded");
  const now = Math.floor(nowMs / 1000);
  const { iat, exp, iss } = payload;
  if (typeof iat !== "number" || !Number.isInteger(iat) || iat > now + CLOCK_SKEW_S) {
    throw jwtError("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued");
  }
  if (typeof exp !== "number" || exp <= now) {
    throw jwtError(
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    );
  }
  if (exp - iat > MAX_JWT_LIFETIME_S || exp > now + MAX_JWT_LIFETIME_S + CLOCK_SKEW_S) {
    throw jwtError("'Expiration time' claim ('exp') is too far in the future");
  }
  if (String(iss) !== String(appId)) throw jwtError("'Issuer' claim ('iss') must be an Integer");
}

/** `prefix` + 36 base62 characters: the shape of GitHub's tokens (ghs_ installation, ghu_ user, ghr_ refresh). */
export function newToken(prefix: "ghs_" | "ghu_" | "ghr_"): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(36);
  return `${prefix}${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("")}`;
}

export function mintToken(
  state: GitHubState,
  installation: InstallationRecord,
  request: { permissions?: AppPermissions; repositories?: RepoRecord[] },
): { token: string; record: TokenRecord } {
  const token = newToken("ghs_");
  const record: TokenRecord = {
    installationId: installation.id,
    expiresAt: new Date(Date.now() + TOKEN_LIFETIME_MS),
    permissions: request.permissions ?? installation.permissions,
    repositories: request.repositories ? new Set(request.repositories.map((r) => r.fullName.toLowerCase())) : null,
  };
  state.tokens.set(token, record);
  return { token, record };
}

/** The permissions a token may be narrowed to must all be held by the installation. */
export function permissionsGranted(held: AppPermissions, asked: AppPermissions): boolean {
  return Object.entries(asked).every(([name, level]) => {
    const have = held[name];
    return have !== undefined && LEVEL[level] !== undefined && LEVEL[have] >= LEVEL[level];
  });
}

export function parseAuthorization(header: string | undefined): { scheme: string; credentials: string } | null {
  if (!header) return null;
  const space = header.indexOf(" ");
  if (space < 0) return null;
  return { scheme: header.slice(0, space).toLowerCase(), credentials: header.slice(space + 1).trim() };
}

/** The installation behind a live token, or null for unknown and expired tokens. */
export function liveToken(state: GitHubState, token: string): { record: TokenRecord; installation: InstallationRecord } | null {
  const record = state.tokens.get(token);
  if (!record || record.expiresAt.getTime() <= Date.now()) return null;
  const installation = state.installations.get(record.installationId);
  return installation ? { record, installation } : null;
}

export function installationCaller(
  state: GitHubState,
  authorization: string | undefined,
  botUser: UserRecord,
): Caller {
  const parsed = parseAuthorization(authorization);
  if (!parsed) throw new HttpError(401, "Requires authentication");
  if (parsed.scheme !== "token" && parsed.scheme !== "bearer") throw new HttpError(401, "Bad credentials");
  const live = liveToken(state, parsed.credentials);
  if (!live) throw new HttpError(401, "Bad credentials");
  return { kind: "installation", installation: live.installation, token: live.record, actor: botUser };
}

/** A user access token from the OAuth flow; GitHub answers "Bad credentials" for anything else. */
export function userCaller(state: GitHubState, authorization: string | undefined): Caller {
  const parsed = parseAuthorization(authorization);
  if (!parsed) throw new HttpError(401, "Requires authentication");
  if (parsed.scheme !== "token" && parsed.scheme !== "bearer") throw new HttpError(401, "Bad credentials");
  const record = state.userTokens.get(parsed.credentials);
  if (!record || record.expiresAt.getTime() <= Date.now()) throw new HttpError(401, "Bad credentials");
  return { kind: "user", user: record.user };
}

export function appCaller(authorization: string | undefined, appId: number, publicKey: KeyObject): Caller {
  const parsed = parseAuthorization(authorization);
  if (!parsed) {
    throw jwtError("A JSON web token could not be decoded");
  }
  if (parsed.scheme !== "bearer") throw jwtError("A JSON web token could not be decoded");
  verifyAppJwt(parsed.credentials, appId, publicKey);
  return { kind: "app" };
}

export function tokenCoversRepo(state: GitHubState, caller: Caller, repo: RepoRecord): boolean {
  if (caller.kind !== "installation") return false;
  if (caller.token.repositories && !caller.token.repositories.has(repo.fullName.toLowerCase())) return false;
  return state.installationCovers(caller.installation, repo);
}

export function hasPermission(perms: AppPermissions, name: string, level: "read" | "write"): boolean {
  const have = perms[name];
  return have !== undefined && LEVEL[have] >= LEVEL[level];
}
