// Which errors mean "the database is not answering" (wait for it, no attempt used) and which are
// the job's own: checked on errors the real driver stack (postgres.js under drizzle) throws.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { databaseWaitMs, isDatabaseUnavailable, whileDatabaseUnavailable } from "../../src/runtime/database-unavailable.js";
import { freePort } from "../support/private-services.js";

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("isDatabaseUnavailable", () => {
  it("is true for a refused connection, as drizzle over postgres.js reports it", async () => {
    const client = postgres(`postgres://postgres@127.0.0.1:${await freePort()}/x`, { max: 1, connect_timeout: 2, onnotice: () => {} });
    const err = await errorOf(drizzle(client).execute(sql`select 1`));
    await client.end({ timeout: 1 });
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it("is true for the SQLSTATEs a stopping or starting server sends, however deeply wrapped", () => {
    for (const code of ["57P01", "57P02", "57P03", "08006", "08001", "53300"]) {
      expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code })), code).toBe(true);
      expect(isDatabaseUnavailable(new Error("Failed query", { cause: Object.assign(new Error("x"), { code }) })), code).toBe(true);
    }
    expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error("refused"), { code: "ECONNREFUSED" })]))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("gone"), { code: "CONNECTION_CLOSED" }))).toBe(true);
  });

  it("is false for the job's own errors: a bad query, a constraint, a plain error, non-errors", () => {
    for (const code of ["42P01", "23505", "22P02", "40001"]) expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code })), code).toBe(false);
    expect(isDatabaseUnavailable(new Error("GitHub answered 500"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable("ECONNREFUSED")).toBe(false);
    // A cycle of causes ends.
    const a: Error & { cause?: unknown } = new Error("a");
    a.cause = a;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });

  it("is false for a query the server refuses", async () => {
    const { TEST_DATABASE_URL } = await import("../support/services.js");
    const client = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    const err = await errorOf(drizzle(client).execute(sql`select * from no_such_table_here`));
    await client.end({ timeout: 1 });
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});

describe("databaseWaitMs", () => {
  it("doubles from 1 s and stops at 30 s", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(databaseWaitMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});

describe("whileDatabaseUnavailable", () => {
  it("retries while the database is unavailable, then returns", async () => {
    let calls = 0;
    const v = await whileDatabaseUnavailable(
      async () => {
        calls += 1;
        if (calls < 3) throw Object.assign(new Error("refused"), { code: "ECONNREFUSED" });
        return "ok";
      },
      5_000,
      5,
    );
    expect([v, calls]).toEqual(["ok", 3]);
  });

  it("throws other errors at once, and the last unavailable error after the deadline", async () => {
    let calls = 0;
    await expect(whileDatabaseUnavailable(async () => (calls++, Promise.reject(new Error("bad input"))), 5_000, 5)).rejects.toThrow("bad input");
    expect(calls).toBe(1);
    let t = 0;
    await expect(whileDatabaseUnavailable(async () => ((t += 100), Promise.reject(Object.assign(new Error("still down"), { code: "57P03" }))), 250, 1, () => t)).rejects.toThrow("still down");
  });
});
