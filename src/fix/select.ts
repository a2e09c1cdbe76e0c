// Best-of-k selection: which of k rollouts becomes the candidate fix. Hard rules drop a rollout
// whatever the verifier thinks of it; the rest are ranked by the verifier's P(YES) alone
// (`autofix.selection: verifier`) or by the hybrid ranking with execution evidence (src/fix/hybrid.ts).
import type { RolloutRow } from "../../db/fixes.js";
import { changedLineCount } from "../diff/index.js";
import type { RolloutSummary } from "../github/text/rollouts-table.js";
import type { ReproRunRecord } from "./repro-run.js";
import { type RejectedRepro, splitRolloutPatch } from "./repro-tests.js";
import { type HybridRanking, hybridRank, type SelectionMode, verifierOrder } from "./hybrid.js";

/** What the rollout worker records on a rollout's row (and selection adds: rank, dropped). */
export type RolloutEvaluation = {
  editsTests?: boolean;
  cheatReason?: string;
  breaks?: string[];
  passed?: number;
  failed?: string[];
  infraError?: string;
  applyError?: string;
  /** The patch makes the test suite time out (it finishes without the patch). */
  hangs?: string;
  changedFiles?: string[];
  verifierError?: string;
  /** Reproduction test id → passed with this candidate (hybrid selection). */
  repro?: Record<string, boolean>;
  rank?: number | null;
  dropped?: string | null;
};

export const evaluationOf = (r: Pick<RolloutRow, "evaluation">): RolloutEvaluation => (r.evaluation ?? {}) as RolloutEvaluation;

export interface Candidate {
  id: string;
  index: number;
  patch: string;
  editsTests: boolean;
  /** Why the checks called the patch cheating (tests edited, spoofed output, tests hidden from collection). */
  cheatReason?: string;
  /** Tests that passed before the patch and fail with it. */
  breaksPassingTests: string[];
  /** Set when the sandbox failed, which says nothing about the patch. */
  infraError?: string;
  /** Set when the patch makes the suite time out. */
  hangs?: string;
  /** The verifier's P(YES); null or absent when it could not score this rollout. */
  score?: number | null;
  changedLines: number;
  /** The test files the rollout added: its reproduction tests, kept out of `patch`. */
  reproFiles?: string[];
  /** The repository's existing tests that pass with the patch; null when they did not run. */
  regressionPassed?: number | null;
  /** Reproduction test id → whether it passes with the patch (hybrid selection). */
  repro?: Record<string, boolean>;
}

export interface RankedCandidate extends Candidate {
  score: number | null;
  /** 1 for the best; null when dropped. */
  rank: number | null;
  /** Why the candidate cannot be chosen; null when ranked. */
  dropped: string | null;
}

export interface Selection {
  /** Ranked candidates by rank, then dropped ones by index. */
  ranked: RankedCandidate[];
  chosen: RankedCandidate | null;
  runnerUp: RankedCandidate | null;
  mode: SelectionMode;
  /** Every input and step of the hybrid ranking; null in verifier mode. */
  hybrid: HybridRanking | null;
}

export interface SelectOptions {
  mode?: SelectionMode;
  /** Reproduction test id → whether it passes on the unpatched tree. */
  unpatched?: Record<string, boolean>;
}

const LISTED = 3;

/** What the repository asks of the verifier's judgement (autofix.minScore, autofix.allowUnscored). */
export interface ScorePolicy {
  minScore: number;
  allowUnscored: boolean;
}

export const DEFAULT_SCORE_POLICY: ScorePolicy = { minScore: 0.5, allowUnscored: false };

/** Pure: the policy a job's settings carry; jobs made before these settings existed get the defaults. */
export function scorePolicy(settings: { minScore?: number; allowUnscored?: boolean }): ScorePolicy {
  return { minScore: settings.minScore ?? DEFAULT_SCORE_POLICY.minScore, allowUnscored: settings.allowUnscored ?? DEFAULT_SCORE_POLICY.allowUnscored };
}

/** The first rule a candidate breaks, in the order a reader would check them. */
function dropReason(c: Candidate, policy: ScorePolicy): string | null {
  if (c.infraError !== undefined) return `the sandbox failed: ${c.infraError}`;
  if (c.patch.trim() === "") return c.reproFiles?.length ? "the rollout changed only test files" : "the rollout produced no patch";
  if (c.editsTests) return c.cheatReason ? `the patch was rejected as cheating: ${c.cheatReason}` : "the patch edits tests";
  if (c.hangs) return c.hangs;
  if (c.breaksPassingTests.length > 0) {
    const shown = c.breaksPassingTests.slice(0, LISTED).join(", ");
    const more = c.breaksPassingTests.length > LISTED ? ` and ${c.breaksPassingTests.length - LISTED} more` : "";
    return `the patch breaks ${c.breaksPassingTests.length === 1 ? "a test" : "tests"} that passed before: ${shown}${more}`;
  }
  const score = scoreOf(c);
  if (score === null) return policy.allowUnscored ? null : "the verifier could not score it (autofix.allowUnscored is false)";
  if (score < policy.minScore) return `the verifier's P(YES) ${score.toFixed(3)} is below autofix.minScore ${policy.minScore}`;
  return null;
}

