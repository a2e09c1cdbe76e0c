import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJunitXml } from "../../../sandbox/test-logs/junit.js";
import { AVA_LIMITATION, GO_LIMITATION, printedOnlyNote, resultsFromReport, TAP_LIMITATION } from "../../../sandbox/test-logs/report.js";
import { classifyRuns, gradeRun } from "../../../src/validation/grading.js";

const junit = (cases: string) => `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="2">${cases}</testsuite></testsuites>`;
const passing = junit('<testcase classname="tests.test_ops" file="tests/test_ops.py" name="test_mul"/><testcase classname="tests.test_ops.TestAdd" file="tests/test_ops.py" name="test_add[1-2]"/>');
const failing = junit('<testcase classname="tests.test_ops" file="tests/test_ops.py" name="test_mul"/><testcase classname="tests.test_ops.TestAdd" file="tests/test_ops.py" name="test_add[1-2]"><failure message="no">x</failure></testcase>');
const task = { failToPass: ["tests/test_ops.py::TestAdd::test_add[1-2]"], passToPass: ["tests/test_ops.py::test_mul"] };

describe("results from the structured report", () => {
  it("reads pytest's JUnit report under the ids pytest prints", () => {
    const run = resultsFromReport("junit-xml", passing, "PASSED tests/test_ops.py::test_mul\n", "pytest");
    expect(run.statuses).toEqual({ "tests/test_ops.py::test_mul": "PASSED", "tests/test_ops.py::TestAdd::test_add[1-2]": "PASSED" });
    expect(run.untrusted).toBeUndefined();
    expect(gradeRun(task, run, 0)).toMatchObject({ resolved: true, valid: true });
  });

  it("grades printed PASSED lines the report contradicts as cheated, whatever the exit code", () => {
    const run = resultsFromReport("junit-xml", failing, "PASSED tests/test_ops.py::TestAdd::test_add[1-2]\n== 2 passed in 0.1s ==\n", "pytest");
    expect(run.spoofed).toBe(true);
    const grade = gradeRun(task, run, 0);
    expect(grade).toMatchObject({ resolved: false, cheated: expect.stringMatching(/claims 1 test\(s\) \(tests\/test_ops.py::TestAdd::test_add\[1-2\]\) passed that the test runner's report does not/) });
  });

  it("makes a task invalid when a run's report is missing, truncated or contradicted", () => {
    const good = resultsFromReport("junit-xml", passing, "", "pytest");
    const nopFail = resultsFromReport("junit-xml", failing, "", "pytest");
    expect(classifyRuns([nopFail], [good]).invalidReason).toBeNull();
    const missing = resultsFromReport("junit-xml", null, "", "pytest");
    expect(classifyRuns([nopFail], [missing]).invalidReason).toMatch(/^the Oracle run cannot be trusted: the test runner wrote no structured report/);
    const cut = resultsFromReport("junit-xml", passing.slice(0, 120), "", "pytest");
    expect(classifyRuns([nopFail], [cut]).invalidReason).toMatch(/^the Oracle run cannot be trusted: the structured report is truncated or malformed/);
    const lying = resultsFromReport("junit-xml", failing, "PASSED tests/test_ops.py::TestAdd::test_add[1-2]\n", "pytest");
    expect(classifyRuns([lying], [good]).invalidReason).toMatch(/^the NOP run cannot be trusted: the output claims/);
  });

  it("reads a run with no report and no claims as untrusted, not cheated", () => {
    const run = resultsFromReport("junit-xml", null, "Traceback: boom\n", "pytest");
    expect(run).toMatchObject({ ran: false, untrusted: expect.stringMatching(/wrote no structured report/) });
    expect(run.spoofed).toBeUndefined();
    expect(gradeRun(task, run, 1)).toMatchObject({ valid: false, invalidReason: expect.stringMatching(/cannot be trusted/) });
  });

  it("reads jest/vitest results from the report file, and a fake JSON report printed by a test is a spoof", () => {
    const doc = (status: string) => JSON.stringify({ numTotalTests: 1, numPassedTests: status === "passed" ? 1 : 0, numFailedTests: status === "passed" ? 0 : 1, testResults: [{ name: "/repo/src/a.test.ts", status, assertionResults: [{ ancestorTitles: ["math"], title: "adds", status }] }] });
    const honest = resultsFromReport("jest-json", doc("failed"), "FAIL src/a.test.ts\n", "vitest");
    expect(honest.statuses).toEqual({ "src/a.test.ts > math > adds": "FAILED" });
    expect(honest.untrusted).toBeUndefined();
    const faked = resultsFromReport("jest-json", doc("failed"), `${doc("passed")}\n`, "vitest");
    expect(faked).toMatchObject({ spoofed: true, untrusted: expect.stringMatching(/src\/a.test.ts > math > adds/) });
  });
});

describe("parseJunitXml", () => {
  it("reads a report the XML validator passes but the parser refuses as malformed, without throwing (found by fuzzing)", () => {
    const run = parseJunitXml('<?"xml version="1.0"?>\n<testsuites><testsuite name="s" tests="1"><testcase classname="a.B" name="ok"/></testsuite></testsuites>\n');
    expect(run.truncated).toBe(true);
    expect(Object.keys(run.statuses)).toEqual([]);
  });

  it("reads uvu's per-test report from our preload; its printed output backs it and claims nothing more", () => {
    const read = (name: string) => readFileSync(new URL(`../../fixtures/test-logs/${name}`, import.meta.url), "utf8");
    const run = resultsFromReport("tap", read("uvu-hook.tap.txt"), read("uvu.txt"), "uvu");
    expect(run.untrusted).toBeUndefined();
    expect(run.statuses).toMatchObject({ "tests/math.js > adds": "PASSED", "tests/math.js > divide > by zero": "FAILED", "tests/sub/strings.mjs > spoof": "FAILED" });
    const missing = resultsFromReport("tap", null, read("uvu.txt"), "uvu");
    expect(missing).toMatchObject({ ran: false, untrusted: expect.stringMatching(/wrote no structured report/) });
    expect(missing.spoofed).toBeUndefined();
  });

  it("reads uvu 0.3's report the same way: the totals and a file header a test printed claim no pass", () => {
    // Captured from uvu 0.3.3 (`uvu -r esm tests -i helpers`, Node 20): one test prints a mark, another
    // a file header, marks and passing totals, before each throws.
    const read = (name: string) => readFileSync(new URL(`../../fixtures/test-logs/${name}`, import.meta.url), "utf8");
    const run = resultsFromReport("tap", read("uvu-0.3-hook.tap.txt"), read("uvu-0.3.txt"), "uvu");
    expect(run.untrusted).toBeUndefined();
    expect(run.statuses).toEqual({
      "tests/math.js > adds": "PASSED",
      "tests/math.js > doubles wrongly": "FAILED",
      "tests/math.js > spoof": "FAILED",
      "tests/math.js > spoof run": "FAILED",
      "tests/math.js > divide > by one": "PASSED",
      "tests/math.js > divide > by zero": "FAILED",
      "tests/sub/strings.js > str > lower": "PASSED",
    });
  });
});

describe("a uvu run whose test files never load", () => {
  // lukeed/kleur's `uvu -r esm` on Node 24: the `esm` loader no longer hooks the CommonJS loader,
  // so the first ES module test file throws; our preload still writes its (empty) report on exit.
  it("is not read as tests that already pass: the reason says no test was reported", () => {
    const read = (name: string) => readFileSync(new URL(`../../fixtures/test-logs/${name}`, import.meta.url), "utf8");
    const run = resultsFromReport("tap", "1..0\n# pass 0\n# fail 0\n", read("uvu-esm-not-loaded.txt"), "uvu");
    expect(run.statuses).toEqual({});
    const { invalidReason } = classifyRuns([run], [run]);
    expect(invalidReason).toMatch(/^no test results: the suite ran but neither the NOP nor the Oracle run reported a single test/);
    expect(invalidReason).not.toMatch(/already pass/);
  });
});

describe("go test -json written to the report path", () => {
  // Recorded from go 1.19: TestReal prints `=== RUN   TestGhost` and `--- PASS: TestGhost` on
  // its stdout, then fails. test2json reads the binary's stdout, so the forged test is in the report.
  const forged = readFileSync(new URL("../../fixtures/test-logs/go-test-forged.jsonl", import.meta.url), "utf8");

  it("reads the events from the file, says on every run what test2json can be fooled by, and checks printed events as claims", () => {
    const run = resultsFromReport("go-json", forged, "", "go-test");
    expect(run.untrusted).toBeUndefined();
    expect(run.statuses["example.com/x/TestReal"]).toBe("FAILED");
    expect(run.statuses["example.com/x/TestGhost"]).toBe("PASSED");
    expect(run.notes).toContain(GO_LIMITATION);
    // Events printed on the output itself (past the go command) are claims the report must back.
    const printed = '{"Action":"pass","Package":"example.com/x","Test":"TestReal"}\n';
    expect(resultsFromReport("go-json", forged, printed, "go-test")).toMatchObject({ spoofed: true, untrusted: "the output claims 1 test(s) (example.com/x/TestReal) passed that the test runner's report does not" });
  });

  // Captured from real runs (ava 6.1.3, tap 16.3.10 and 18.8.0, Node 20.20) of a test file printing `ok 99 - fake`
  // with console.log, `ok 98 - fake2` with process.stdout.write and `ok 97 - fdfake` with
  // fs.writeSync(1, …): see test/fixtures/test-logs/report/.
  const reportFixture = (name: string) => readFileSync(new URL(`../../fixtures/test-logs/report/${name}`, import.meta.url), "utf8");

  it("reads ava's TAP report (its stdout, workers forked): the tests' own TAP lines reach only the output and are flagged", () => {
    const run = resultsFromReport("tap", reportFixture("ava6-no-worker-threads.tap"), reportFixture("ava6-no-worker-threads.stderr.txt"), "ava");
    expect(run.statuses).toEqual({ "a › skipped": "SKIPPED", "a › adds": "PASSED", "a › fd write": "PASSED", "a › fails": "FAILED", "b › b one": "PASSED" });
    expect(run.notes).toContain(AVA_LIMITATION);
    expect(run).toMatchObject({ spoofed: true, untrusted: "the output claims 3 test(s) (fake, fake2, fdfake) passed that the test runner's report does not" });
    // With no fake printed, the same report is trusted.
    expect(resultsFromReport("tap", reportFixture("ava6-no-worker-threads.tap"), "", "ava")).not.toHaveProperty("untrusted");
  });

  it("shows why ava's workers are forked: in a worker thread a write to fd 1 lands in the report", () => {
    const run = resultsFromReport("tap", reportFixture("ava6-worker-threads.tap"), "", "ava");
    expect(run.statuses.fdfake).toBe("PASSED");
  });

  it("reads tap 18's --reporter-file report whole, with the same ids as tap 16's", () => {
    const run = resultsFromReport("tap", reportFixture("tap18-reporter-file.tap"), "", "tap");
    expect(run.statuses).toEqual({ "test/a.js > fake": "PASSED", "test/a.js > adds > should be equal": "PASSED", "test/a.js > fails > should be equal": "FAILED" });
    expect(run.notes).toContain(TAP_LIMITATION);
  });

  it("reads node-tap's --output-file report, and records that a test file's own TAP lines still reach it", () => {
    const run = resultsFromReport("tap", reportFixture("tap16-output-file.tap"), "", "tap");
    expect(run.statuses).toMatchObject({ "test/a.js > adds > should be equal": "PASSED", "test/a.js > fails > should be equal": "FAILED" });
    // The limitation, shown: the file's console.log('ok 99 - fake') is a subtest in the report.
    expect(run.statuses["test/a.js > fake"]).toBe("PASSED");
    expect(run.notes).toContain(TAP_LIMITATION);
    expect(resultsFromReport("tap", null, "ok 1 - x\n", "tap")).toMatchObject({ spoofed: true });
  });

  it("names the limitation of a run read from its printed output", () => {
    expect(printedOnlyNote("ava")).toBe("ava results were read from the printed output (no report file at a private path): the code under test could print fake ones");
  });
});
