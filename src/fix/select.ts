// Best-of-k selection: which of k rollouts becomes the candidate fix. Hard rules drop a rollout
// whatever the verifier thinks of it; the verifier's P(YES) ranks the rest.
import type { RolloutRow } from "../../db/fixes.js";
import { changedLineCount } from "../diff/index.js";
import type { RolloutSummary } from "../github/text/rollouts-table.js";

/** What the rollout worker records on a rollout's row (and selection adds: rank, dropped). */
export type RolloutEvaluation = {
  editsTests?: boolean;
  cheatReason?: string;
  breaks?: string[];
  passed?: number;
  failed?: string[];
  infraError?: string;
  applyError?: string;
  changedFiles?: string[];
  verifierError?: string;
  rank?: number | null;
  dropped?: string | null;
};

export const evaluationOf = (r: Pick<RolloutRow, "evaluation">): RolloutEvaluation => (r.evaluation ?? {}) as RolloutEvaluation;

export interface Candidate {
  id: string;
  index: number;
  patch: string;
  editsTests: boolean;
  /** Tests that passed before the patch and fail with it. */
  breaksPassingTests: string[];
  /** Set when the sandbox failed, which says nothing about the patch. */
  infraError?: string;
  /** The verifier's P(YES); null or absent when it could not score this rollout. */
  score?: number | null;
  changedLines: number;
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
  if (c.patch.trim() === "") return "the rollout produced no patch";
  if (c.editsTests) return "the patch edits tests";
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
 * Higher score first; an unscored candidate (the verifier failed on it) after every scored one;
 * ties go to the smaller patch, then the lower index, so the choice never depends on input order.
 */
function compare(a: RankedCandidate, b: RankedCandidate): number {
  if (a.score !== b.score) {
    if (a.score === null) return 1;
    if (b.score === null) return -1;
    return b.score - a.score;
  }
  return a.changedLines - b.changedLines || a.index - b.index;
}

export function selectCandidate(candidates: Candidate[], policy: ScorePolicy = DEFAULT_SCORE_POLICY): Selection {
  const all = candidates.map((c): RankedCandidate => ({ ...c, score: scoreOf(c), rank: null, dropped: dropReason(c, policy) }));
  const kept = all.filter((c) => c.dropped === null).sort(compare);
  kept.forEach((c, i) => {
    c.rank = i + 1;
  });
  const dropped = all.filter((c) => c.dropped !== null).sort((a, b) => a.index - b.index);
  return { ranked: [...kept, ...dropped], chosen: kept[0] ?? null, runnerUp: kept[1] ?? null };
}

/** Pure: a rollout's row as a candidate; a rollout that did not finish is a sandbox failure. */
export function candidateFromRollout(r: RolloutRow): Candidate {
  const ev = evaluationOf(r);
  const patch = r.patch ?? "";
  const infra = r.status === "failed" ? (r.outcomeReason ?? "the rollout failed") : r.status !== "finished" ? `the rollout did not finish (${r.status})` : ev.infraError;
  return {
    id: r.id,
    index: r.index,
    patch,
    editsTests: ev.editsTests ?? false,
    breaksPassingTests: ev.breaks ?? [],
    ...(infra ? { infraError: infra } : ev.applyError ? { infraError: ev.applyError } : {}),
    score: r.verifierScore,
    changedLines: changedLineCount(patch),
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