function scoreOf(c: Candidate): number | null {
  return typeof c.score === "number" && Number.isFinite(c.score) ? c.score : null;
}

/**
 * Verifier mode: higher score first; an unscored candidate (the verifier failed on it) after every
 * scored one; ties go to the smaller patch, then the lower index, so the choice never depends on
 * input order. Hybrid mode (the default): src/fix/hybrid.ts over the same survivors.
 */
export function selectCandidate(candidates: Candidate[], policy: ScorePolicy = DEFAULT_SCORE_POLICY, opts: SelectOptions = {}): Selection {
  const mode = opts.mode ?? "hybrid";
  const all = candidates.map((c): RankedCandidate => ({ ...c, score: scoreOf(c), rank: null, dropped: dropReason(c, policy) }));
  let kept = all.filter((c) => c.dropped === null).sort(verifierOrder);
  let hybrid: HybridRanking | null = null;
  if (mode === "hybrid") {
    hybrid = hybridRank({
      candidates: kept.map((c) => ({ id: c.id, index: c.index, score: c.score, changedLines: c.changedLines, regressionPassed: c.regressionPassed ?? null, repro: c.repro ?? {} })),
      unpatched: opts.unpatched ?? {},
    });
    const byId = new Map(kept.map((c) => [c.id, c]));
    kept = hybrid.rows.map((r) => byId.get(r.id) as RankedCandidate);
  }
  kept.forEach((c, i) => {
    c.rank = i + 1;
  });
  const dropped = all.filter((c) => c.dropped !== null).sort((a, b) => a.index - b.index);
  return { ranked: [...kept, ...dropped], chosen: kept[0] ?? null, runnerUp: kept[1] ?? null, mode, hybrid };
}

/**
 * Pure: a rollout's row as a candidate; a rollout that did not finish is a sandbox failure. The
 * candidate's patch is the rollout's code change: the test files it added are its reproduction
 * tests, run against every candidate, never pushed as part of the fix.
 */
export function candidateFromRollout(r: RolloutRow): Candidate {
  const ev = evaluationOf(r);
  const { patch, reproFiles } = splitRolloutPatch(r.patch ?? "");
  const infra = r.status === "failed" ? (r.outcomeReason ?? "the rollout failed") : r.status !== "finished" ? (r.outcomeReason ?? `the rollout did not finish (${r.status})`) : ev.infraError;
  return {
    id: r.id,
    index: r.index,
    patch,
    editsTests: ev.editsTests ?? false,
    ...(ev.cheatReason ? { cheatReason: ev.cheatReason } : {}),
    breaksPassingTests: ev.breaks ?? [],
    ...(ev.hangs ? { hangs: ev.hangs } : {}),
    ...(infra ? { infraError: infra } : ev.applyError ? { infraError: ev.applyError } : {}),
    score: r.verifierScore,
    changedLines: changedLineCount(patch),
    ...(reproFiles.length ? { reproFiles } : {}),
    regressionPassed: typeof ev.passed === "number" ? ev.passed : null,
  };
}

/** Pure: every rollout as the PR body and the no-candidate comment show it. */
export function rolloutSummaries(rows: RolloutRow[], selection: Selection): RolloutSummary[] {
  return selection.ranked.map((c) => ({
    index: c.index,
    outcome: rows.find((r) => r.id === c.id)?.outcome ?? (c.dropped ? "dropped" : "candidate"),
    score: c.score,
    ...(c.dropped ? { dropped: c.dropped } : {}),
  }));
}

/** How the candidate was chosen, as stored on the attempt and shown in the PR body and `/lego explain`. */
export interface SelectionEvidence {
  mode: SelectionMode;
  /** The rollout the verifier alone would have chosen; null when none qualified. */
  verifierPick: number | null;
  chosen: number | null;
  hybrid: HybridRanking | null;
  repro: {
    tests: { key: string; files: string[]; rollouts: number[] }[];
    rejected: RejectedRepro[];
    runs: ReproRunRecord[];
    unpatched: Record<string, boolean>;
    /** Why no reproduction tests ran, when none did. */
    skipped?: string;
  } | null;
}

/** Pure: the stored evidence of a selection. */
export function selectionEvidence(selection: Selection, repro: SelectionEvidence["repro"]): SelectionEvidence {
  const kept = selection.ranked.filter((c) => c.dropped === null);
  const verifierPick = [...kept].sort(verifierOrder)[0]?.index ?? null;
  return { mode: selection.mode, verifierPick, chosen: selection.chosen?.index ?? null, hybrid: selection.hybrid, repro };
}

export const storedSelection = (a: { selection: unknown }): SelectionEvidence | null => (a.selection ?? null) as SelectionEvidence | null;
