// The model registry: versions, the one promoted version, and the promotion history that
// `lego models rollback` walks back. Every change of the promoted version is one transaction that
// locks the rows it reads, so two promotions at once cannot leave two promoted versions.
import { and, asc, desc, eq, ne, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { modelVersions, type ModelVersionStatus } from "./schema.js";

export type ModelVersion = typeof modelVersions.$inferSelect;

export type RegistryChange = { ok: true; version: ModelVersion; previous: ModelVersion | null } | { ok: false; reason: string };

export async function listModelVersions(db: Db): Promise<ModelVersion[]> {
  return db.select().from(modelVersions).orderBy(asc(modelVersions.createdAt), asc(modelVersions.id));
}

export async function getModelVersion(db: Db, name: string): Promise<ModelVersion | null> {
  const [row] = await db.select().from(modelVersions).where(eq(modelVersions.name, name));
  return row ?? null;
}

export async function getModelVersionById(db: Db, id: number): Promise<ModelVersion | null> {
  const [row] = await db.select().from(modelVersions).where(eq(modelVersions.id, id));
  return row ?? null;
}

/** The version auto-fix and trajectory generation use now; null means the LEGO_POLICY_* settings. */
export async function promotedVersion(db: Db): Promise<ModelVersion | null> {
  const [row] = await db.select().from(modelVersions).where(eq(modelVersions.status, "promoted")).orderBy(desc(modelVersions.promotedAt)).limit(1);
  return row ?? null;
}

export interface AddVersion {
  name: string;
  endpoint: string;
  servedModel?: string;
  baseModel?: string;
}

/**
 * `lego models add`: a new candidate served at an endpoint, or, for a version that exists (a
 * trained candidate waiting to be served), its endpoint recorded. Its status is left alone.
 */
export async function addModelVersion(db: Db, v: AddVersion): Promise<{ version: ModelVersion; created: boolean }> {
  const existing = await getModelVersion(db, v.name);
  if (existing) {
    const [row] = await db
      .update(modelVersions)
      .set({ endpoint: v.endpoint, servedModel: v.servedModel ?? existing.servedModel, ...(v.baseModel ? { baseModel: v.baseModel } : {}) })
      .where(eq(modelVersions.id, existing.id))
      .returning();
    return { version: row as ModelVersion, created: false };
  }
  const [row] = await db
    .insert(modelVersions)
    .values({ name: v.name, endpoint: v.endpoint, servedModel: v.servedModel ?? null, baseModel: v.baseModel ?? v.servedModel ?? v.name, uri: "" })
    .returning();
  return { version: row as ModelVersion, created: true };
}

export interface CandidateVersion {
  name: string;
  baseModel: string;
  uri: string;
  trainingRunId: number;
  manifest: Record<string, unknown> | null;
}

/** A trained checkpoint, registered as a candidate; it has no endpoint until the user serves it. */
export async function registerCandidate(db: Db, c: CandidateVersion): Promise<ModelVersion> {
  const [row] = await db
    .insert(modelVersions)
    .values({ name: c.name, baseModel: c.baseModel, uri: c.uri, trainingRunId: c.trainingRunId, manifest: c.manifest, status: "candidate" })
    .onConflictDoUpdate({ target: modelVersions.name, set: { uri: c.uri, trainingRunId: c.trainingRunId, manifest: c.manifest } })
    .returning();
  return row as ModelVersion;
}

/** Candidates that are served but were never gated: what the service gates next. */
export async function candidatesAwaitingGate(db: Db): Promise<ModelVersion[]> {
  return db
    .select()
    .from(modelVersions)
    .where(and(eq(modelVersions.status, "candidate"), sql`${modelVersions.endpoint} is not null`, sql`${modelVersions.evaluation} is null`))
    .orderBy(asc(modelVersions.id));
}

export async function recordEvaluation(db: Db, id: number, evaluation: Record<string, unknown>, status?: { status: ModelVersionStatus; reason: string }): Promise<void> {
  await db
    .update(modelVersions)
    .set({ evaluation, ...(status ? { status: status.status, statusReason: status.reason } : {}) })
    .where(eq(modelVersions.id, id));
}

/**
 * Makes `id` the promoted version and retires the one before, remembering it so a rollback can
 * return to it. A version without an endpoint cannot be promoted: nothing could serve the next fix.
 */
export async function promoteModelVersion(db: Db, id: number, reason = "promoted"): Promise<RegistryChange> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(modelVersions).where(eq(modelVersions.id, id)).for("update");
    if (!row) return { ok: false, reason: `there is no model version ${id}` };
    if (!row.endpoint) return { ok: false, reason: `${row.name} has no serving endpoint; serve the checkpoint (${row.uri || "its URI"}) and run \`lego models add ${row.name} --endpoint URL\` first` };
    const current = await tx.select().from(modelVersions).where(eq(modelVersions.status, "promoted")).for("update");
    const previous = current.find((c) => c.id !== id) ?? null;
    if (row.status === "promoted" && !previous) return { ok: true, version: row, previous: null };
    await tx.update(modelVersions).set({ status: "retired", statusReason: `replaced by ${row.name}` }).where(and(eq(modelVersions.status, "promoted"), ne(modelVersions.id, id)));
    const [version] = await tx
      .update(modelVersions)
      .set({ status: "promoted", statusReason: reason, promotedAt: sql`now()`, previousVersionId: previous?.id ?? row.previousVersionId })
      .where(eq(modelVersions.id, id))
      .returning();
    return { ok: true, version: version as ModelVersion, previous };
  });
}

export async function promoteByName(db: Db, name: string, reason?: string): Promise<RegistryChange> {
  const row = await getModelVersion(db, name);
  if (!row) return { ok: false, reason: `there is no model version named ${name} (see \`lego models list\`)` };
  return promoteModelVersion(db, row.id, reason);
}

/**
 * Back to the version that was promoted before the current one. The current one is retired
 * (not rejected: it passed its gate), and the one restored keeps its own history, so a second
 * rollback goes one further back.
 */
export async function rollbackPromotion(db: Db): Promise<RegistryChange> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(modelVersions).where(eq(modelVersions.status, "promoted")).for("update");
    if (!current) return { ok: false, reason: "no model version is promoted, so there is nothing to roll back (fixes use the LEGO_POLICY_* settings)" };
    if (!current.previousVersionId) {
      return { ok: false, reason: `${current.name} was the first version promoted; there is no earlier version to roll back to (promote another with \`lego models promote NAME\`)` };
    }
    const [target] = await tx.select().from(modelVersions).where(eq(modelVersions.id, current.previousVersionId)).for("update");
    if (!target) return { ok: false, reason: `the version promoted before ${current.name} (id ${current.previousVersionId}) no longer exists` };
    if (!target.endpoint) return { ok: false, reason: `${target.name} has no serving endpoint any more; record one with \`lego models add ${target.name} --endpoint URL\`` };
    await tx.update(modelVersions).set({ status: "retired", statusReason: `rolled back to ${target.name}` }).where(eq(modelVersions.id, current.id));
    const [version] = await tx
      .update(modelVersions)
      .set({ status: "promoted", statusReason: `restored by rollback from ${current.name}`, promotedAt: sql`now()` })
      .where(eq(modelVersions.id, target.id))
      .returning();
    return { ok: true, version: version as ModelVersion, previous: current };
  });
}
