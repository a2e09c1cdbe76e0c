// The verifier's training labels: a trajectory is a YES when it resolved its task and a NO when
// it did not, by the task's tests — unless maintainers judged the fix PR it became, which
// outranks the tests. Every label says where it came from. Pure.
import type { OutcomeSignal, RolloutOutcome } from "../db/schema.js";

export type Judgement = "YES" | "NO";
export type LabelSource = "tests" | `maintainer:${OutcomeSignal}`;

export interface Signal {
  signal: OutcomeSignal;
  at: Date;
}

export type LabelDecision = { label: Judgement; source: LabelSource } | { label: null; reason: string };

const REVIEW: Partial<Record<OutcomeSignal, Judgement>> = { approved: "YES", changes_requested: "NO", reaction_down: "NO" };

/**
 * Maintainers first: a merge is the strongest YES and a close without merging the strongest NO;
 * otherwise the latest approval, change request or 👎 decides (a 👍 alone says too little). Then
 * the tests: resolved → YES; unresolved, semi-resolved and cheated → NO; an infra error or a
 * rollout that was never graded has no label.
 */
export function decideLabel(outcome: RolloutOutcome | null, signals: readonly Signal[]): LabelDecision {
  if (signals.some((s) => s.signal === "merged")) return { label: "YES", source: "maintainer:merged" };
  if (signals.some((s) => s.signal === "closed_unmerged")) return { label: "NO", source: "maintainer:closed_unmerged" };
  const reviews = signals.filter((s) => REVIEW[s.signal] !== undefined).sort((a, b) => a.at.getTime() - b.at.getTime());
  const latest = reviews[reviews.length - 1];
  if (latest) return { label: REVIEW[latest.signal] as Judgement, source: `maintainer:${latest.signal}` };
  switch (outcome) {
    case "resolved":
      return { label: "YES", source: "tests" };
    case "unresolved":
    case "semi-resolved":
    case "cheated":
      return { label: "NO", source: "tests" };
    default:
      return { label: null, reason: `outcome:${outcome ?? "ungraded"}` };
  }
}

/**
 * Per task, as many YES as NO where both exist (the smaller side decides), so a task the teacher
 * nearly always solves does not teach the judge to say YES. The kept ones are the first by id.
 */
export function balancePerTask<E extends { rolloutId: string; label: Judgement }>(examples: readonly E[]): { kept: E[]; dropped: E[] } {
  const yes = examples.filter((e) => e.label === "YES").sort(byId);
  const no = examples.filter((e) => e.label === "NO").sort(byId);
  if (yes.length === 0 || no.length === 0) return { kept: [...examples], dropped: [] };
  const n = Math.min(yes.length, no.length);
  const kept = new Set([...yes.slice(0, n), ...no.slice(0, n)]);
  return { kept: examples.filter((e) => kept.has(e)), dropped: examples.filter((e) => !kept.has(e)) };
}

function byId(a: { rolloutId: string }, b: { rolloutId: string }): number {
  return a.rolloutId < b.rolloutId ? -1 : a.rolloutId > b.rolloutId ? 1 : 0;
}
