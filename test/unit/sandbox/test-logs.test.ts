import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CappedBuffer } from "../../../sandbox/output.js";
import {
  END_MARKER,
  extractMarked,
  parseTestLog,
  START_MARKER,
  wrapWithMarkers,
} from "../../../sandbox/test-logs/index.js";
import type { Framework, ParsedRun, TestStatus } from "../../../sandbox/test-logs/index.js";

// Fixtures under test/fixtures/test-logs were captured from the real tools (pytest 9, Python
// 3.11 unittest, jest 29, vitest 4, mocha 10, node 20 node:test, ava 6, tap 18) with stdout and
// stderr interleaved as the sandbox captures them; paths rewritten to the sandbox's /repo. The
// go test -json fixture is written by hand from test2json's documented events (Go 1.24).
const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/test-logs/${name}`, import.meta.url)), "utf8");

/** What sandbox/output.ts keeps of `text` under a cap of `limit` bytes. */
function capped(text: string, limit: number): string {
  const buffer = new CappedBuffer(limit);
  buffer.push(text);
  return buffer.toString();
}

/** Every id the parser reports under a cut log is a real test with its real status. */
function expectSubsetOf(run: ParsedRun, truth: Record<string, TestStatus>): void {
  for (const [id, status] of Object.entries(run.statuses)) {
    expect(truth[id], `unexpected id ${JSON.stringify(id)}`).toBe(status);
  }
}

/** Deterministic pseudo-random numbers, so garbage inputs are the same on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FRAMEWORKS: Framework[] = ["pytest", "unittest", "jest", "vitest", "mocha", "node-test", "ava", "tap", "go-test"];

describe("markers", () => {
  it("builds START and END lines", () => {
    expect(START_MARKER("nop-1")).toBe(">>>>> LEGO TESTS START nop-1");
    expect(END_MARKER("nop-1", 3)).toBe(">>>>> LEGO TESTS END nop-1 exit=3");
    expect(() => START_MARKER("a b")).toThrow(RangeError);
    expect(() => END_MARKER("x'; rm -rf /", 0)).toThrow(RangeError);
  });

  it("wraps a command so bash prints the markers and carries its exit status", () => {
    const script = `set -e\n${wrapWithMarkers("run.7", "echo collected 1 item; printf 'no newline'; exit 4")}`;
    const log = execFileSync("bash", ["-c", script], { encoding: "utf8" });
    expect(extractMarked(log, "run.7")).toEqual({ body: "collected 1 item\nno newline", exitCode: 4, complete: true });
    const ok = execFileSync("bash", ["-c", wrapWithMarkers("ok", "true")], { encoding: "utf8" });
    expect(extractMarked(ok, "ok")).toEqual({ body: "", exitCode: 0, complete: true });
  });

  it("extracts the body of the requested id, after the last START", () => {
    const log = [
      "Step 1/3 : pip install -e .",
      START_MARKER("nop-10"),
      "wrong run",
      END_MARKER("nop-10", 1),
      START_MARKER("nop-1"),
      "first attempt",
      START_MARKER("nop-1"),
      "tests/test_a.py::test_x PASSED",
      END_MARKER("nop-1", 0),
      "",
    ].join("\n");
    expect(extractMarked(log, "nop-1")).toEqual({ body: "tests/test_a.py::test_x PASSED", exitCode: 0, complete: true });
  });

  it("has no exit code when END is missing (killed, timed out)", () => {
    const log = `${START_MARKER("a")}\nline 1\nline 2\n`;
    expect(extractMarked(log, "a")).toEqual({ body: "line 1\nline 2\n", exitCode: null, complete: false });
  });

  it("starts at the cut when the output cap dropped START", () => {
    const setup = "x".repeat(5000);
    const log = capped(`${setup}\n${START_MARKER("a")}\n${"y".repeat(3000)}\nlast line\n${END_MARKER("a", 2)}\n`, 2000);
    const out = extractMarked(log, "a");
    expect(out.exitCode).toBe(2);
    expect(out.complete).toBe(false);
    expect(out.body).toMatch(/^\[\.\.\. \d+ bytes truncated \.\.\.\]\n/);
    expect(out.body).not.toContain("x");
    expect(out.body.endsWith("last line")).toBe(true);
  });

  it("returns the whole log when there are no markers", () => {
    expect(extractMarked("just output\n", "a")).toEqual({ body: "just output\n", exitCode: null, complete: false });
  });
});

describe("pytest", () => {
  it("reads -rA and -v output captured from pytest 9", () => {
    const run = parseTestLog("pytest", fixture("pytest-rA-v.txt"));
    expect(run.statuses).toEqual({
      "tests/test_math.py::test_add": "PASSED",
      "tests/test_math.py::test_sub": "FAILED",
      "tests/test_math.py::test_param[a b-1]": "PASSED",
      "tests/test_math.py::test_param[c[d]]": "PASSED",
      "tests/test_math.py::test_param[3]": "FAILED",
      "tests/test_math.py::test_skipped": "SKIPPED",
      "tests/test_math.py::test_xfail": "XFAIL",
      "tests/test_math.py::test_xpass": "PASSED",
      "tests/test_math.py::TestThing::test_method": "PASSED",
      // PASSED in the call, ERROR at teardown: the error wins.
      "tests/test_math.py::test_teardown_error": "ERROR",
      "tests/test_math.py::test_skip_inside": "SKIPPED",
      "tests/test_broken.py": "ERROR",
    });
    expect(run.ran).toBe(true);
    expect(run.summary).toEqual({ passed: 6, failed: 4, skipped: 3 });
    expect(run.notes).toEqual([]);
    expect(run.truncated).toBeUndefined();
  });

  it("marks a file that fails to collect as ERROR when collection stops the session", () => {
    const run = parseTestLog("pytest", fixture("pytest-collection-interrupted.txt"));
    expect(run.statuses).toEqual({ "tests/test_broken.py": "ERROR" });
    expect(run.ran).toBe(true);
    expect(run.summary).toEqual({ passed: 0, failed: 1, skipped: 0 });
    expect(run.notes).toContain("Interrupted: 1 error during collection");
  });

  it("reads the short summary alone (no -v), -q totals and xdist progress", () => {
    const log = [
      "[gw0] [ 25%] PASSED tests/test_a.py::test_one ",
      "[gw1] [ 50%] FAILED tests/test_a.py::test_two ",
      "=========================== short test summary info ============================",
      "PASSED tests/test_a.py::test_one",
      "FAILED tests/test_a.py::test_p[x - y] - AssertionError: [1] != [2]",
      "FAILED tests/test_a.py::test_two - assert 0",
      "ERROR tests/test_b.py - ModuleNotFoundError: No module named 'b'",
      "SKIPPED [2] tests/test_a.py:40: needs a GPU",
      "SKIPPED tests/test_a.py::test_folded_off - Skipped: slow",
      "FAILED to connect to the metrics server",
      "ERROR: pip's dependency resolver does not currently take into account",
      "3 failed, 1 passed, 3 skipped, 1 error in 1.02s",
    ].join("\n");
    const run = parseTestLog("pytest", log);
    expect(run.statuses).toEqual({
      "tests/test_a.py::test_one": "PASSED",
      "tests/test_a.py::test_two": "FAILED",
      "tests/test_a.py::test_p[x - y]": "FAILED",
      "tests/test_b.py": "ERROR",
      "tests/test_a.py::test_folded_off": "SKIPPED",
    });
    expect(run.summary).toEqual({ passed: 1, failed: 4, skipped: 3 });
  });

  it("notes skips it cannot name when -v was not passed", () => {
    const run = parseTestLog("pytest", "SKIPPED [3] tests/test_a.py:9: no db\n============ 3 skipped in 0.01s ============");
    expect(run.statuses).toEqual({});
    expect(run.ran).toBe(true);
    expect(run.notes).toEqual(["3 skipped tests were reported without their ids (run pytest with -v to name them)"]);
  });

  it("keeps a failure over a later pass of the same test (rerun plugins), otherwise the last status", () => {
    const log = [
      "tests/test_a.py::test_flaky RERUN                                        [ 50%]",
      "tests/test_a.py::test_flaky FAILED                                       [ 50%]",
      "tests/test_a.py::test_flaky PASSED                                       [ 50%]",
      "tests/test_a.py::test_other PASSED                                       [100%]",
      "tests/test_a.py::test_other SKIPPED (late skip)                          [100%]",
      "==================== 1 failed, 1 skipped, 1 rerun in 0.10s ====================",
    ].join("\n");
    expect(parseTestLog("pytest", log).statuses).toEqual({
      "tests/test_a.py::test_flaky": "FAILED",
      "tests/test_a.py::test_other": "SKIPPED",
    });
  });

  it("reads coloured output and ids that contain status words", () => {
    const log = [
      "\x1b[32mtests/test_a.py::test_w[PASSED FAILED] \x1b[32mPASSED\x1b[0m\x1b[32m  [100%]\x1b[0m",
      "\x1b[32m============================== \x1b[32m\x1b[1m1 passed\x1b[0m\x1b[32m in 0.01s\x1b[0m\x1b[32m ===============================\x1b[0m",
    ].join("\r\n");
    const run = parseTestLog("pytest", log);
    expect(run.statuses).toEqual({ "tests/test_a.py::test_w[PASSED FAILED]": "PASSED" });
    expect(run.summary).toEqual({ passed: 1, failed: 0, skipped: 0 });
  });

  it("finds no evidence in output that is not pytest's", () => {
    const run = parseTestLog("pytest", "bash: pytest: command not found\n");
    expect(run).toEqual({ statuses: {}, ran: false, notes: [] });
  });
});

describe("unittest", () => {
  it("reads python -m unittest -v captured from Python 3.11", () => {
    const run = parseTestLog("unittest", fixture("unittest-py311.txt"));
    expect(run.statuses).toEqual({
      "pkg.test_things.MathTest.test_add": "PASSED",
      "pkg.test_things.MathTest.test_error": "ERROR",
      "pkg.test_things.MathTest.test_fail": "FAILED",
      "pkg.test_things.MathTest.test_prints": "PASSED",
      "pkg.test_things.MathTest.test_skip": "SKIPPED",
      "pkg.test_things.MathTest.test_sub": "FAILED",
      "pkg.test_things.MathTest.test_xfail": "XFAIL",
      "pkg.test_things.MathTest.test_xpass": "FAILED",
      "pkg.test_things.SetupFail.setUpClass": "ERROR",
    });
    expect(run.ran).toBe(true);
    expect(run.summary).toEqual({ passed: 1, failed: 5, skipped: 2 });
  });

  it("gives the pre-3.11 format (Django's runner) the same ids", () => {
    const log = [
      "Testing against Django installed in '/repo/django' with up to 8 processes",
      "test_callable_path (model_fields.test_filepathfield.FilePathFieldTests) ... ERROR",
      "test_path (model_fields.test_filepathfield.FilePathFieldTests) ... Importing application model_fields",
      "System check identified no issues (0 silenced).",
      "ok",
      "test_docs (model_fields.tests.BasicTests)",
      "Docstring's first line. ... ok",
      "test_skipped (model_fields.tests.BasicTests) ... skipped 'requires PostgreSQL'",
      "test_noisy (model_fields.tests.BasicTests) ... looks ok",
      "FAIL",
      "",
      "======================================================================",
      "ERROR: test_callable_path (model_fields.test_filepathfield.FilePathFieldTests)",
      "----------------------------------------------------------------------",
      "Traceback (most recent call last):",
      "  File \"/repo/tests/model_fields/test_filepathfield.py\", line 12, in test_callable_path",
      "TypeError: 'NoneType' object is not callable",
      "",
      "----------------------------------------------------------------------",
      "Ran 5 tests in 0.012s",
      "",
      "FAILED (failures=1, errors=1, skipped=1)",
    ].join("\n");
    const run = parseTestLog("unittest", log);
    expect(run.statuses).toEqual({
      "model_fields.test_filepathfield.FilePathFieldTests.test_callable_path": "ERROR",
      "model_fields.test_filepathfield.FilePathFieldTests.test_path": "PASSED",
      "model_fields.tests.BasicTests.test_docs": "PASSED",
      "model_fields.tests.BasicTests.test_skipped": "SKIPPED",
      "model_fields.tests.BasicTests.test_noisy": "FAILED",
    });
    expect(run.summary).toEqual({ passed: 2, failed: 2, skipped: 1 });
  });

  it("has no evidence when the module could not even be named", () => {
    const run = parseTestLog("unittest", "/usr/bin/python3: No module named unittest_x\n");
    expect(run.ran).toBe(false);
  });
});

describe("jest and vitest JSON", () => {
  const jestStatuses = {
    "src/math.test.js > math > add > adds 1 + 1": "PASSED",
    "src/math.test.js > math > add > fails": "FAILED",
    "src/math.test.js > math > skipped one": "SKIPPED",
    "src/math.test.js > math > todo one": "SKIPPED",
    "src/math.test.js > top level": "PASSED",
    // The file that failed to load has no results of its own.
    "src/broken.test.js": "ERROR",
  };

  it("reads jest --json among jest's own stderr output", () => {
    const run = parseTestLog("jest", fixture("jest.txt"));
    expect(run.statuses).toEqual(jestStatuses);
    expect(run.summary).toEqual({ passed: 2, failed: 1, skipped: 2 });
    expect(run.ran).toBe(true);
    expect(run.notes).toEqual([]);
  });

  it("reads vitest --reporter=json with the same ids", () => {
    const run = parseTestLog("vitest", fixture("vitest.txt"));
    expect(run.statuses).toEqual(jestStatuses);
    expect(run.summary).toEqual({ passed: 2, failed: 1, skipped: 2 });
  });

  it("makes ids relative to the given root, and keeps paths outside it whole", () => {
    const log = fixture("jest.txt").replaceAll("/repo/", "/work/app/");
    expect(Object.keys(parseTestLog("jest", log, { root: "/work/app" }).statuses)).toContain("src/math.test.js > top level");
    expect(Object.keys(parseTestLog("jest", log).statuses)).toContain("/work/app/src/math.test.js > top level");
  });

  it("skips JSON in the noise that is not the report", () => {
    const log = `{"numbers": [1, 2]}\n{"num": oops\n${fixture("vitest.txt")}`;
    expect(parseTestLog("vitest", log).statuses).toEqual(jestStatuses);
  });

  it("says so when there is no report", () => {
    const run = parseTestLog("jest", "sh: 1: jest: not found\n");
    expect(run).toEqual({ statuses: {}, ran: false, notes: ["no jest/vitest JSON report found in the output"] });
  });
});

describe("mocha JSON", () => {
  it("reads mocha --reporter json after console noise", () => {
    const run = parseTestLog("mocha", fixture("mocha.txt"));
    expect(run.statuses).toEqual({
      "test/a.spec.js > root level": "PASSED",
      "test/a.spec.js > Parser #parse() parses numbers": "PASSED",
      "test/a.spec.js > Parser #parse() rejects junk": "FAILED",
      "test/a.spec.js > Parser #parse() skipped case": "SKIPPED",
      "test/a.spec.js > Parser #parse() pending without body": "SKIPPED",
      'test/a.spec.js > Hooks "before all" hook for "never runs"': "FAILED",
    });
    expect(run.summary).toEqual({ passed: 2, failed: 2, skipped: 2 });
  });
});

describe("TAP", () => {
  it("reads node:test --test-reporter=tap with nested suites, skips and a file that fails to load", () => {
    const run = parseTestLog("node-test", fixture("node-test.tap.txt"));
    expect(run.statuses).toEqual({
      "math > adds": "PASSED",
      "math > fails": "FAILED",
      "math > skipped": "SKIPPED",
      "math > todo": "XFAIL",
      "math > nested > deep # with hash": "PASSED",
      "top level with subtests > sub ok": "PASSED",
      "top level with subtests > sub fail": "FAILED",
      "b passes": "PASSED",
      "test/c.test.js": "FAILED",
    });
    expect(run.summary).toEqual({ passed: 4, failed: 4, skipped: 2 });
  });

  it("reads ava --tap", () => {
    const run = parseTestLog("ava", fixture("ava.tap.txt"));
    expect(run.statuses).toEqual({
      "b › b passes # hash": "PASSED",
      "a › skipped one": "SKIPPED",
      "a › todo one": "XFAIL",
      "a › adds": "PASSED",
      "a › fails": "FAILED",
      "a › known bug": "PASSED",
    });
    expect(run.summary).toEqual({ passed: 3, failed: 2, skipped: 1 });
  });

  it("reads node-tap's TAP 14 with a subtest per file", () => {
    const run = parseTestLog("tap", fixture("node-tap.tap.txt"));
    expect(run.statuses).toEqual({
      "taptest/a.test.js > math > adds": "PASSED",
      "taptest/a.test.js > math > nested > fails inside": "FAILED",
      "taptest/a.test.js > math > nested > passes inside": "PASSED",
      "taptest/a.test.js > skipped": "SKIPPED",
      "taptest/a.test.js > todo": "XFAIL",
      "taptest/a.test.js > top assertion": "PASSED",
      "taptest/b.test.js > b group > b ok": "PASSED",
    });
    expect(run.summary).toEqual({ passed: 4, failed: 1, skipped: 2 });
  });

  it("names each file's tests after node 18's absolute file subtests, relative to the root", () => {
    const log = [
      "TAP version 13",
      "# Subtest: /repo/test/a.test.js",
      "    # Subtest: adds",
      "    ok 1 - adds",
      "      ---",
      "      duration_ms: 0.4",
      "      stack: |-",
      "        ok 7 - this is YAML, not a result",
      "      ...",
      "    1..1",
      "ok 1 - /repo/test/a.test.js",
      "  ---",
      "  duration_ms: 40",
      "  ...",
      "1..1",
      "# tests 1",
      "# pass 1",
      "# fail 0",
    ].join("\n");
    const run = parseTestLog("node-test", log);
    expect(run.statuses).toEqual({ "test/a.test.js > adds": "PASSED" });
    expect(run.summary).toEqual({ passed: 1, failed: 0, skipped: 0 });
  });

  it("names bare `ok N` lines by their # Subtest header or their number", () => {
    const log = ["TAP version 14", "# Subtest: outer", "    ok 1", "    not ok 2 - named", "    1..2", "not ok 1", "1..1"].join("\n");
    expect(parseTestLog("tap", log).statuses).toEqual({ "outer > #1": "PASSED", "outer > named": "FAILED" });
  });

  it("names results whose parents never closed from their # Subtest headers, and notes Bail out!", () => {
    const log = [
      "TAP version 13",
      "# Subtest: suite",
      "    # Subtest: first",
      "    ok 1 - first",
      "    # Subtest: second",
      "    not ok 2 - second",
      "Bail out! worker crashed",
    ].join("\n");
    const run = parseTestLog("node-test", log);
    expect(run.statuses).toEqual({ "suite > first": "PASSED", "suite > second": "FAILED" });
    expect(run.notes).toEqual(["Bail out! worker crashed"]);
  });
});

describe("go test -json", () => {
  it("reads test2json events: subtests, skips, a build failure, a panic", () => {
    const run = parseTestLog("go-test", fixture("go-test.jsonl"));
    expect(run.statuses).toEqual({
      "example.com/shop/cart": "ERROR",
      "example.com/shop/price/TestRound/half_up": "PASSED",
      "example.com/shop/price/TestRound/negative": "FAILED",
      "example.com/shop/price/TestRound": "FAILED",
      "example.com/shop/price/TestFormat": "PASSED",
      "example.com/shop/price/TestCurrencyTable": "SKIPPED",
      "example.com/shop/store/TestOpen": "PASSED",
      // Panicked: the binary died before reporting it.
      "example.com/shop/store/TestClose": "FAILED",
    });
    expect(run.ran).toBe(true);
    expect(run.notes).toEqual(["package example.com/shop/cart failed to build; its tests did not run"]);
  });

  it("reads pre-1.24 build failures, which print the compiler's errors as plain text", () => {
    const log = [
      "# example.com/m/broken [example.com/m/broken.test]",
      "broken/x_test.go:5:2: undefined: Foo",
      '{"Time":"2024-01-01T00:00:00Z","Action":"output","Package":"example.com/m/broken","Output":"FAIL\\texample.com/m/broken [build failed]\\n"}',
      '{"Time":"2024-01-01T00:00:00Z","Action":"fail","Package":"example.com/m/broken","Elapsed":0}',
      '{"Action":"pass","Package":"example.com/m/ok","Test":"TestA"', // cut short
    ].join("\n");
    const run = parseTestLog("go-test", log);
    expect(run.statuses).toEqual({ "example.com/m/broken": "ERROR" });
    expect(run.notes).toEqual([
      "package example.com/m/broken failed to build; its tests did not run",
      "1 unparseable JSON lines skipped",
    ]);
  });

  it("has no evidence when go never started", () => {
    expect(parseTestLog("go-test", "go: cannot find main module\n").ran).toBe(false);
  });
});

// Synthetic suites big enough for the output cap to cut, with the truth to check against.
interface Suite {
  log: string;
  truth: Record<string, TestStatus>;
}

const statusAt = (i: number): TestStatus => (i % 7 === 3 ? "FAILED" : i % 11 === 5 ? "SKIPPED" : "PASSED");

function pytestSuite(n: number): Suite {
  const truth: Record<string, TestStatus> = {};
  const progress: string[] = [];
  const summary: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const id = `tests/test_mod${i % 13}.py::TestCase::test_case_${i}[param ${i}]`;
    const status = statusAt(i);
    truth[id] = status;
    progress.push(`${id} ${status}${status === "SKIPPED" ? " (flaky network)" : ""}     [${String(Math.floor((i * 100) / n)).padStart(3)}%]`);
    if (status !== "SKIPPED") summary.push(`${status} ${id}${status === "FAILED" ? " - AssertionError: boom" : ""}`);
  }
  const failures = Object.entries(truth)
    .filter(([, s]) => s === "FAILED")
    .map(([id]) => `_____ ${id.split("::").pop()} _____\n\n    def test():\n>       assert compute() == 2\nE       assert 1 == 2\n`);
  const log = [
    "============================= test session starts ==============================",
    `collected ${n} items`,
    "",
    ...progress,
    "",
    "=================================== FAILURES ===================================",
    ...failures,
    "=========================== short test summary info ============================",
    ...summary,
    `======= ${failures.length} failed, ${n - failures.length} passed in 12.34s =======`,
  ].join("\n");
  return { log, truth };
}

function unittestSuite(n: number): Suite {
  const truth: Record<string, TestStatus> = {};
  const lines: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const status = statusAt(i);
    truth[`app.tests.test_views.ViewTests${i % 5}.test_view_${i}`] = status;
    const word = status === "FAILED" ? "FAIL" : status === "SKIPPED" ? "skipped 'slow'" : "ok";
    lines.push(`test_view_${i} (app.tests.test_views.ViewTests${i % 5}.test_view_${i}) ... ${word}`);
  }
  return { log: `${lines.join("\n")}\n\nRan ${n} tests in 3.210s\n\nFAILED (failures=3)\n`, truth };
}

const JEST_STATUS: Record<TestStatus, string> = { PASSED: "passed", FAILED: "failed", SKIPPED: "pending", ERROR: "failed", XFAIL: "todo" };

function jestSuite(files: number, perFile: number): Suite {
  const truth: Record<string, TestStatus> = {};
  const testResults = [];
  for (let f = 0; f < files; f += 1) {
    const name = `/repo/src/feature${f}/widget.test.ts`;
    const assertionResults = [];
    for (let t = 0; t < perFile; t += 1) {
      const status = statusAt(f * perFile + t);
      const ancestorTitles = ["Widget", `case group ${t % 3}`];
      const title = `renders variant ${t} with "quotes" and \\ backslash`;
      truth[`src/feature${f}/widget.test.ts > ${ancestorTitles.join(" > ")} > ${title}`] = status;
      assertionResults.push({
        ancestorTitles,
        duration: status === "SKIPPED" ? null : 3,
        failureDetails: status === "FAILED" ? [{ matcherResult: { message: "expected 1 to be 2", name: "toBe", pass: false } }] : [],
        failureMessages: status === "FAILED" ? ["Error: expect(received).toBe(expected)\n    at Object.<anonymous> (/repo/src/x.ts:3:9)"] : [],
        fullName: `${ancestorTitles.join(" ")} ${title}`,
        invocations: 1,
        location: null,
        numPassingAsserts: 1,
        retryReasons: [],
        status: JEST_STATUS[status],
        title,
      });
    }
    testResults.push({ assertionResults, endTime: 2, message: "", name, startTime: 1, status: "passed", summary: "" });
  }
  const doc = { numFailedTestSuites: 0, numFailedTests: 1, numPassedTests: 2, numPendingTests: 0, numTodoTests: 0, numTotalTests: 3, success: false, testResults };
  return { log: `PASS src/feature0/widget.test.ts\nTests: 3 total\n${JSON.stringify(doc)}\n`, truth };
}

function mochaSuite(n: number): Suite {
  const truth: Record<string, TestStatus> = {};
  const tests = [];
  const lists: Record<string, unknown[]> = { passes: [], failures: [], pending: [] };
  for (let i = 0; i < n; i += 1) {
    const status = statusAt(i);
    const file = `/repo/test/unit/module${i % 9}.spec.js`;
    const fullTitle = `Module ${i % 9} behaves in case ${i}`;
    truth[`test/unit/module${i % 9}.spec.js > ${fullTitle}`] = status;
    const entry = {
      title: `behaves in case ${i}`,
      fullTitle,
      file,
      ...(status === "SKIPPED" ? {} : { duration: 2 }),
      currentRetry: 0,
      err: status === "FAILED" ? { message: "expected 1 to equal 2", stack: "AssertionError: expected 1 to equal 2" } : {},
    };
    tests.push(entry);
    (status === "PASSED" ? lists.passes : status === "FAILED" ? lists.failures : lists.pending)?.push(entry);
  }
  const doc = { stats: { suites: 9, tests: n, passes: 1, pending: 1, failures: 1 }, tests, ...lists };
  return { log: `console noise\n${JSON.stringify(doc, null, 2)}\n`, truth };
}

function tapSuite(files: number, perFile: number): Suite {
  const truth: Record<string, TestStatus> = {};
  const lines = ["TAP version 13"];
  for (let f = 0; f < files; f += 1) {
    lines.push(`# Subtest: suite ${f}`);
    for (let g = 0; g < 2; g += 1) {
      lines.push(`    # Subtest: group ${g}`);
      for (let t = 0; t < perFile; t += 1) {
        const status = statusAt(f * 100 + g * 50 + t);
        truth[`suite ${f} > group ${g} > test ${t}`] = status;
        lines.push(`        # Subtest: test ${t}`);
        lines.push(`        ${status === "FAILED" ? "not ok" : "ok"} ${t + 1} - test ${t}${status === "SKIPPED" ? " # SKIP later" : ""}`);
        lines.push("          ---", "          duration_ms: 0.1", "          ...");
      }
      lines.push(`        1..${perFile}`, `    ok ${g + 1} - group ${g}`, "      ---", "      type: 'suite'", "      ...");
    }
    lines.push("    1..2", `ok ${f + 1} - suite ${f}`);
  }
  lines.push(`1..${files}`, "# tests 9", "# pass 9", "# fail 0");
  return { log: lines.join("\n"), truth };
}

