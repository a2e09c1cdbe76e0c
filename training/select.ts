// Which trajectories become SFT data (SWE-Lego): resolved ones; semi-resolved ones when asked
// (+1.2 points in the paper); never cheated, infra-error or unresolved; at most N per task, the
// shortest resolved first; none longer than the training cutoff. Pure.
import type { RolloutOutcome } from "../db/schema.js";

export const INCLUDABLE = ["resolved", "semi-resolved"] as const;
export type Includable = (typeof INCLUDABLE)[number];

export interface SelectionRules {
  include: readonly Includable[];
  /** Trajectories kept per task. */
  perTask: number;
  /** Tokens of the rendered conversation beyond which it is dropped. */
  cutoffLen: number;
}

export const DEFAULT_SELECTION: SelectionRules = { include: ["resolved"], perTask: 1, cutoffLen: 131_072 };

export interface Candidate {
  rolloutId: string;
  outcome: RolloutOutcome | null;
  assistantTurns: number;
  tokens: number;
}

/** Null when the outcome is training data under `rules`; otherwise the exclusion reason. */
export function outcomeExclusion(outcome: RolloutOutcome | null, rules: SelectionRules): string | null {
  if (outcome === "resolved") return null;
  if (outcome === "semi-resolved" && rules.include.includes("semi-resolved")) return null;
  return `outcome:${outcome ?? "ungraded"}`;
}

export interface Choice<C> {
  chosen: C[];
  dropped: { candidate: C; reason: "over-cutoff" | "per-task-limit" }[];
}

/** Over-long ones go first, so a long shortest trajectory gives way to the next one that fits. */
export function choosePerTask<C extends Candidate>(candidates: C[], rules: SelectionRules): Choice<C> {
  const dropped: Choice<C>["dropped"] = [];
  const fitting = candidates.filter((c) => {
    if (c.tokens <= rules.cutoffLen) return true;
    dropped.push({ candidate: c, reason: "over-cutoff" });
    return false;
  });
  const ranked = [...fitting].sort(
    (a, b) =>
      rank(a.outcome) - rank(b.outcome) || a.assistantTurns - b.assistantTurns || a.tokens - b.tokens || (a.rolloutId < b.rolloutId ? -1 : a.rolloutId > b.rolloutId ? 1 : 0),
  );
  for (const candidate of ranked.slice(rules.perTask)) dropped.push({ candidate, reason: "per-task-limit" });
  return { chosen: ranked.slice(0, rules.perTask), dropped };
}

function rank(outcome: RolloutOutcome | null): number {
  return outcome === "resolved" ? 0 : 1;
}
