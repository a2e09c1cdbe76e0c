// Difficulty of a synthetic task before any rollout: lines and files the fix touches, how many
// tests fail, and the strategy (combined bugs are harder). Solve rates replace it once rollouts exist
// (workers/trajgen.ts relabels a task, real or synthetic, after each stored teacher rollout).
import { changedLineCount, parseDiff } from "../diff/index.js";
import type { Outcome } from "../fix/outcome.js";

export type Difficulty = "easy" | "medium" | "hard";

/** Pure: a score of the fix's size and spread, the failing tests and the strategy, in three bands. */
export function syntheticDifficulty(t: { patch: string; failToPass: string[]; strategy: string }): Difficulty {
  const files = parseDiff(t.patch).length;
  const lines = changedLineCount(t.patch);
  let score = lines <= 2 ? 0 : lines <= 10 ? 1 : 2;
  score += files > 1 ? 1 : 0;
  // Many failing tests point straight at the culprit; one failing test leaves more to find.
  score += t.failToPass.length === 1 ? 1 : 0;
  score += t.strategy === "combine" ? 1 : t.strategy.startsWith("llm:") ? 1 : 0;
  return score <= 1 ? "easy" : score <= 3 ? "medium" : "hard";
}

/** Pure: the label from rollouts once there are enough of them (solve rate = resolved / graded). */
export function solveRateDifficulty(resolved: number, graded: number): Difficulty | null {
  if (graded < 4) return null;
  const rate = resolved / graded;
  return rate >= 0.7 ? "easy" : rate >= 0.3 ? "medium" : "hard";
}

/**
 * Pure: the label from a task's stored rollout outcomes, or null while too few are graded. Only
 * "resolved" counts as solved; an infra error is the sandbox's fault and is not graded at all.
 */
export function rolloutDifficulty(outcomes: readonly (Outcome | null)[]): Difficulty | null {
  const graded = outcomes.filter((o): o is Outcome => o !== null && o !== "infra-error");
  return solveRateDifficulty(graded.filter((o) => o === "resolved").length, graded.length);
}
