// Whether an error means "the database is not answering" (a restart, a refused connection, a
// server shutting down) rather than "this query or this job is wrong". A job that meets the
// first waits for the database and runs again without using up one of its attempts; only the
// second is the job's failure. Pure, so the classification is unit-tested on the errors
// postgres.js and drizzle produce.

/** postgres.js's own connection errors, and the socket errors under them. */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs the server sends while it cannot serve: class 08 (connection exception), 57P01
 * admin_shutdown (a fast or smart stop), 57P02 crash_shutdown, 57P03 cannot_connect_now
 * (starting up or shutting down), 53300 too_many_connections.
 */
function unavailableSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300";
}

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 5 || typeof err !== "object" || err === null) return false;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string" && (CONNECTION_CODES.has(e.code) || unavailableSqlState(e.code))) return true;
  // drizzle wraps the driver's error (DrizzleQueryError.cause); Node's dual-stack connect throws AggregateError.
  if (isDatabaseUnavailable(e.cause, depth + 1)) return true;
  return Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1));
}

/** How long a job waits for the database before it runs again: doubling from 1 s, at most 30 s. */
export function databaseWaitMs(timesWaited: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, Math.min(timesWaited, 5)));
}

/**
 * Runs `fn`, and while it fails because the database is not answering, again every `everyMs`
 * until `maxMs` have passed; then the last error is thrown. For the write that records work
 * already done (a reply posted, then "processed"): failing it would run that work again.
 */
export async function whileDatabaseUnavailable<T>(fn: () => Promise<T>, maxMs: number, everyMs = 500, now: () => number = Date.now): Promise<T> {
  const deadline = now() + maxMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
