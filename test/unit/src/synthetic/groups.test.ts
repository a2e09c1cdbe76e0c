import { describe, expect, it } from "vitest";
import type { ParsedRun } from "../../../../sandbox/test-logs/index.js";
import { groupable, nextGroup, type Survivor } from "../../../../src/synthetic/groups.js";
import { cleanBaseline, confirmFull, splitGroupRuns } from "../../../../src/synthetic/verdict.js";

const run = (statuses: Record<string, ParsedRun["statuses"][string]>, ran = true): ParsedRun => ({ statuses, ran, notes: [] });
const survivor = (file: string, lines: [number, number], tests: string[], o: { strategy?: string; target?: [number, number] | null } = {}): Survivor => ({
  candidate: { strategy: o.strategy ?? "ast:change_operator", file, lines, tests },
  target: o.target === null ? null : { startLine: (o.target ?? [lines[0] - 1, lines[1] + 1])[0], endLine: (o.target ?? [lines[0] - 1, lines[1] + 1])[1] },
});

describe("which survivors share a confirming run", () => {
  it("only a change within its function's lines, never outside them, a combine or a bug no test covers", () => {
    expect(groupable(survivor("a.py", [5, 5], ["t1"], { target: [4, 9] }))).toBe(true);
    expect(groupable(survivor("a.py", [4, 9], ["t1"], { target: [4, 9] }))).toBe(true);
    expect(groupable(survivor("a.py", [3, 5], ["t1"], { target: [4, 9] }))).toBe(false);
    expect(groupable(survivor("a.py", [5, 10], ["t1"], { target: [4, 9] }))).toBe(false);
    expect(groupable(survivor("a.py", [5, 5], ["t1"], { strategy: "combine" }))).toBe(false);
    expect(groupable(survivor("a.py", [5, 5], [], {}))).toBe(false);
    expect(groupable(survivor("a.py", [5, 5], ["t1"], { target: null }))).toBe(false);
  });

  it("takes bugs with disjoint covering tests and apart from each other, up to the size", () => {
    const pending = [
      survivor("a.py", [10, 10], ["t1", "t2"]),
      survivor("a.py", [40, 41], ["t2", "t3"]), // shares t2
      survivor("a.py", [12, 12], ["t4"]), // within 3 lines of the first: their contexts overlap
      survivor("b.py", [10, 10], ["t5"]),
      survivor("a.py", [60, 60], ["t6"], { strategy: "combine" }),
      survivor("a.py", [80, 80], ["t7"]),
      survivor("a.py", [90, 90], ["t8"]),
    ];
    expect(nextGroup(pending, 8)).toEqual([0, 3, 5, 6]);
    expect(nextGroup(pending, 2)).toEqual([0, 3]);
    expect(nextGroup(pending, 1)).toEqual([0]);
    expect(nextGroup([pending[4] as Survivor, ...pending], 8)).toEqual([0]);
    expect(nextGroup([], 8)).toEqual([]);
  });
});

describe("a group's full run split back per bug", () => {
  const clean = cleanBaseline([run({ a1: "PASSED", a2: "PASSED", b1: "PASSED", b2: "PASSED", other: "PASSED", broken: "FAILED" })]);
  const members = [
    { covering: ["a1", "a2"], fastFailing: ["a1"] },
    { covering: ["b1", "b2"], fastFailing: ["b1", "b2"] },
  ];

  it("gives each bug the run it would have alone: the other bugs' failures at their clean status", () => {
    const group = [run({ a1: "FAILED", a2: "PASSED", b1: "FAILED", other: "PASSED", broken: "FAILED" })]; // b2 missing: b's bug stopped it
    const split = splitGroupRuns(group, clean, members);
    expect(split.ok).toBe(true);
    if (!split.ok) return;
    expect(split.runs[0]?.[0]?.statuses).toEqual({ a1: "FAILED", a2: "PASSED", b1: "PASSED", b2: "PASSED", other: "PASSED", broken: "FAILED" });
    expect(split.runs[1]?.[0]?.statuses).toEqual({ a1: "PASSED", a2: "PASSED", b1: "FAILED", other: "PASSED", broken: "FAILED" });
    expect(confirmFull(split.runs[0] as ParsedRun[], clean)).toMatchObject({ ok: true, failToPass: ["a1"], passToPass: ["a2", "b1", "b2", "other"] });
    expect(confirmFull(split.runs[1] as ParsedRun[], clean)).toMatchObject({ ok: true, failToPass: ["b1", "b2"], passToPass: ["a1", "a2", "other"] });
  });

  it("refuses a failure no bug's coverage explains (a change seen outside its covering tests)", () => {
    const split = splitGroupRuns([run({ a1: "FAILED", a2: "PASSED", b1: "FAILED", b2: "FAILED", other: "FAILED", broken: "FAILED" })], clean, members);
    expect(split).toEqual({ ok: false, reason: "other does not pass with the group and covers none of its bugs" });
  });

  it("refuses a covering test that fails with the group but passed with its bug alone", () => {
    const split = splitGroupRuns([run({ a1: "FAILED", a2: "FAILED", b1: "FAILED", b2: "FAILED", other: "PASSED" })], clean, members);
    expect(split).toEqual({ ok: false, reason: "a2 does not pass with the group but passed with its bug alone" });
  });

  it("refuses a group where one bug masks another", () => {
    const split = splitGroupRuns([run({ a1: "PASSED", a2: "PASSED", b1: "FAILED", b2: "FAILED", other: "PASSED" })], clean, members);
    expect(split).toEqual({ ok: false, reason: "a1 failed with bug 1 alone and passes with the group" });
  });

  it("refuses a run that did not run, cannot be trusted, or bugs sharing a covering test", () => {
    expect(splitGroupRuns([run({}, false)], clean, members).ok).toBe(false);
    expect(splitGroupRuns([{ ...run({ a1: "FAILED", b1: "FAILED", b2: "FAILED", a2: "PASSED", other: "PASSED" }), truncated: true }], clean, members).ok).toBe(false);
    expect(splitGroupRuns([run({ a1: "FAILED", a2: "PASSED", b1: "FAILED", b2: "FAILED", other: "PASSED" })], clean, [members[0] as (typeof members)[0], { covering: ["a2", "b1"], fastFailing: ["b1"] }])).toEqual({ ok: false, reason: "test a2 covers two bugs of the group" });
  });

  it("checks every run of the group, and a flaky test never decides", () => {
    const flakyClean = cleanBaseline([run({ a1: "PASSED", b1: "PASSED", b2: "PASSED", other: "PASSED", flaky: "PASSED" }), run({ a1: "PASSED", b1: "PASSED", b2: "PASSED", other: "PASSED", flaky: "FAILED" })]);
    const m = [{ covering: ["a1"], fastFailing: ["a1"] }, { covering: ["b1", "b2"], fastFailing: ["b1"] }];
    const good = run({ a1: "FAILED", b1: "FAILED", b2: "PASSED", other: "PASSED", flaky: "FAILED" });
    expect(splitGroupRuns([good, good], flakyClean, m).ok).toBe(true);
    expect(splitGroupRuns([good, run({ a1: "FAILED", b1: "FAILED", b2: "PASSED", other: "FAILED" })], flakyClean, m)).toEqual({ ok: false, reason: "other does not pass with the group and covers none of its bugs" });
  });
});
