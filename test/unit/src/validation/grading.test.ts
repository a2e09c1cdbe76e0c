import { describe, expect, it } from "vitest";
import type { ParsedRun, TestStatus } from "../../../../sandbox/test-logs/index.js";
import { classifyRuns, collectionShrank, gradeRun } from "../../../../src/validation/grading.js";

function run(statuses: Record<string, TestStatus>, extra: Partial<ParsedRun> = {}): ParsedRun {
  return { statuses, ran: true, notes: [], ...extra };
}

const NO_EVIDENCE: ParsedRun = { statuses: {}, ran: false, notes: [] };

describe("classifyRuns", () => {
  const cases: {
    name: string;
    nop: ParsedRun[];
    oracle: ParsedRun[];
    failToPass: string[];
    passToPass: string[];
    flaky?: string[];
    invalidReason?: string | null;
  }[] = [
    {
      name: "a failing test the fix makes pass, and tests that pass throughout",
      nop: [run({ "t::a": "FAILED", "t::c": "PASSED", "t::b": "PASSED" })],
      oracle: [run({ "t::a": "PASSED", "t::c": "PASSED", "t::b": "PASSED" })],
      failToPass: ["t::a"],
      passToPass: ["t::b", "t::c"],
    },
    {
      name: "ERROR before counts as failing",
      nop: [run({ "t::a": "ERROR" })],
      oracle: [run({ "t::a": "PASSED" })],
      failToPass: ["t::a"],
      passToPass: [],
    },
    {
      name: "a test added by the test patch that cannot be collected before the fix",
      nop: [run({ "tests/test_new.py": "ERROR", "tests/test_old.py::test_x": "PASSED" })],
      oracle: [run({ "tests/test_new.py::test_y": "PASSED", "tests/test_old.py::test_x": "PASSED" })],
      failToPass: ["tests/test_new.py::test_y"],
      passToPass: ["tests/test_old.py::test_x"],
    },
    {
      name: "FAILED in one repeat and ERROR in another is still failing, not flaky",
      nop: [run({ a: "FAILED" }), run({ a: "ERROR" })],
      oracle: [run({ a: "PASSED" }), run({ a: "PASSED" })],
      failToPass: ["a"],
      passToPass: [],
    },
    {
      name: "flaky over 2 repeats: a NOP status that changes excludes the test",
      nop: [run({ a: "FAILED", f: "FAILED", p: "PASSED" }), run({ a: "FAILED", f: "PASSED", p: "PASSED" })],
      oracle: [run({ a: "PASSED", f: "PASSED", p: "PASSED" }), run({ a: "PASSED", f: "PASSED", p: "PASSED" })],
      failToPass: ["a"],
      passToPass: ["p"],
      flaky: ["f"],
    },
    {
      name: "flaky over 3 repeats: one Oracle repeat out of three differs",
      nop: [run({ a: "FAILED", b: "FAILED", p: "PASSED" }), run({ a: "FAILED", b: "FAILED", p: "PASSED" }), run({ a: "FAILED", b: "FAILED", p: "PASSED" })],
      oracle: [run({ a: "PASSED", b: "PASSED", p: "PASSED" }), run({ a: "PASSED", b: "FAILED", p: "PASSED" }), run({ a: "PASSED", b: "PASSED", p: "ERROR" })],
      failToPass: ["a"],
      passToPass: [],
      flaky: ["b", "p"],
    },
    {
      name: "a test that disappears from one complete repeat is flaky",
      nop: [run({ a: "FAILED", p: "PASSED" }), run({ a: "FAILED" })],
      oracle: [run({ a: "PASSED", p: "PASSED" }), run({ a: "PASSED", p: "PASSED" })],
      failToPass: ["a"],
      passToPass: [],
      flaky: ["p"],
    },
    {
      name: "skipped and xfail tests enter neither list",
      nop: [run({ a: "FAILED", s: "SKIPPED", x: "XFAIL", y: "FAILED" })],
      oracle: [run({ a: "PASSED", s: "SKIPPED", x: "XFAIL", y: "SKIPPED" })],
      failToPass: ["a"],
      passToPass: [],
    },
    {
      name: "a test missing from a cut log is unknown there: neither list, not flaky",
      nop: [run({ a: "FAILED", p: "PASSED", q: "PASSED" }), run({ a: "FAILED", p: "PASSED" }, { truncated: true })],
      oracle: [run({ a: "PASSED", p: "PASSED", q: "PASSED", n: "PASSED" }), run({ a: "PASSED", p: "PASSED", q: "PASSED", n: "PASSED" })],
      failToPass: ["a"],
      passToPass: ["p"],
    },
    {
      name: "no evidence that the NOP run ran",
      nop: [NO_EVIDENCE],
      oracle: [run({ a: "PASSED" })],
      failToPass: ["a"],
      passToPass: [],
      invalidReason: "the NOP run shows no evidence that the test suite ran (no summary, no test results)",
    },
    {
      name: "no evidence in one Oracle repeat, with what the parser noted",
      nop: [run({ a: "FAILED" }), run({ a: "FAILED" }), run({ a: "FAILED" })],
      oracle: [run({ a: "PASSED" }), { ...NO_EVIDENCE, notes: ["no jest/vitest JSON report found in the output"] }, run({ a: "PASSED" })],
      failToPass: [],
      passToPass: [],
      flaky: ["a"],
      invalidReason:
        "the Oracle run (repeat 2 of 3) shows no evidence that the test suite ran (no summary, no test results); the parser noted: no jest/vitest JSON report found in the output",
    },
    {
      name: "no FAIL_TO_PASS because the tests already pass at the base commit",
      nop: [run({ a: "PASSED", b: "PASSED" })],
      oracle: [run({ a: "PASSED", b: "PASSED" })],
      failToPass: [],
      passToPass: ["a", "b"],
      invalidReason: "no test fails before the fix and passes after it: the tests already pass at the base commit",
    },
    {
      name: "no FAIL_TO_PASS because the fix does not make the failing tests pass",
      nop: [run({ a: "FAILED", b: "PASSED", c: "ERROR" })],
      oracle: [run({ a: "FAILED", b: "PASSED" })],
      failToPass: [],
      passToPass: ["b"],
      invalidReason: "no test fails before the fix and passes after it: the fix does not make any failing test pass (still failing after the fix: a, c)",
    },
    {
      name: "the only candidates are flaky",
      nop: [run({ a: "FAILED", z: "FAILED" }), run({ a: "FAILED", z: "FAILED" })],
      oracle: [run({ a: "PASSED", z: "FAILED" }), run({ a: "FAILED", z: "PASSED" })],
      failToPass: [],
      passToPass: [],
      flaky: ["a", "z"],
      invalidReason: "every candidate FAIL_TO_PASS test is flaky: a, z changed status between repeated runs of the same state",
    },
    {
      name: "no runs at all",
      nop: [],
      oracle: [run({ a: "PASSED" })],
      failToPass: [],
      passToPass: [],
      invalidReason: "no NOP run was recorded",
    },
  ];

  it.each(cases)("$name", ({ nop, oracle, failToPass, passToPass, flaky = [], invalidReason = null }) => {
    expect(classifyRuns(nop, oracle)).toEqual({ failToPass, passToPass, flaky, invalidReason });
  });

  it("lists at most five tests in a reason", () => {
    const failing = Object.fromEntries(["a", "b", "c", "d", "e", "f", "g"].map((id) => [id, "FAILED" as const]));
    const { invalidReason } = classifyRuns([run(failing)], [run(failing)]);
    expect(invalidReason).toBe(
      "no test fails before the fix and passes after it: the fix does not make any failing test pass (still failing after the fix: a, b, c, d, e and 2 more)",
    );
  });

  it("says when cut logs may hide the answer", () => {
    const { invalidReason } = classifyRuns([run({ a: "PASSED" }, { truncated: true })], [run({ a: "PASSED" })]);
    expect(invalidReason).toBe(
      "no test fails before the fix and passes after it: the tests already pass at the base commit (some logs were cut by the output limit, so tests missing from them could not be judged)",
    );
  });
});