function goSuite(packages: number, perPackage: number): Suite {
  const truth: Record<string, TestStatus> = {};
  const lines: string[] = [];
  for (let p = 0; p < packages; p += 1) {
    const pkg = `example.com/big/pkg${p}`;
    for (let t = 0; t < perPackage; t += 1) {
      const status = statusAt(p * perPackage + t);
      const test = `TestThing${t}/sub_case_${t}`;
      truth[`${pkg}/${test}`] = status;
      const action = status === "PASSED" ? "pass" : status === "FAILED" ? "fail" : "skip";
      lines.push(JSON.stringify({ Time: "2025-01-01T00:00:00Z", Action: "run", Package: pkg, Test: test }));
      lines.push(JSON.stringify({ Time: "2025-01-01T00:00:00Z", Action: "output", Package: pkg, Test: test, Output: `=== RUN   ${test}\n` }));
      lines.push(JSON.stringify({ Time: "2025-01-01T00:00:00Z", Action: action, Package: pkg, Test: test, Elapsed: 0 }));
    }
    lines.push(JSON.stringify({ Time: "2025-01-01T00:00:00Z", Action: "fail", Package: pkg, Elapsed: 0.1 }));
  }
  return { log: lines.join("\n"), truth };
}

describe("logs cut by the output cap", () => {
  const suites: [Framework, Suite][] = [
    ["pytest", pytestSuite(3000)],
    ["unittest", unittestSuite(3000)],
    ["jest", jestSuite(60, 40)],
    ["vitest", jestSuite(60, 40)],
    ["mocha", mochaSuite(2000)],
    ["node-test", tapSuite(40, 30)],
    ["go-test", goSuite(30, 60)],
  ];
  const limits = [4_000, 25_000, 77_777, 150_001];

  it.each(suites)("%s: every result kept is a real test with its real status", (framework, suite) => {
    const whole = parseTestLog(framework, suite.log);
    expect(whole.statuses).toEqual(suite.truth);
    for (const limit of limits) {
      const run = parseTestLog(framework, capped(suite.log, limit));
      expect(run.truncated).toBe(true);
      expect(run.notes.some((n) => n.startsWith("log truncated: "))).toBe(true);
      expectSubsetOf(run, suite.truth);
      // Both sides of the cut still yield results.
      expect(Object.keys(run.statuses).length).toBeGreaterThan(0);
    }
  });

  it("jest: the tail of a file cut in two is attributed by the file name that follows it", () => {
    const suite = jestSuite(60, 40);
    const run = parseTestLog("jest", capped(suite.log, 150_001));
    const files = new Set(Object.keys(run.statuses).map((id) => id.split(" > ")[0]));
    expect(files.has("src/feature0/widget.test.ts")).toBe(true);
    expect(files.has("src/feature59/widget.test.ts")).toBe(true);
    expect(run.summary).toEqual({ passed: 2, failed: 1, skipped: 0 });
  });

  it("pytest: the final line survives the cut, so the run still counts as run", () => {
    const run = parseTestLog("pytest", capped(pytestSuite(3000).log, 4_000));
    expect(run.ran).toBe(true);
    expect(run.summary?.failed).toBeGreaterThan(0);
  });
});

