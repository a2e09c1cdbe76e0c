// Query strings of the dashboard's pages: one schema per page, parsed once, with a 400 that names
// each bad parameter. Pages are bounded: at most 100 rows each. Pure.
import { z } from "zod";
import { rolloutOutcomes, taskStatuses, environmentStatuses, deliveryStatuses, outcomeSignals } from "../../../db/schema.js";

export const windows = ["24h", "7d", "30d", "90d", "all"] as const;
export type Window = (typeof windows)[number];

const WINDOW_MS: Record<Exclude<Window, "all">, number> = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000, "90d": 90 * 86_400_000 };

export const MAX_PER_PAGE = 100;
/** Deep offsets scan everything before them; nobody pages this far by hand. */
export const MAX_PAGE = 10_000;

export function windowStart(window: Window, now: Date): Date | null {
  return window === "all" ? null : new Date(now.getTime() - WINDOW_MS[window]);
}

/** An empty field of a submitted filter form means "any". */
const blankIsUnset = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema);
const text = blankIsUnset(z.string().trim().max(300, "must be at most 300 characters").optional());
const repo = blankIsUnset(
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must be owner/name")
    .optional(),
);
const wholeNumber = (min: number, max: number) =>
  z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const int = (min: number, max: number) => wholeNumber(min, max).optional();
const intOr = (min: number, max: number, fallback: number) => wholeNumber(min, max).default(fallback);
const optionalEnum = <T extends readonly [string, ...string[]]>(values: T) => blankIsUnset(z.enum(values, { error: `must be one of ${values.join(", ")}` }).optional());

const scope = {
  installation: blankIsUnset(int(1, Number.MAX_SAFE_INTEGER)),
  repo,
  window: z.enum(windows, { error: `must be one of ${windows.join(", ")}` }).default("30d"),
};
const paging = {
  page: intOr(1, MAX_PAGE, 1),
  per_page: intOr(1, MAX_PER_PAGE, 50),
};

export const overviewQuery = z.object({ ...scope });
export const tasksQuery = z.object({
  ...scope,
  ...paging,
  status: optionalEnum(taskStatuses),
  kind: optionalEnum(["real", "synthetic"] as const),
  strategy: text,
  reason: text,
});
export const environmentsQuery = z.object({ ...scope, ...paging, status: optionalEnum(environmentStatuses), failure_class: text });
export const rolloutsQuery = z.object({ ...scope, ...paging, outcome: optionalEnum(rolloutOutcomes), task: text, fix: int(1, 2 ** 31 - 1) });
export const fixesQuery = z.object({ ...scope, ...paging, status: text, signal: optionalEnum(outcomeSignals), pr: optionalEnum(["opened"] as const) });
export const deliveriesQuery = z.object({ ...scope, ...paging, status: optionalEnum(deliveryStatuses), event: text });
export const reposQuery = z.object({ ...scope, ...paging });

export type OverviewQuery = z.infer<typeof overviewQuery>;
export type TasksQuery = z.infer<typeof tasksQuery>;
export type EnvironmentsQuery = z.infer<typeof environmentsQuery>;
export type RolloutsQuery = z.infer<typeof rolloutsQuery>;
export type FixesQuery = z.infer<typeof fixesQuery>;
export type DeliveriesQuery = z.infer<typeof deliveriesQuery>;
export type ReposQuery = z.infer<typeof reposQuery>;

export class BadQueryError extends Error {
  readonly statusCode = 400;
  constructor(readonly problems: string[]) {
    super(`Bad query string: ${problems.join("; ")}. Fix the address, or start again from /dashboard.`);
  }
}

/** A repeated parameter (?a=1&a=2) is ambiguous: refused rather than guessed. */
export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const input = (query && typeof query === "object" ? query : {}) as Record<string, unknown>;
  const repeated = Object.entries(input).filter(([, v]) => Array.isArray(v)).map(([k]) => `${k}: given more than once`);
  if (repeated.length) throw new BadQueryError(repeated);
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new BadQueryError(parsed.error.issues.map((i) => `${String(i.path[0] ?? "query")}: ${i.message}`));
  return parsed.data;
}
