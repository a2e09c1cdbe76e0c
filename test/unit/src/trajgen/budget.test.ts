import { describe, expect, it } from "vitest";
import { BUDGET_WINDOW_MS, budgetVerdict, type BudgetLimits, repositoryLimits, type WindowUsage } from "../../../../src/trajgen/budget.js";

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

  it("a repository's own limits replace the LEGO_TRAJGEN_REPO_* ones and are named in the reason; the global ones still apply", () => {
    expect(repositoryLimits(limits, {})).toEqual(limits);
    const own = repositoryLimits(limits, { maxRolloutsPerDay: 2, maxCostUsdPerDay: 1 });
    expect(budgetVerdict("o/r", { repo: use(2, 0), global: use(2, 0) }, own, now)).toMatchObject({ ok: false, reason: "o/r started 2 teacher rollout(s) in 24 h (trajgen.maxRolloutsPerDay in .github/lego.yml is 2)" });
    expect(budgetVerdict("o/r", { repo: use(1, 1.25), global: use(1, 1.25) }, own, now)).toMatchObject({ ok: false, reason: "o/r spent $1.25 on the teacher in 24 h (trajgen.maxCostUsdPerDay in .github/lego.yml is 1)" });
    // Raised above the default per-repository limit: allowed until a global limit is reached.
    const raised = repositoryLimits(limits, { maxRolloutsPerDay: 1000 });
    expect(budgetVerdict("o/r", { repo: use(9, 0), global: use(9, 0) }, raised, now)).toEqual({ ok: true });
    expect(budgetVerdict("o/r", { repo: use(10, 0), global: use(10, 0) }, raised, now)).toMatchObject({ ok: false, reason: "10 teacher rollout(s) started in 24 h (LEGO_TRAJGEN_ROLLOUTS_PER_DAY is 10)" });
    // Only the key set is replaced.
    expect(budgetVerdict("o/r", { repo: use(0, 5), global: use(0, 5) }, raised, now)).toMatchObject({ ok: false, reason: "o/r spent $5.00 on the teacher in 24 h (LEGO_TRAJGEN_REPO_COST_PER_DAY_USD is 5)" });
  });
});
