// Hybrid best-of-k ranking: the verifier's P(YES) and execution evidence together. The verifier
// alone saturates as k grows and so does execution alone (R2E-Gym: 42-43% each, 51% combined on
// SWE-bench Verified), so each signal does the part it is good at: the verifier prunes, the tests
// order what is left, and the verifier breaks what the tests cannot.

/** How a repository's candidates are ranked (`autofix.selection`). */
export type SelectionMode = "verifier" | "hybrid";

export interface HybridCandidate {
  id: string;
  index: number;
  /** The verifier's P(YES); null when it could not score this candidate. */
  score: number | null;
  changedLines: number;
  /** The repository's existing tests that pass with the candidate; null when they did not run. */
  regressionPassed: number | null;
  /** Reproduction test id → whether it passed with the candidate applied; absent when it did not run. */
  repro: Record<string, boolean>;
}

export interface HybridInput {
  candidates: HybridCandidate[];
  /** Reproduction test id → whether it passed on the unpatched tree; absent when it did not run there. */
  unpatched: Record<string, boolean>;
}

/** One candidate's inputs and the keys it was ranked on. */
export interface HybridRow {
  id: string;
  index: number;
  score: number | null;
  /** 1 for the verifier's own pick. */
  verifierRank: number;
  /** Whether the candidate survived the cut to the verifier's top half. */
  topHalf: boolean;
  regressionPassed: number | null;
  /** The counted reproduction tests this candidate passes. */
  reproPassed: string[];
  /** Final rank, 1 for the chosen one. */
  rank: number;
}

export type RankKey = "top half" | "regression tests" | "reproduction tests" | "verifier score" | "smaller patch" | "lower index";

export interface HybridRanking {
  /** Rows best first. */
  rows: HybridRow[];
  /** How many of the verifier's best were kept. */
  kept: number;
  /** Reproduction tests that fail on the unpatched tree and pass on at least one candidate. */
  counted: string[];
  /** Reproduction tests that decide nothing, with the reason. */
  ignored: { id: string; why: string }[];
  /** Why each row is above the next one: `decidedBy[i]` separates rows[i] and rows[i + 1]. */
  decidedBy: RankKey[];
}

/** Higher score first, unscored last; then the smaller patch, then the lower index. */
export function verifierOrder<T extends { score: number | null; changedLines: number; index: number }>(a: T, b: T): number {
  if (a.score !== b.score) {
    if (a.score === null) return 1;
    if (b.score === null) return -1;
    return b.score - a.score;
  }
  return a.changedLines - b.changedLines || a.index - b.index;
}

/** The verifier's top half, at least 3 (or all when fewer). */
export function keptCount(n: number): number {
  return Math.min(n, Math.max(3, Math.ceil(n / 2)));
}

/** Pure: which reproduction tests can tell candidates apart, and why the others cannot. */
export function classifyReproTests(input: HybridInput): { counted: string[]; ignored: { id: string; why: string }[] } {
  const ids = [...new Set([...Object.keys(input.unpatched), ...input.candidates.flatMap((c) => Object.keys(c.repro))])].sort();
  const counted: string[] = [];
  const ignored: { id: string; why: string }[] = [];
  for (const id of ids) {
    const anyPass = input.candidates.some((c) => c.repro[id] === true);
    if (input.unpatched[id] === true) ignored.push({ id, why: anyPass ? "passes on the unpatched tree too" : "passes on the unpatched tree and fails with every candidate" });
    else if (!(id in input.unpatched)) ignored.push({ id, why: "did not run on the unpatched tree" });
    else if (!anyPass) ignored.push({ id, why: "fails with every candidate" });
    else counted.push(id);
  }
  return { counted, ignored };
}

interface Keyed extends HybridRow {
  changedLines: number;
}

const KEYS: { key: RankKey; cmp: (a: Keyed, b: Keyed) => number }[] = [
  { key: "top half", cmp: (a, b) => Number(b.topHalf) - Number(a.topHalf) },
  { key: "regression tests", cmp: (a, b) => (b.regressionPassed ?? -1) - (a.regressionPassed ?? -1) },
  { key: "reproduction tests", cmp: (a, b) => b.reproPassed.length - a.reproPassed.length },
  {
    key: "verifier score",
    cmp: (a, b) => (a.score === b.score ? 0 : a.score === null ? 1 : b.score === null ? -1 : b.score - a.score),
  },
  { key: "smaller patch", cmp: (a, b) => a.changedLines - b.changedLines },
  { key: "lower index", cmp: (a, b) => a.index - b.index },
];

/**
 * Pure: keep the verifier's top half (at least 3), then prefer the most regression tests
 * passing, then the most counted reproduction tests passing, then the verifier score; ties go
 * to the smaller patch, then the lower index, so the order never depends on the input order.
 * Candidates cut from the top half follow, in the verifier's order.
 */
export function hybridRank(input: HybridInput): HybridRanking {
  const { counted, ignored } = classifyReproTests(input);
  const byVerifier = [...input.candidates].sort(verifierOrder);
  const kept = keptCount(byVerifier.length);
  const rows: Keyed[] = byVerifier.map((c, i) => ({
    id: c.id,
    index: c.index,
    score: c.score,
    verifierRank: i + 1,
    topHalf: i < kept,
    regressionPassed: c.regressionPassed,
    reproPassed: counted.filter((t) => c.repro[t] === true),
    rank: 0,
    changedLines: c.changedLines,
  }));
  const cutRows = rows.filter((r) => !r.topHalf);
  const keptRows = rows.filter((r) => r.topHalf).sort((a, b) => {
    for (const k of KEYS) {
      const d = k.cmp(a, b);
      if (d !== 0) return d;
    }
    return 0;
  });
  const ordered = [...keptRows, ...cutRows];
  ordered.forEach((r, i) => {
    r.rank = i + 1;
  });
  const decidedBy = ordered.slice(1).map((b, i) => {
    const a = ordered[i] as Keyed;
    // Two cut candidates stay in the verifier's order: only its keys separate them.
    const keys = !a.topHalf && !b.topHalf ? KEYS.slice(3) : KEYS;
    return keys.find((k) => k.cmp(a, b) !== 0)?.key ?? "lower index";
  });
  return { rows: ordered.map(({ changedLines: _c, ...r }) => r), kept, counted, ignored, decidedBy };
}
