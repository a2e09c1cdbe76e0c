// `lego export sft|verifier`: the training datasets from the database (in batches) or from
// `lego rollout` / `lego validate` files, with the held-out set kept out. The work is the
// library's (training/); this turns flags into options and the result into a summary.
import type { Db } from "../../../db/client.js";
import type { RolloutOutcome } from "../../../db/schema.js";
import { listHoldout } from "../../../db/training-data.js";
import type { TierThresholds } from "../../../training/curriculum.js";
import { dbTaskGroups } from "../../../training/db-source.js";
import { exportSft, sftNeedsTrajectory, type SftFormat } from "../../../training/export-sft.js";
import { exportVerifier, verifierNeedsTrajectory } from "../../../training/export-verifier.js";
import { fileTaskGroups } from "../../../training/file-source.js";
import { HoldoutIndex } from "../../../training/holdout.js";
import type { MaskMode } from "../../../training/masking.js";
import { normalizedPatchHash } from "../../../training/patch-hash.js";
import type { Includable } from "../../../training/select.js";
import type { ExportSource, Problem } from "../../../training/source.js";

export interface SourceFlags {
  from?: string;
  tasks?: string;
  repo?: string;
  since?: Date;
  until?: Date;
  batchSize: number;
}

export interface SftFlags extends SourceFlags {
  format: SftFormat;
  out: string;
  name?: string;
  mask: MaskMode;
  include: Includable[];
  perTask: number;
  cutoffLen: number;
  tiers: TierThresholds;
  baseModel: string;
  set: Record<string, unknown>;
  fileFormat: "jsonl" | "json";
  inContextExample: boolean;
  json: boolean;
}

export interface VerifierFlags extends SourceFlags {
  out: string;
  name?: string;
  balance: boolean;
  baseModel: string;
  set: Record<string, unknown>;
  fileFormat: "jsonl" | "json";
  json: boolean;
}

export class UsageError extends Error {
  readonly code = "config_invalid";
}

async function holdoutOf(db: Db): Promise<HoldoutIndex> {
  return new HoldoutIndex(await listHoldout(db));
}

function source(db: Db, flags: SourceFlags, wants: (outcome: RolloutOutcome | null) => boolean, onProblem: (p: Problem) => void, fixAttempts: boolean): ExportSource {
  if (flags.from) {
    if (!flags.tasks) throw new UsageError("--from needs --tasks: the task instances of those trajectories (lego validate --json writes them).");
    return fileTaskGroups(flags.from, flags.tasks, { wants, onProblem });
  }
  if (flags.tasks) throw new UsageError("--tasks goes with --from; without --from the tasks come from the database.");
  return dbTaskGroups(db, {
    batchSize: flags.batchSize,
    wants: (outcome, signals) => (fixAttempts ? verifierNeedsTrajectory(outcome, signals) : wants(outcome)),
    fixAttempts,
    ...(flags.repo ? { repo: flags.repo } : {}),
    ...(flags.since ? { since: flags.since } : {}),
    ...(flags.until ? { until: flags.until } : {}),
  });
}

function describeProblem(p: Problem): string {
  return `${p.task}${p.rollout ? ` ${p.rollout}` : ""}: ${p.reason}: ${p.detail}`;
}

function summary(manifest: Record<string, unknown>): string {
  const counts = manifest.counts as { records: number; by_tier?: Record<string, number>; by_label?: Record<string, number>; excluded: Record<string, number> };
  const split = counts.by_tier ?? counts.by_label ?? {};
  const parts = Object.entries(split).map(([k, v]) => `${k} ${v}`).join(", ");
  const excluded = Object.entries(counts.excluded).map(([k, v]) => `${v} ${k}`).join(", ");
  return `${counts.records} record(s)${parts ? ` (${parts})` : ""}${excluded ? `; excluded: ${excluded}` : ""}`;
}

/** 0 when something was written and every input item could be read; 4 otherwise. */
export async function exportSftCommand(db: Db, flags: SftFlags, out: (line: string) => void, err: (line: string) => void): Promise<{ code: number; manifest: Record<string, unknown> }> {
  const problems: Problem[] = [];
  const onProblem = (p: Problem) => {
    problems.push(p);
    err(describeProblem(p));
  };
  const selection = { include: flags.include, perTask: flags.perTask, cutoffLen: flags.cutoffLen };
  const { dir, manifest } = await exportSft(source(db, flags, sftNeedsTrajectory(selection), onProblem, false), {
    outDir: flags.out,
    format: flags.format,
    ...(flags.name ? { name: flags.name } : {}),
    fileFormat: flags.fileFormat,
    mask: flags.mask,
    selection,
    tiers: flags.tiers,
    baseModel: flags.baseModel,
    yamlOverrides: flags.set,
    inContextExample: flags.inContextExample,
    holdout: await holdoutOf(db),
    patchHash: normalizedPatchHash,
    onProblem,
  });
  out(flags.json ? JSON.stringify(manifest) : `SFT export in ${dir}: ${summary(manifest)}`);
  return { code: (manifest.counts as { records: number }).records > 0 && problems.length === 0 ? 0 : 4, manifest };
}

export async function exportVerifierCommand(db: Db, flags: VerifierFlags, out: (line: string) => void, err: (line: string) => void): Promise<{ code: number; manifest: Record<string, unknown> }> {
  const problems: Problem[] = [];
  const onProblem = (p: Problem) => {
    problems.push(p);
    err(describeProblem(p));
  };
  const { dir, manifest } = await exportVerifier(source(db, flags, (o) => verifierNeedsTrajectory(o, []), onProblem, true), {
    outDir: flags.out,
    ...(flags.name ? { name: flags.name } : {}),
    fileFormat: flags.fileFormat,
    balance: flags.balance,
    baseModel: flags.baseModel,
    yamlOverrides: flags.set,
    holdout: await holdoutOf(db),
    patchHash: normalizedPatchHash,
    onProblem,
  });
  out(flags.json ? JSON.stringify(manifest) : `verifier export in ${dir}: ${summary(manifest)}`);
  return { code: (manifest.counts as { records: number }).records > 0 && problems.length === 0 ? 0 : 4, manifest };
}
