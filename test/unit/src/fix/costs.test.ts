import { describe, expect, it } from "vitest";
import { budgetReason, rolloutCostCap, rolloutCosts, utcDayStart } from "../../../../src/fix/costs.js";

describe("budgetReason", () => {
  it.each([
    [{ attempt: 0, day: 0 }, {}, null],
    [{ attempt: 9.99, day: 49.99 }, { maxCostUsd: 10, maxCostUsdPerDay: 50 }, null],
    [{ attempt: 10, day: 1 }, { maxCostUsd: 10, maxCostUsdPerDay: 50 }, "this attempt's rollouts have spent $10.00, and autofix.maxCostUsd is $10"],
    [{ attempt: 12, day: 50 }, { maxCostUsd: 10, maxCostUsdPerDay: 50 }, "this repository's fix rollouts have spent $50.00 today (UTC), and autofix.maxCostUsdPerDay is $50"],
    [{ attempt: 0, day: 0 }, { maxCostUsdPerDay: 0 }, "this repository's fix rollouts have spent $0.00 today (UTC), and autofix.maxCostUsdPerDay is $0"],
  ])("%j under %j → %s", (spent, budgets, reason) => expect(budgetReason(spent, budgets)).toBe(reason));
});

describe("rolloutCostCap", () => {
  it.each([
    [{ maxCostUsd: 10, maxCostUsdPerDay: 50 }, 4, 0, 5, 2.5],
    [{ maxCostUsd: 10, maxCostUsdPerDay: 50 }, 1, 0, 5, 5],
    [{ maxCostUsd: 10, maxCostUsdPerDay: 50 }, 2, 49, 5, 1],
    [{ maxCostUsd: 10, maxCostUsdPerDay: 50 }, 2, 60, 5, 0],
    [{}, 4, 100, 5, 5],
  ])("%j, k=%i, %d spent today, deployment cap %d → %d", (budgets, k, day, cap, expected) => expect(rolloutCostCap(budgets, k, day, cap)).toBe(expected));
});

describe("utcDayStart", () => {
  it("is midnight UTC of the same UTC day", () => {
    expect(utcDayStart(new Date("2026-03-04T23:59:59+05:00")).toISOString()).toBe("2026-03-04T00:00:00.000Z");
    expect(utcDayStart(new Date("2026-03-04T00:00:00Z")).toISOString()).toBe("2026-03-04T00:00:00.000Z");
  });
});

describe("rolloutCosts", () => {
  it("measures wall time from start to finish, null when the rollout never ran", () => {
    const t = new Date("2026-01-01T00:00:00Z");
    expect(rolloutCosts([{ index: 0, promptTokens: 1, completionTokens: 2, costUsd: 0.5, startedAt: t, finishedAt: new Date(t.getTime() + 1500) }, { index: 1, promptTokens: null, completionTokens: null, costUsd: null, startedAt: t, finishedAt: null }])).toEqual([
      { index: 0, promptTokens: 1, completionTokens: 2, costUsd: 0.5, wallMs: 1500 },
      { index: 1, promptTokens: null, completionTokens: null, costUsd: null, wallMs: null },
    ]);
  });
});
