import { describe, expect, it } from "vitest";
import type { OutcomeSignal } from "../../../db/schema.js";
import { balancePerTask, decideLabel } from "../../../training/verifier-labels.js";

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
const sig = (signal: OutcomeSignal, minute = 0) => ({ signal, at: at(minute) });

describe("decideLabel", () => {
  it.each([
    ["resolved by the tests", "resolved", [], { label: "YES", source: "tests" }],
    ["unresolved by the tests", "unresolved", [], { label: "NO", source: "tests" }],
    ["semi-resolved is not resolved", "semi-resolved", [], { label: "NO", source: "tests" }],
    ["cheated", "cheated", [], { label: "NO", source: "tests" }],
    ["an infra error has no label", "infra-error", [], { label: null, reason: "outcome:infra-error" }],
    ["never graded, no signal", null, [], { label: null, reason: "outcome:ungraded" }],
    ["merged outranks failing tests", "unresolved", [sig("merged")], { label: "YES", source: "maintainer:merged" }],
    ["approved outranks failing tests", "unresolved", [sig("approved")], { label: "YES", source: "maintainer:approved" }],
    ["closed unmerged outranks passing tests", "resolved", [sig("closed_unmerged")], { label: "NO", source: "maintainer:closed_unmerged" }],
    ["changes requested outranks passing tests", "resolved", [sig("changes_requested")], { label: "NO", source: "maintainer:changes_requested" }],
    ["a thumbs-down outranks passing tests", "resolved", [sig("reaction_down")], { label: "NO", source: "maintainer:reaction_down" }],
    ["a fix PR with no tests, merged", null, [sig("merged")], { label: "YES", source: "maintainer:merged" }],
    ["merged after changes were requested", null, [sig("changes_requested", 1), sig("merged", 2)], { label: "YES", source: "maintainer:merged" }],
    ["closed unmerged after an approval", null, [sig("approved", 1), sig("closed_unmerged", 2)], { label: "NO", source: "maintainer:closed_unmerged" }],
    ["the latest review decides", null, [sig("approved", 5), sig("changes_requested", 1)], { label: "YES", source: "maintainer:approved" }],
    ["a thumbs-up alone says nothing; the tests decide", "unresolved", [sig("reaction_up")], { label: "NO", source: "tests" }],
  ] as const)("%s", (_name, outcome, signals, expected) => {
    expect(decideLabel(outcome, signals)).toEqual(expected);
  });
});

describe("balancePerTask", () => {
  const e = (rolloutId: string, label: "YES" | "NO") => ({ rolloutId, label });

  it.each([
    ["three YES and one NO → one of each", [e("r2", "YES"), e("r0", "YES"), e("r3", "NO"), e("r1", "YES")], ["r0", "r3"]],
    ["one YES and two NO → one of each", [e("r0", "NO"), e("r1", "YES"), e("r2", "NO")], ["r0", "r1"]],
    ["only YES → all kept", [e("r0", "YES"), e("r1", "YES")], ["r0", "r1"]],
    ["only NO → all kept", [e("r0", "NO")], ["r0"]],
    ["already balanced", [e("a", "YES"), e("b", "NO"), e("c", "YES"), e("d", "NO")], ["a", "b", "c", "d"]],
  ])("%s", (_name, examples, kept) => {
    const result = balancePerTask(examples);
    expect(result.kept.map((x) => x.rolloutId).sort()).toEqual(kept);
    expect(result.kept.length + result.dropped.length).toBe(examples.length);
  });
});
