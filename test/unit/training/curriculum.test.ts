import { describe, expect, it } from "vitest";
import { parseTierThresholds, stagePlan, tierOf } from "../../../training/curriculum.js";

describe("curriculum", () => {
  it.each([
    [0, "easy"],
    [50, "easy"],
    [51, "medium"],
    [70, "medium"],
    [71, "hard"],
    [100, "hard"],
    [140, "hard"],
  ] as const)("%i assistant turns is %s", (turns, tier) => {
    expect(tierOf(turns)).toBe(tier);
  });

  it("takes other thresholds", () => {
    expect(tierOf(11, { easy: 10, medium: 20 })).toBe("medium");
    expect(parseTierThresholds("10, 20")).toEqual({ easy: 10, medium: 20 });
    for (const bad of ["20,10", "10", "a,b", "0,5", "10,20,30"]) expect(parseTierThresholds(bad)).toBeNull();
  });

  it.each([
    [{ easy: 3, medium: 2, hard: 1 }, ["easy", "easy_medium", "all"]],
    [{ easy: 3, medium: 0, hard: 1 }, ["easy", "all"]],
    [{ easy: 0, medium: 2, hard: 1 }, ["easy_medium", "all"]],
    [{ easy: 3, medium: 0, hard: 0 }, ["easy"]],
    [{ easy: 0, medium: 0, hard: 0 }, []],
  ])("plans the stages for %o", (counts, names) => {
    const plan = stagePlan(counts);
    expect(plan.map((s) => s.name)).toEqual(names);
    expect(plan.map((s) => s.index)).toEqual(names.map((_, i) => i + 1));
  });
});