describe("garbage and huge input", () => {
  const random = prng(42);
  const bytes = Buffer.alloc(2_000_000);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(random() * 256);
  // Invalid UTF-8 decodes to U+FFFD, as CappedBuffer.toString() does.
  const garbage = bytes.toString("utf8");
  const braces = "{[\"ok 1 - \\\"}]::PASSED {\"Action\":\"pass\"\n# Subtest: \n    ".repeat(50_000);

  it.each(FRAMEWORKS)("%s: never throws on random bytes, brace soup or empty input", (framework) => {
    for (const input of [garbage, braces, "", "\n\n\n", "\uFFFD".repeat(10_000)]) {
      const run = parseTestLog(framework, input);
      expect(typeof run.ran).toBe("boolean");
      expect(Array.isArray(run.notes)).toBe(true);
    }
    expect(parseTestLog(framework, "").ran).toBe(false);
  });

  it("is deterministic", () => {
    for (const framework of FRAMEWORKS) {
      const a = parseTestLog(framework, garbage + fixture("pytest-rA-v.txt"));
      const b = parseTestLog(framework, garbage + fixture("pytest-rA-v.txt"));
      expect(Object.entries(a.statuses)).toEqual(Object.entries(b.statuses));
    }
  });

  it("never throws for an unknown framework name from config", () => {
    const run = parseTestLog("rspec" as Framework, "1 example, 0 failures");
    expect(run).toEqual({ statuses: {}, ran: false, notes: ['unknown test framework "rspec"'] });
  });

  const big = (line: string): string => line.repeat(Math.ceil(20_000_000 / line.length));
  const huge: [Framework, string][] = [
    ["pytest", big("tests/test_big.py::test_case[some long parameter id] PASSED                 [ 42%]\n")],
    ["unittest", big("test_view (app.tests.ViewTests.test_view) ... ok\nprinted output from the test\n")],
    ["jest", jestSuite(400, 250).log + " ".repeat(1_000_000)],
    ["mocha", mochaSuite(60_000).log],
    ["node-test", big("# Subtest: a\n    # Subtest: b\n    ok 1 - b\n      ---\n      duration_ms: 0.1\n      ...\nok 1 - a\n")],
    ["go-test", big('{"Action":"pass","Package":"example.com/m","Test":"TestX/sub","Elapsed":0}\n')],
  ];
  // How fast these parse is measured side by side in bench/test-log-parsing.ts (npm run bench:test-logs).
  it.each(huge)("%s: parses a 20 MB log", (framework, log) => {
    expect(log.length).toBeGreaterThan(19_000_000);
    expect(parseTestLog(framework, log).ran).toBe(true);
  });

  it.each(FRAMEWORKS)("%s: reads 20 MB of garbage without throwing", (framework) => {
    const run = parseTestLog(framework, big(garbage.slice(0, 100_000)));
    expect(Array.isArray(run.notes)).toBe(true);
  });
});

