// Pure: which surviving bugs are confirmed together by one full-suite run. Only a bug confined to
// the function it was made in qualifies (a change to a class line, a decorator or module-level
// code acts at import, where coverage does not see which tests it reaches; a function's own
// lines, its def line included, act only when it is called), their covering tests pairwise
// disjoint, and no two changing lines within three of each other in one file (git apply's context).
import type { Candidate } from "./types.js";

export interface Survivor {
  candidate: Pick<Candidate, "strategy" | "file" | "lines" | "tests">;
  /** 1-based span of the function the bug was made in. */
  target: { startLine: number; endLine: number } | null;
}

/** Whether a bug may share its confirming run: within its function's lines, one strategy's single change, seen by some test. */
export function groupable(s: Survivor): boolean {
  const { candidate: c, target } = s;
  if (!target || c.strategy === "combine" || c.tests.length === 0) return false;
  return c.lines[0] >= target.startLine && c.lines[1] <= target.endLine && c.lines[0] <= c.lines[1];
}

/** Indices of `pending` to confirm by the next run: the first survivor and those that fit beside it, at most `size`. */
export function nextGroup(pending: Survivor[], size: number): number[] {
  if (pending.length === 0) return [];
  const first = pending[0] as Survivor;
  if (size <= 1 || !groupable(first)) return [0];
  const chosen = [0];
  const tests = new Set(first.candidate.tests);
  const spans = [first.candidate];
  for (let i = 1; i < pending.length && chosen.length < size; i++) {
    const s = pending[i] as Survivor;
    if (!groupable(s)) continue;
    if (s.candidate.tests.some((t) => tests.has(t))) continue;
    if (spans.some((o) => o.file === s.candidate.file && o.lines[0] <= s.candidate.lines[1] + 3 && s.candidate.lines[0] <= o.lines[1] + 3)) continue;
    chosen.push(i);
    spans.push(s.candidate);
    for (const t of s.candidate.tests) tests.add(t);
  }
  return chosen;
}
