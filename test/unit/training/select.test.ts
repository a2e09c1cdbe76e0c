import { describe, expect, it } from "vitest";
import { choosePerTask, DEFAULT_SELECTION, outcomeExclusion, type Candidate } from "../../../training/select.js";

describe("outcomeExclusion", () => {
  it.each([
    ["resolved", false, null],
    ["resolved", true, null],
    ["semi-resolved", false, "outcome:semi-resolved"],
    ["semi-resolved", true, null],
    ["unresolved", true, "outcome:unresolved"],
    ["cheated", true, "outcome:cheated"],
    ["infra-error", true, "outcome:infra-error"],
    [null, true, "outcome:ungraded"],
  ] as const)("%s with semi-resolved included: %s → %s", (outcome, semi, reason) => {
    expect(outcomeExclusion(outcome, { ...DEFAULT_SELECTION, include: semi ? ["resolved", "semi-resolved"] : ["resolved"] })).toBe(reason);
  });
});

describe("choosePerTask", () => {
  const c = (rolloutId: string, outcome: Candidate["outcome"], assistantTurns: number, tokens = 1000): Candidate => ({ rolloutId, outcome, assistantTurns, tokens });

  it.each([
    ["the shortest resolved", [c("a", "resolved", 30), c("b", "resolved", 20), c("c", "resolved", 25)], 1, ["b"], { a: "per-task-limit", c: "per-task-limit" }],
    ["resolved before a shorter semi-resolved", [c("s", "semi-resolved", 5), c("r", "resolved", 40)], 1, ["r"], { s: "per-task-limit" }],
    ["N of them, in order", [c("a", "resolved", 30), c("b", "resolved", 20), c("s", "semi-resolved", 5)], 2, ["b", "a"], { s: "per-task-limit" }],
    ["the next one when the shortest is over the cutoff", [c("a", "resolved", 10, 200_000), c("b", "resolved", 20)], 1, ["b"], { a: "over-cutoff" }],
    ["ties broken by tokens, then id", [c("z", "resolved", 10, 500), c("y", "resolved", 10, 500), c("x", "resolved", 10, 900)], 1, ["y"], { z: "per-task-limit", x: "per-task-limit" }],
    ["nothing when all are too long", [c("a", "resolved", 10, 140_000)], 1, [], { a: "over-cutoff" }],
  ])("keeps %s", (_name, candidates, perTask, chosen, dropped) => {
    const choice = choosePerTask(candidates, { ...DEFAULT_SELECTION, perTask });
    expect(choice.chosen.map((x) => x.rolloutId)).toEqual(chosen);
    expect(Object.fromEntries(choice.dropped.map((d) => [d.candidate.rolloutId, d.reason]))).toEqual(dropped);
  });
});