describe("uvu", () => {
  // Captured from uvu 0.5.6 (Node 20, colours on as uvu forces them) and the report our preload
  // (sandbox/test-logs/uvu-hook.ts) wrote in the same run.
  it("reads the failures and totals uvu prints, and claims no passes it does not name", () => {
    const run = parseTestLog("uvu", fixture("uvu.txt"));
    expect(run.statuses).toEqual({
      "tests/math.js > subtracts # weird \\ name": "FAILED",
      "tests/math.js > divide > by zero": "FAILED",
      "tests/sub/strings.mjs > spoof": "FAILED",
    });
    expect(run.summary).toEqual({ passed: 3, failed: 3, skipped: 1 });
    expect(run.ran).toBe(true);
  });

  it("reads uvu 0.3.3's output alike: failures named, the last totals kept, a test's printed totals no pass", () => {
    // Captured from uvu 0.3.3 with our preload; a test printed a file header, marks and totals.
    const run = parseTestLog("uvu", fixture("uvu-0.3.txt"));
    expect(run.statuses).toEqual({
      "tests/math.js > doubles wrongly": "FAILED",
      "tests/math.js > spoof": "FAILED",
      "tests/math.js > spoof run": "FAILED",
      "tests/math.js > divide > by zero": "FAILED",
    });
    expect(run.summary).toEqual({ passed: 3, failed: 4, skipped: 2 });
  });

  it("has no evidence in output that is not uvu's", () => {
    expect(parseTestLog("uvu", "npm ERR! missing script: test\n")).toMatchObject({ ran: false, statuses: {} });
  });
});