describe("gradeRun", () => {
  const task = { failToPass: ["f1", "f2"], passToPass: ["p1", "p2"] };
  const cases: {
    name: string;
    statuses: Record<string, TestStatus>;
    exitCode: number | null;
    resolved: boolean;
    f2pFailure?: string[];
    p2pFailure?: string[];
  }[] = [
    { name: "everything passes", statuses: { f1: "PASSED", f2: "PASSED", p1: "PASSED", p2: "PASSED" }, exitCode: 0, resolved: true },
    { name: "a skipped P2P is kept", statuses: { f1: "PASSED", f2: "PASSED", p1: "SKIPPED", p2: "PASSED" }, exitCode: 0, resolved: true },
    { name: "an xfail P2P is kept", statuses: { f1: "PASSED", f2: "PASSED", p1: "PASSED", p2: "XFAIL" }, exitCode: 0, resolved: true },
    {
      name: "a skipped F2P is a failure",
      statuses: { f1: "PASSED", f2: "SKIPPED", p1: "PASSED", p2: "PASSED" },
      exitCode: 0,
      resolved: false,
      f2pFailure: ["f2"],
    },
    {
      name: "an xfail F2P is a failure",
      statuses: { f1: "XFAIL", f2: "PASSED", p1: "PASSED", p2: "PASSED" },
      exitCode: 0,
      resolved: false,
      f2pFailure: ["f1"],
    },
    {
      name: "missing tests are failures",
      statuses: { f1: "PASSED", p1: "PASSED" },
      exitCode: 0,
      resolved: false,
      f2pFailure: ["f2"],
      p2pFailure: ["p2"],
    },
    {
      name: "a broken P2P",
      statuses: { f1: "PASSED", f2: "PASSED", p1: "FAILED", p2: "ERROR" },
      exitCode: 1,
      resolved: false,
      p2pFailure: ["p1", "p2"],
    },
    { name: "an unknown exit status (killed) with every test passed", statuses: { f1: "PASSED", f2: "PASSED", p1: "PASSED", p2: "PASSED" }, exitCode: null, resolved: true },
  ];

  it.each(cases)("$name", ({ statuses, exitCode, resolved, f2pFailure = [], p2pFailure = [] }) => {
    const grade = gradeRun(task, run(statuses), exitCode);
    expect(grade.valid).toBe(true);
    expect(grade.invalidReason).toBeUndefined();
    expect(grade.resolved).toBe(resolved);
    expect(grade.f2p.failure).toEqual(f2pFailure);
    expect(grade.p2p.failure).toEqual(p2pFailure);
    expect(grade.f2p.success).toEqual(task.failToPass.filter((id) => !f2pFailure.includes(id)));
    expect(grade.p2p.success).toEqual(task.passToPass.filter((id) => !p2pFailure.includes(id)));
  });

  it("a run with no evidence that the suite ran is invalid, never resolved", () => {
    const grade = gradeRun({ failToPass: [], passToPass: [] }, NO_EVIDENCE, 0);
    expect(grade).toMatchObject({
      resolved: false,
      valid: false,
      invalidReason: "the run shows no evidence that the test suite ran (no summary, no test results)",
    });
  });

  it("a non-zero exit with no failure in the log is invalid, not a pass", () => {
    const grade = gradeRun(task, run({ f1: "PASSED", f2: "PASSED", p1: "PASSED", p2: "PASSED" }), 137);
    expect(grade.resolved).toBe(false);
    expect(grade.valid).toBe(false);
    expect(grade.invalidReason).toBe(
      "the test command exited with code 137 but its log shows no failing test, so the run cannot be trusted (a crash, a timeout or lost output)",
    );
    expect(grade.f2p.success).toEqual(["f1", "f2"]);
  });

  it("a failure counted in the summary explains a non-zero exit even when no test is named", () => {
    const grade = gradeRun(task, run({ f1: "PASSED" }, { summary: { passed: 1, failed: 1, skipped: 0 } }), 1);
    expect(grade.valid).toBe(true);
    expect(grade.resolved).toBe(false);
  });

  it("reads statuses from maps with or without a prototype", () => {
    const statuses = Object.assign(Object.create(null) as Record<string, TestStatus>, { f1: "PASSED" as const });
    expect(gradeRun({ failToPass: ["f1", "constructor"], passToPass: ["toString"] }, run(statuses), 1).f2p.failure).toEqual(["constructor"]);
    expect(gradeRun({ failToPass: ["constructor"], passToPass: [] }, run({ f1: "FAILED" }), 1).f2p.failure).toEqual(["constructor"]);
  });
});

