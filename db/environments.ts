// Environment images per repository snapshot, looked up by the dependency key.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { environments } from "./schema.js";

export type EnvironmentRow = typeof environments.$inferSelect;

export async function findEnvironment(db: Db, repo: string, key: string): Promise<EnvironmentRow | undefined> {
  const [row] = await db.select().from(environments).where(and(eq(environments.repo, repo), eq(environments.key, key)));
  return row;
}

export async function startEnvironmentBuild(
  db: Db,
  row: { repo: string; key: string; image: string; baseImage: string; language: string; install: string[]; testCmd: string },
): Promise<EnvironmentRow> {
  const [saved] = await db
    .insert(environments)
    .values({ ...row, status: "building" })
    .onConflictDoUpdate({
      target: [environments.repo, environments.key],
      set: { ...row, status: "building", failureClass: null, failureReason: null, fallback: null, builtAt: null },
    })
    .returning();
  return saved as EnvironmentRow;
}

export async function finishEnvironmentBuild(
  db: Db,
  id: number,
  result: { status: "ready" | "failed"; fallback?: string | null; failureClass?: string; failureReason?: string; buildLog: string; health?: EnvironmentRow["health"] },
): Promise<void> {
  await db
    .update(environments)
    .set({
      status: result.status,
      fallback: result.fallback ?? null,
      failureClass: result.failureClass ?? null,
      failureReason: result.failureReason ?? null,
      buildLog: result.buildLog,
      ...(result.health ? { health: result.health } : {}),
      builtAt: sql`now()`,
    })
    .where(eq(environments.id, id));
}

/** The environment's per-test coverage map, or null when none was made yet. */
export async function environmentCoverage(db: Db, id: number): Promise<Record<string, unknown> | null> {
  const [row] = await db.select({ coverage: environments.coverage }).from(environments).where(eq(environments.id, id));
  return row?.coverage ?? null;
}

export async function saveEnvironmentCoverage(db: Db, id: number, coverage: Record<string, unknown>): Promise<void> {
  await db.update(environments).set({ coverage }).where(eq(environments.id, id));
}
