// What an attempt's rollouts cost: tokens, dollars and wall time, per rollout and in total, as
// recorded on the rollout rows by the rollout worker; and the per-repository budgets
// (`autofix.maxCostUsd` per attempt, `autofix.maxCostUsdPerDay`) that stop work when reached.
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

export interface Budgets {
  maxCostUsd?: number;
  maxCostUsdPerDay?: number;
}

/** The start of the UTC day `now` falls in: the per-day budget's window. */
export function utcDayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** Pure: why no more model work may start, or null. */
export function budgetReason(spent: { attempt: number; day: number }, budgets: Budgets): string | null {
  if (budgets.maxCostUsdPerDay !== undefined && spent.day >= budgets.maxCostUsdPerDay) {
    return `this repository's fix rollouts have spent $${spent.day.toFixed(2)} today (UTC), and autofix.maxCostUsdPerDay is $${budgets.maxCostUsdPerDay}`;
  }
  if (budgets.maxCostUsd !== undefined && spent.attempt >= budgets.maxCostUsd) {
    return `this attempt's rollouts have spent $${spent.attempt.toFixed(2)}, and autofix.maxCostUsd is $${budgets.maxCostUsd}`;
  }
  return null;
}

/**
 * Pure: the most one rollout may spend: its k-th share of the attempt's budget, never more than
 * what is left of the day's, nor the deployment's own cap per rollout.
 */
export function rolloutCostCap(budgets: Budgets, k: number, daySpent: number, deploymentCap: number): number {
  const share = budgets.maxCostUsd !== undefined ? budgets.maxCostUsd / Math.max(1, k) : Infinity;
  const dayLeft = budgets.maxCostUsdPerDay !== undefined ? Math.max(0, budgets.maxCostUsdPerDay - daySpent) : Infinity;
  return Math.min(share, dayLeft, deploymentCap);
}
