import { describe, expect, it } from "vitest";
import { BUDGET_WINDOW_MS, budgetVerdict, type BudgetLimits, type WindowUsage } from "../../../../src/trajgen/budget.js";

const now = new Date("2026-12-01T12:00:00Z");
const limits: BudgetLimits = { rolloutsPerDay: 10, repoRolloutsPerDay: 4, costPerDayUsd: 50, repoCostPerDayUsd: 5 };
const oldest = new Date("2026-12-01T02:00:00Z");
const use = (rollouts: number, costUsd: number, at: Date | null = oldest): WindowUsage => ({ rollouts, costUsd, oldest: at });

describe("budgetVerdict", () => {
  it.each([
    ["room everywhere", use(3, 4.99), use(9, 49.99), null],
    ["repository rollouts used up", use(4, 0), use(4, 0), "o/r started 4 teacher rollout(s) in 24 h (LEGO_TRAJGEN_REPO_ROLLOUTS_PER_DAY is 4)"],
    ["repository spend used up", use(1, 5), use(1, 5), "o/r spent $5.00 on the teacher in 24 h (LEGO_TRAJGEN_REPO_COST_PER_DAY_USD is 5)"],
    ["all rollouts used up", use(0, 0, null), use(10, 0), "10 teacher rollout(s) started in 24 h (LEGO_TRAJGEN_ROLLOUTS_PER_DAY is 10)"],
    ["all spend used up", use(0, 0, null), use(2, 50.5), "$50.50 spent on the teacher in 24 h (LEGO_TRAJGEN_COST_PER_DAY_USD is 50)"],
  ] as const)("%s", (_name, repo, global, reason) => {
    const v = budgetVerdict("o/r", { repo, global }, limits, now);
    if (reason === null) expect(v).toEqual({ ok: true });
    else expect(v).toEqual({ ok: false, reason, retryAt: new Date(oldest.getTime() + BUDGET_WINDOW_MS) });
  });

  it("a limit of 0 turns generation off", () => {
    expect(budgetVerdict("o/r", { repo: use(0, 0, null), global: use(0, 0, null) }, { ...limits, repoRolloutsPerDay: 0 }, now)).toMatchObject({ ok: false, retryAt: new Date(now.getTime() + BUDGET_WINDOW_MS) });
  });

  it("waits at least a minute, even when the oldest rollout is about to leave the window", () => {
    const almost = new Date(now.getTime() - BUDGET_WINDOW_MS + 1000);
    expect(budgetVerdict("o/r", { repo: use(4, 0, almost), global: use(4, 0, almost) }, limits, now)).toMatchObject({ retryAt: new Date(now.getTime() + 60_000) });
  });
});
