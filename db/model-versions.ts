// The model registry's one write the dashboard makes: promoting a version retires the one before.
import { and, eq, ne, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { modelVersions } from "./schema.js";

/** False when there is no such version. Auto-fix and trajectory generation read the promoted one per job. */
export async function promoteModelVersion(db: Db, id: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select({ id: modelVersions.id }).from(modelVersions).where(eq(modelVersions.id, id)).for("update");
    if (!row) return false;
    await tx.update(modelVersions).set({ status: "retired" }).where(and(eq(modelVersions.status, "promoted"), ne(modelVersions.id, id)));
    await tx.update(modelVersions).set({ status: "promoted", promotedAt: sql`now()` }).where(eq(modelVersions.id, id));
    return true;
  });
}
