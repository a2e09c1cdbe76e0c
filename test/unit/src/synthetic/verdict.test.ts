import { describe, expect, it } from "vitest";
import type { ParsedRun } from "../../../../sandbox/test-logs/index.js";
import { unittestRunnerCommand } from "../../../../sandbox/test-logs/unittest-runner.js";
import { type CoverageMap, mergeFileCoverage, pythonCoverageCommand, testFilesOf, testsCovering } from "../../../../src/synthetic/coverage.js";
import { cleanBaseline, confirmFull, fastFailing } from "../../../../src/synthetic/verdict.js";

const run = (statuses: Record<string, ParsedRun["statuses"][string]>, ran = true): ParsedRun => ({ statuses, ran, notes: [] });

describe("coverage map", () => {
  const map: CoverageMap = { tool: "settrace", granularity: "per-test", tests: ["tests/test_a.py::t1", "tests/test_b.py::t2", "tests/test_b.py::t3"], files: { "pkg/a.py": { "3": [0], "4": [0, 1], "10": [2] } } };

  it("finds the tests that executed any line of a function", () => {
    expect(testsCovering(map, "pkg/a.py", 1, 5)).toEqual(["tests/test_a.py::t1", "tests/test_b.py::t2"]);
    expect(testsCovering(map, "pkg/a.py", 6, 9)).toEqual([]);
    expect(testsCovering(map, "pkg/other.py", 1, 100)).toEqual([]);
  });

  it("names the test files to run: pytest ids carry theirs, V8 maps record them", () => {
    expect(testFilesOf(map, ["tests/test_b.py::t2", "tests/test_b.py::t3"])).toEqual(["tests/test_b.py"]);
    const v8 = mergeFileCoverage([
      { testFile: "test/a.test.js", tests: ["adds", "subtracts"], lines: { "src/m.js": [2, 3] } },
      { testFile: "test/b.test.js", tests: ["repeats"], lines: { "src/m.js": [3, 9] } },
    ]);
    expect(v8).toMatchObject({ tool: "v8", granularity: "per-file", tests: ["adds", "subtracts", "repeats"], testFiles: ["test/a.test.js", "test/a.test.js", "test/b.test.js"] });
    expect(testsCovering(v8, "src/m.js", 3, 3)).toEqual(["adds", "repeats", "subtracts"]);
    expect(testFilesOf(v8, ["repeats"])).toEqual(["test/b.test.js"]);
  });

  it("loads the plugin into pytest, and runs unittest through our runner, which measures when asked", () => {
    const plan = (framework: "pytest" | "unittest" | "mocha", command: string) => ({ framework, testCommand: () => command });
    expect(pythonCoverageCommand(plan("pytest", "python3 -m pytest -rA"))).toBe("python3 -m pytest -p lego_coverage_plugin -rA");
    const runner = unittestRunnerCommand([], ["discover", "-v"]);
    expect(pythonCoverageCommand(plan("unittest", runner))).toBe(runner);
    // A repository's own command (sandbox.testCmd) has no way to measure per test.
    expect(pythonCoverageCommand(plan("unittest", "python3 -m unittest discover -v"))).toBeNull();
    expect(pythonCoverageCommand(plan("mocha", "npx mocha"))).toBeNull();
  });
});

describe("synthetic verdicts", () => {
  const clean = cleanBaseline([run({ a: "PASSED", b: "PASSED", c: "PASSED", f: "PASSED" }), run({ a: "PASSED", b: "PASSED", c: "PASSED", f: "FAILED" })]);

  it("knows the clean passing tests and drops the flaky ones", () => {
    expect([...clean.passing].sort()).toEqual(["a", "b", "c"]);
    expect([...clean.flaky]).toEqual(["f"]);
  });

  it("fast: covering tests that passed clean and do not pass with the bug, flaky ones never", () => {
    expect(fastFailing(["a", "b", "f"], clean, run({ a: "FAILED", b: "PASSED", f: "FAILED" }))).toEqual(["a"]);
    expect(fastFailing(["a"], clean, run({}))).toEqual(["a"]);
  });

  it("full: FAIL_TO_PASS and PASS_TO_PASS from the suite with and without the bug", () => {
    expect(confirmFull([run({ a: "FAILED", b: "PASSED", c: "PASSED", f: "FAILED" })], clean)).toEqual({ ok: true, failToPass: ["a"], passToPass: ["b", "c"], flaky: ["f"] });
  });

  it("full: rejects a bug nothing observes, one that breaks every test, and one that breaks the import", () => {
    expect(confirmFull([run({ a: "PASSED", b: "PASSED", c: "PASSED" })], clean)).toMatchObject({ ok: false, reason: expect.stringMatching(/^no test fails with the bug/) });
    expect(confirmFull([run({ a: "FAILED", b: "FAILED", c: "ERROR" })], clean)).toMatchObject({ ok: false, reason: expect.stringMatching(/breaks every test/) });
    expect(confirmFull([run({}, false)], clean)).toMatchObject({ ok: false, reason: expect.stringMatching(/breaks at import or collection/) });
  });
});
