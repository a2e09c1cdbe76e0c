// Whether one more teacher rollout fits the budgets: rollouts started and money spent in the
// last 24 hours, per repository and over all repositories. The per-repository limits are
// LEGO_TRAJGEN_REPO_* unless the repository's .github/lego.yml sets its own (`trajgen.*`); the
// global ones always apply. Pure; the counts come from the database.
import type { TrajgenSettings } from "../repo-config.js";

export const BUDGET_WINDOW_MS = 24 * 3600 * 1000;

export interface BudgetLimits {
  rolloutsPerDay: number;
  repoRolloutsPerDay: number;
  costPerDayUsd: number;
  repoCostPerDayUsd: number;
  /** Where the per-repository limits were set, for the reason a job waits; default the LEGO_TRAJGEN_REPO_* names. */
  repoRolloutsFrom?: string;
  repoCostFrom?: string;
}

/** The limits for one repository: its own `trajgen.maxRolloutsPerDay` and `trajgen.maxCostUsdPerDay` where it sets them. */
export function repositoryLimits(limits: BudgetLimits, settings: TrajgenSettings): BudgetLimits {
  return {
    ...limits,
    ...(settings.maxRolloutsPerDay !== undefined ? { repoRolloutsPerDay: settings.maxRolloutsPerDay, repoRolloutsFrom: "trajgen.maxRolloutsPerDay in .github/lego.yml" } : {}),
    ...(settings.maxCostUsdPerDay !== undefined ? { repoCostPerDayUsd: settings.maxCostUsdPerDay, repoCostFrom: "trajgen.maxCostUsdPerDay in .github/lego.yml" } : {}),
  };
}

/** What the window holds: rollouts started (running ones included) and what finished ones cost. */
export interface WindowUsage {
  rollouts: number;
  costUsd: number;
  /** When the oldest rollout in the window started; null when the window is empty. */
  oldest: Date | null;
}

export type BudgetVerdict = { ok: true } | { ok: false; reason: string; retryAt: Date };

/** Shortest wait before a budget is looked at again, so a full budget is not polled in a loop. */
const MIN_WAIT_MS = 60_000;

export function budgetVerdict(repo: string, usage: { repo: WindowUsage; global: WindowUsage }, limits: BudgetLimits, now: Date): BudgetVerdict {
  const checks: [WindowUsage, boolean, string][] = [
    [usage.repo, usage.repo.rollouts >= limits.repoRolloutsPerDay, `${repo} started ${usage.repo.rollouts} teacher rollout(s) in 24 h (${limits.repoRolloutsFrom ?? "LEGO_TRAJGEN_REPO_ROLLOUTS_PER_DAY"} is ${limits.repoRolloutsPerDay})`],
    [usage.repo, usage.repo.costUsd >= limits.repoCostPerDayUsd, `${repo} spent $${usage.repo.costUsd.toFixed(2)} on the teacher in 24 h (${limits.repoCostFrom ?? "LEGO_TRAJGEN_REPO_COST_PER_DAY_USD"} is ${limits.repoCostPerDayUsd})`],
    [usage.global, usage.global.rollouts >= limits.rolloutsPerDay, `${usage.global.rollouts} teacher rollout(s) started in 24 h (LEGO_TRAJGEN_ROLLOUTS_PER_DAY is ${limits.rolloutsPerDay})`],
    [usage.global, usage.global.costUsd >= limits.costPerDayUsd, `$${usage.global.costUsd.toFixed(2)} spent on the teacher in 24 h (LEGO_TRAJGEN_COST_PER_DAY_USD is ${limits.costPerDayUsd})`],
  ];
  const over = checks.find(([, exceeded]) => exceeded);
  if (!over) return { ok: true };
  const [window, , reason] = over;
  // The window frees up when its oldest rollout leaves it.
  const frees = window.oldest ? window.oldest.getTime() + BUDGET_WINDOW_MS : now.getTime() + BUDGET_WINDOW_MS;
  return { ok: false, reason, retryAt: new Date(Math.max(frees, now.getTime() + MIN_WAIT_MS)) };
}
