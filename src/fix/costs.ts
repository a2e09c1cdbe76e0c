// What an attempt's rollouts cost: tokens, dollars and wall time, per rollout and in total, as
// recorded on the rollout rows by the rollout worker.
import type { RolloutRow } from "../../db/fixes.js";

export interface RolloutCost {
  index: number;
  promptTokens: number | null;
  completionTokens: number | null;
  costUsd: number | null;
  /** From the rollout's start to its end (agent, checks and verifier); null when it did not run. */
  wallMs: number | null;
}

/** Pure: the cost of each rollout of an attempt. */
export function rolloutCosts(rows: Pick<RolloutRow, "index" | "promptTokens" | "completionTokens" | "costUsd" | "startedAt" | "finishedAt">[]): RolloutCost[] {
  return rows.map((r) => ({
    index: r.index,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    costUsd: r.costUsd,
    wallMs: r.startedAt && r.finishedAt ? Math.max(0, r.finishedAt.getTime() - r.startedAt.getTime()) : null,
  }));
}
