import type { IncomingHttpHeaders } from "node:http";
import type { InstallationRecord, RepoRecord, TokenRecord, UserRecord } from "./types.js";

/** Routing, error bodies and pagination shared by every REST route of the double. */

export const DOCS = "https://docs.github.com/rest";

export interface ValidationErrorItem {
  resource?: string;
  field?: string;
  code: string;
  message?: string;
  value?: unknown;
}

/** A GitHub-shaped error: `{ message, errors?, documentation_url, status }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: (ValidationErrorItem | string)[],
    readonly docs: string = DOCS,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
      documentation_url: this.docs,
      status: String(this.status),
    };
  }
}

export const notFound = (docs = DOCS): HttpError => new HttpError(404, "Not Found", undefined, docs);

export const validationFailed = (...errors: (ValidationErrorItem | string)[]): HttpError =>
  new HttpError(422, "Validation Failed", errors);

export type Caller =
  | { kind: "anonymous" }
  | { kind: "app" }
  | { kind: "installation"; installation: InstallationRecord; token: TokenRecord; actor: UserRecord }
  | { kind: "user"; user: UserRecord };

export interface RouteContext {
  method: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  headers: IncomingHttpHeaders;
  caller: Caller;
  /** Present on routes under /repos/:owner/:repo once access has been checked. */
  repo: RepoRecord;
  /** Origin plus the GHES prefix when the client used one; pagination links are built on it. */
  apiRoot: string;
  rawPath: string;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A non-JSON body (raw file contents). */
  raw?: { data: Buffer | string; contentType: string };
}

export type Handler = (ctx: RouteContext) => Promise<Reply> | Reply;

/** "none": the few routes GitHub serves without credentials (the manifest conversion). */
export type AuthKind = "app" | "installation" | "user" | "none";

export interface RouteOptions {
  auth: AuthKind;
  /** App permission the installation must hold, e.g. ["issues", "write"]. */
  permission?: [string, "read" | "write"];
  docs?: string;
}

export interface Route extends RouteOptions {
  method: string;
  segments: string[];
  handler: Handler;
}

export class RouteTable {
  readonly routes: Route[] = [];

  add(method: string, pattern: string, options: RouteOptions, handler: Handler): void {
    this.routes.push({ method, segments: pattern.split("/").slice(1), handler, ...options });
  }

  /** `:name` takes one segment, `*name` the rest; params are percent-decoded after matching. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const parts = path.split("/").slice(1);
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const params = matchSegments(route.segments, parts);
      if (params) return { route, params };
    }
    return undefined;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i] ?? "";
    if (seg.startsWith("*")) {
      params[seg.slice(1)] = parts.slice(i).map(decode).join("/");
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === "") return undefined;
    if (seg.startsWith(":")) params[seg.slice(1)] = decode(part);
    else if (seg !== part) return undefined;
  }
  return parts.length === pattern.length ? params : undefined;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Slices a list the way GitHub pages it and builds the matching Link header. */
export function paginate<T>(ctx: RouteContext, items: T[], maxPerPage = 100): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(intParam(ctx.query.per_page, 30), 1), maxPerPage);
  const page = Math.max(intParam(ctx.query.page, 1), 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (p: number): string => {
    const query = new URLSearchParams({ ...ctx.query, per_page: String(perPage), page: String(p) });
    return `<${ctx.apiRoot}${ctx.rawPath}?${query.toString()}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`);
  if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) rels.push(`${link(1)}; rel="first"`);
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: rels.length ? { link: rels.join(", ") } : {},
  };
}

function intParam(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  return Number.isInteger(n) ? n : fallback;
}

export function asObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new HttpError(400, "Problems parsing JSON");
  }
  return body as Record<string, unknown>;
}

/** Type errors get GitHub's schema-validation message, which names the JSON property. */
export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw new HttpError(422, `Invalid request.\n\nFor 'properties/${field}', ${JSON.stringify(value)} is not a string.`);
  }
  return value;
}

export function requiredString(body: Record<string, unknown>, field: string, resource: string): string {
  const value = optionalString(body, field);
  if (value === undefined || value === "") {
    throw validationFailed({ resource, field, code: "missing_field" });
  }
  return value;
}
