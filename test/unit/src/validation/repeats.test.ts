import { describe, expect, it } from "vitest";
import { classifyRuns } from "../../../../src/validation/grading.js";
import { fileOfTestId, overlayRepeat, repeatSelection } from "../../../../src/validation/repeats.js";
import type { ParsedRun, TestStatus } from "../../../../sandbox/test-logs/index.js";

const run = (statuses: Record<string, TestStatus>): ParsedRun => ({ statuses, ran: true, notes: [] });
const many = (n: number, status: TestStatus) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`tests/test_big.py::test_${i}`, status]));

describe("repeating only what can change a verdict", () => {
  it("repeats every test whose status differs between the states, plus a fixed-size stable sample", () => {
    const nop = run({ ...many(2000, "PASSED"), "tests/test_x.py::test_fix": "FAILED" });
    const oracle = run({ ...many(2000, "PASSED"), "tests/test_x.py::test_fix": "PASSED" });
    const ids = repeatSelection(nop, oracle, 25);
    expect(ids[0]).toBe("tests/test_x.py::test_fix");
    expect(ids).toHaveLength(26);
    expect(repeatSelection(nop, oracle, 25)).toEqual(ids);
  });

  it("gives the same verdicts as full repeats when the flaky tests are repeated", () => {
    const nop1 = run({ "t.py::fix": "FAILED", "t.py::ok": "PASSED", "t.py::flaky": "PASSED" });
    const nop2 = run({ "t.py::fix": "FAILED", "t.py::ok": "PASSED", "t.py::flaky": "FAILED" });
    const or1 = run({ "t.py::fix": "PASSED", "t.py::ok": "PASSED", "t.py::flaky": "PASSED" });
    const or2 = run({ "t.py::fix": "PASSED", "t.py::ok": "PASSED", "t.py::flaky": "FAILED" });
    const full = classifyRuns([nop1, nop2], [or1, or2]);
    const ids = repeatSelection(nop1, or1);
    const only = (r: ParsedRun) => run(Object.fromEntries(Object.entries(r.statuses).filter(([id]) => ids.includes(id))));
    const cheap = classifyRuns([nop1, overlayRepeat(nop1, only(nop2), ids)], [or1, overlayRepeat(or1, only(or2), ids)]);
    expect(cheap).toEqual(full);
    expect(cheap.flaky).toEqual(["t.py::flaky"]);
  });

  it("a repeated test missing from the repeat counts as missing there", () => {
    const merged = overlayRepeat(run({ a: "PASSED", b: "PASSED" }), run({}), ["a"]);
    expect(merged.statuses).toEqual({ b: "PASSED" });
  });

  it.each([
    ["tests/test_a.py::TestC::test_x[1]", "tests/test_a.py"],
    ["src/a.test.ts > suite > name", "src/a.test.ts"],
    ["tests/test_bad.py", "tests/test_bad.py"],
    ["tests.test_more.ChunkedTests.test_negative", null],
    ["suite > name", null],
  ])("fileOfTestId(%j) = %j", (id, file) => expect(fileOfTestId(id)).toBe(file));
});