describe("collectionShrank", () => {
  const three = run({ "t::a": "PASSED", "t::b": "PASSED", "t::c": "FAILED" });
  const cases: { name: string; without: ParsedRun; withPatch: ParsedRun; reason: string | null }[] = [
    { name: "the same tests collected", without: three, withPatch: run({ "t::a": "PASSED", "t::b": "FAILED", "t::c": "PASSED" }), reason: null },
    { name: "more tests with the patch (a module that failed to collect now does)", without: run({ "t/new.py": "ERROR" }), withPatch: run({ "t/new.py::x": "PASSED", "t/new.py::y": "PASSED" }), reason: null },
    { name: "a test deselected by the patch", without: three, withPatch: run({ "t::a": "PASSED", "t::b": "PASSED" }), reason: "collected 3 tests without the patch, 2 with it (missing: t::c)" },
    { name: "fewer tests under other names: the count decides, nothing is listed", without: three, withPatch: run({ "t::x": "PASSED", "t::y": "PASSED" }), reason: "collected 3 tests without the patch, 2 with it (missing: t::a, t::b, t::c)" },
    { name: "a collection broken by the patch", without: three, withPatch: run({ "t": "ERROR" }), reason: "collected 3 tests without the patch, 1 with it (missing: t::a, t::b, t::c)" },
    {
      name: "many missing tests are listed in part",
      without: run(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`t::${i}`, "PASSED" as const]))),
      withPatch: run({ "t::0": "PASSED" }),
      reason: "collected 8 tests without the patch, 1 with it (missing: t::1, t::2, t::3, t::4, t::5 and 2 more)",
    },
    { name: "a cut log with the patch says nothing", without: three, withPatch: run({ "t::a": "PASSED" }, { truncated: true }), reason: null },
    { name: "a cut log without the patch says nothing", without: run({ "t::a": "PASSED", "t::b": "PASSED" }, { truncated: true }), withPatch: run({ "t::a": "PASSED" }), reason: null },
    { name: "no evidence without the patch says nothing", without: NO_EVIDENCE, withPatch: run({ "t::a": "PASSED" }), reason: null },
    { name: "no evidence with the patch is graded elsewhere", without: three, withPatch: NO_EVIDENCE, reason: null },
    { name: "an untrusted report is graded elsewhere", without: three, withPatch: run({}, { untrusted: "no report" }), reason: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(collectionShrank(c.without, c.withPatch)).toBe(c.reason);
    });
  }
});
