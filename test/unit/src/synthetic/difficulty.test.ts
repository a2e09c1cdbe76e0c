import { describe, expect, it } from "vitest";
import { rolloutDifficulty, solveRateDifficulty } from "../../../../src/synthetic/difficulty.js";

describe("solveRateDifficulty", () => {
  it("no label under four graded rollouts; then easy from 70 %, medium from 30 %, else hard", () => {
    expect(solveRateDifficulty(3, 3)).toBeNull();
    expect(solveRateDifficulty(3, 4)).toBe("easy");
    expect(solveRateDifficulty(7, 10)).toBe("easy");
    expect(solveRateDifficulty(2, 4)).toBe("medium");
    expect(solveRateDifficulty(3, 10)).toBe("medium");
    expect(solveRateDifficulty(1, 4)).toBe("hard");
    expect(solveRateDifficulty(0, 4)).toBe("hard");
  });
});

describe("rolloutDifficulty", () => {
  it("counts only resolved as solved, and leaves infra errors and unfinished rows out of the graded", () => {
    expect(rolloutDifficulty(["resolved", "resolved", "resolved", "infra-error", null])).toBeNull();
    expect(rolloutDifficulty(["resolved", "resolved", "resolved", "unresolved", "infra-error"])).toBe("easy");
    expect(rolloutDifficulty(["resolved", "semi-resolved", "cheated", "unresolved"])).toBe("hard");
    expect(rolloutDifficulty(["resolved", "resolved", "semi-resolved", "unresolved"])).toBe("medium");
  });
});
