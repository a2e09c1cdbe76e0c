// One database handle per process: postgres.js against a server when a URL is given, an
// embedded PGlite file database otherwise. Both run the same committed migrations.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { setFlagsFromString } from "node:v8";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema.js";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  db: Db;
  kind: "postgres" | "pglite";
  /** Where it lives, without credentials: for logs and error messages. */
  location: string;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/**
 * The embedded database's settings. PostgreSQL's defaults size shared buffers for a server
 * (128 MB); LegoFactory's embedded database is one process's store, and every buffer it touches
 * stays resident in PGlite's WebAssembly memory, which never shrinks.
 */
export const PGLITE_CONF = ["shared_buffers=16MB", "wal_buffers=1MB", "work_mem=4MB", "maintenance_work_mem=16MB", "temp_buffers=2MB"];

/** initdb in a child process the first time (see pglite-init.mjs), so the server never holds its memory. */
async function initPglite(dataDir: string): Promise<void> {
  if (existsSync(path.join(dataDir, "PG_VERSION"))) return;
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "pglite-init.mjs");
  try {
    await promisify(execFile)(process.execPath, [script, dataDir], { timeout: 180_000 });
  } catch (err) {
    throw new DatabaseUnavailableError(`Could not create the embedded database in ${dataDir} (${(err as Error).message.slice(0, 500)}). Check the directory is writable, or set DATABASE_URL.`);
  }
}

export class DatabaseUnavailableError extends Error {
  readonly code = "database_unavailable";
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable DATABASE_URL>";
  }
}

export async function openDatabase(opts: { url?: string; dataDir: string; maxConnections?: number }): Promise<DatabaseHandle> {
  if (opts.url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(opts.url, { max: opts.maxConnections ?? 10, onnotice: () => {} });
    const location = redactUrl(opts.url);
    try {
      await client`select 1`;
    } catch (err) {
      await client.end({ timeout: 1 }).catch(() => {});
      throw new DatabaseUnavailableError(
        `PostgreSQL is not reachable at ${location} (${(err as Error).message}). ` +
          "Start the server (Debian: `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`), " +
          "fix DATABASE_URL, or unset DATABASE_URL to use the embedded database under .lego/.",
      );
    }
    return { db: drizzle(client, { schema }) as unknown as Db, kind: "postgres", location, close: () => client.end({ timeout: 5 }) };
  }
  // Liftoff's baseline code for PGlite's 9 MB of WebAssembly, without the optimising tier's
  // second copy of every hot function: ~35 MB less resident for an embedded, lightly used database.
  setFlagsFromString("--liftoff-only");
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  mkdirSync(opts.dataDir, { recursive: true });
  await initPglite(opts.dataDir);
  const client = new PGlite(opts.dataDir, { postgresqlconf: PGLITE_CONF });
  await client.waitReady;
  return { db: drizzle(client, { schema }) as unknown as Db, kind: "pglite", location: opts.dataDir, close: () => client.close() };
}

export async function migrate(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === "postgres") {
    const { migrate: run } = await import("drizzle-orm/postgres-js/migrator");
    await run(handle.db as never, { migrationsFolder });
  } else {
    const { migrate: run } = await import("drizzle-orm/pglite/migrator");
    await run(handle.db as never, { migrationsFolder });
  }
}
