// Our unittest runner, run for real by Debian's python3 on a small project (passes, failures,
// errors, skips, expected failures, an unexpected success, subtests, a docstring, a setUpClass
// error, a module that does not import, a test printing fake `... ok` lines): its report names
// every test under exactly the ids the old stdout parser gives for `python -m unittest -v`
// (so stored tasks keep their ids), the printed fake is caught as a claim, the report path is
// not in the tests' environment, and LEGO_UNITTEST_ONLY runs only the chosen ids.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTestLog } from "../../../sandbox/test-logs/index.js";
import { REPORT_PLACEHOLDER, resultsFromReport } from "../../../sandbox/test-logs/report.js";
import { parseUnittestReport } from "../../../sandbox/test-logs/unittest-report.js";
import { UNITTEST_RUNNER_PATH, UNITTEST_RUNNER_SOURCE, unittestRunnerCommand, unittestSelectCommand } from "../../../sandbox/test-logs/unittest-runner.js";

const PYTHON_DIR = "/usr/bin";

const FILES: Record<string, string> = {
  "tests/__init__.py": "",
  "tests/test_calc.py": `import os
import unittest


class Calc(unittest.TestCase):
    def test_add(self):
        self.assertEqual(1 + 1, 2)

    def test_fails(self):
        self.assertEqual(1 + 1, 3)

    def test_errors(self):
        raise RuntimeError("boom")

    @unittest.skip("not today")
    def test_skipped(self):
        pass

    @unittest.expectedFailure
    def test_xfail(self):
        self.assertEqual(1, 2)

    @unittest.expectedFailure
    def test_xpass(self):
        pass

    def test_documented(self):
        """Adds with a docstring."""
        self.assertTrue(True)

    def test_subtests(self):
        for i in range(3):
            with self.subTest(i=i):
                self.assertLess(i, 2)

    def test_env(self):
        self.assertNotIn("LEGO_UNITTEST_REPORT", os.environ)
        self.assertNotIn("LEGO_UNITTEST_ONLY", os.environ)

    def test_spoof(self):
        import sys
        sys.stderr.write("\\ntest_ghost (tests.test_calc.Calc.test_ghost) ... ok\\n")
        sys.stderr.flush()
        raise RuntimeError("really failed")


class BrokenSetup(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise RuntimeError("no fixture")

    def test_never(self):
        pass
`,
  "tests/test_broken.py": "import not_a_module_anywhere\n",
};

let dir = "";

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "lego-unittest-runner-"));
  for (const [name, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (dir) rmSync(`${dir}-runner.py`, { force: true });
});

function run(command: string): { report: string | null; output: string; code: number | null } {
  const report = path.join(dir, `report-${Math.random().toString(36).slice(2)}`);
  // The runner goes to this test's own directory rather than the sandbox's /tmp path.
  const local = command.split(REPORT_PLACEHOLDER).join(report).split(UNITTEST_RUNNER_PATH).join(path.join(dir, "..", `${path.basename(dir)}-runner.py`));
  const r = spawnSync("bash", ["-c", `${local} 2>&1`], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: `${PYTHON_DIR}:/bin`, PYTHONDONTWRITEBYTECODE: "1", LANG: "C.UTF-8" },
  });
  let text: string | null = null;
  try {
    text = readFileSync(report, "utf8");
  } catch {
    text = null;
  }
  return { report: text, output: r.stdout, code: r.status };
}

const EXPECTED = {
  "tests.test_calc.Calc.test_add": "PASSED",
  "tests.test_calc.Calc.test_fails": "FAILED",
  "tests.test_calc.Calc.test_errors": "ERROR",
  "tests.test_calc.Calc.test_skipped": "SKIPPED",
  "tests.test_calc.Calc.test_xfail": "XFAIL",
  "tests.test_calc.Calc.test_xpass": "FAILED",
  "tests.test_calc.Calc.test_documented": "PASSED",
  "tests.test_calc.Calc.test_subtests": "FAILED",
  "tests.test_calc.Calc.test_env": "PASSED",
  "tests.test_calc.Calc.test_spoof": "ERROR",
  "tests.test_calc.BrokenSetup.setUpClass": "ERROR",
  "unittest.loader._FailedTest.tests.test_broken": "ERROR",
};

describe("unittest through our runner", () => {
  const discover = unittestRunnerCommand([], ["discover", "-v", "-s", "tests", "-t", "."]);

  it("reports every test under the ids `python -m unittest -v` output is parsed to, with its exit status", () => {
    const plain = spawnSync("bash", ["-c", "python3 -m unittest discover -v -s tests -t . 2>&1"], { cwd: dir, encoding: "utf8", env: { PATH: `${PYTHON_DIR}:/bin`, PYTHONDONTWRITEBYTECODE: "1" } });
    const fromStdout = parseTestLog("unittest", plain.stdout).statuses;
    const { report, output, code } = run(discover);
    expect(code).toBe(plain.status);
    expect(code).toBe(1);
    expect(report).not.toBeNull();
    const parsed = parseUnittestReport(report as string);
    expect(parsed.truncated).toBeUndefined();
    expect(parsed.statuses).toEqual(EXPECTED);
    // The ids are today's ids: the stdout parser reads the same ones, besides the spoofed line's
    // claim and the module that does not import, which the old parser could not name at all.
    const { "unittest.loader._FailedTest.tests.test_broken": _, ...named } = EXPECTED;
    expect({ ...fromStdout, "tests.test_calc.Calc.test_ghost": undefined }).toEqual({ ...named, "tests.test_calc.Calc.test_ghost": undefined });
    expect(fromStdout["tests.test_calc.Calc.test_ghost"]).toBe("PASSED");
    expect(output).toMatch(/^Ran 11 tests in /m);
  });

  it("takes the printed fake `... ok` for a claim the report does not back", () => {
    const { report, output } = run(discover);
    const result = resultsFromReport("unittest-json", report, output, "unittest", dir);
    expect(result.spoofed).toBe(true);
    expect(result.untrusted).toBe("the output claims 1 test(s) (tests.test_calc.Calc.test_ghost) passed that the test runner's report does not");
  });

  it("runs only the chosen ids (a class fixture's id selects its class) under the same ids", () => {
    const only = unittestSelectCommand(["tests.test_calc.Calc.test_add", "tests.test_calc.Calc.test_subtests", "tests.test_calc.BrokenSetup.setUpClass", "unittest.loader._FailedTest.tests.test_broken"], discover);
    const { report, output } = run(only);
    expect(parseUnittestReport(report as string).statuses).toEqual({
      "tests.test_calc.Calc.test_add": "PASSED",
      "tests.test_calc.Calc.test_subtests": "FAILED",
      "tests.test_calc.BrokenSetup.setUpClass": "ERROR",
      "unittest.loader._FailedTest.tests.test_broken": "ERROR",
    });
    // setUpClass failed, so its class ran no test.
    expect(output).toMatch(/^Ran 3 tests in /m);
  });

  it("writes no report when a test ends the process early, so printed claims are all there is", () => {
    writeFileSync(path.join(dir, "tests/test_exit.py"), "import os, sys, unittest\n\nclass Exit(unittest.TestCase):\n    def test_exit(self):\n        sys.stderr.write('\\ntest_add (tests.test_calc.Calc.test_add) ... ok\\n')\n        sys.stderr.flush()\n        os._exit(0)\n");
    try {
      const { report, output, code } = run(unittestRunnerCommand([], ["-v", "tests.test_exit"]));
      expect(code).toBe(0);
      expect(report).toBeNull();
      const result = resultsFromReport("unittest-json", report, output, "unittest", dir);
      expect(result).toMatchObject({ spoofed: true, ran: false });
      expect(result.untrusted).toMatch(/^the output claims 1 test\(s\) \(tests\.test_calc\.Calc\.test_add\) passed, but the test runner wrote no report/);
    } finally {
      rmSync(path.join(dir, "tests/test_exit.py"));
    }
  });

  it("is written where the command says", () => {
    expect(discover.startsWith("printf '%s' ")).toBe(true);
    expect(discover).toContain(`> ${UNITTEST_RUNNER_PATH} && LEGO_UNITTEST_REPORT=${REPORT_PLACEHOLDER} python3 ${UNITTEST_RUNNER_PATH} discover`);
    const write = discover.slice(0, discover.indexOf(" &&")).split(UNITTEST_RUNNER_PATH).join(path.join(dir, "written.py"));
    execFileSync("bash", ["-c", write]);
    expect(readFileSync(path.join(dir, "written.py"), "utf8")).toBe(UNITTEST_RUNNER_SOURCE);
  });
});

describe("the runner's report", () => {
  it("reads a complete report, and marks a cut, extended or miscounted one truncated with the reason", () => {
    const good = '{"id": "a.B.test_x", "status": "PASSED"}\n{"id": "a.B.test_y", "status": "FAILED"}\n{"end": true, "tests": 2, "testsRun": 2}\n';
    expect(parseUnittestReport(good)).toMatchObject({ ran: true, statuses: { "a.B.test_x": "PASSED", "a.B.test_y": "FAILED" }, summary: { passed: 1, failed: 1, skipped: 0 } });
    expect(parseUnittestReport(good).truncated).toBeUndefined();
    expect(parseUnittestReport('{"end": true, "tests": 0, "testsRun": 0}\n')).toMatchObject({ ran: true, statuses: {} });
    const cases: [string, string][] = [
      [good.split("\n").slice(0, 2).join("\n"), "the unittest report has no end line (cut)"],
      [`${good}{"id": "a.B.test_z", "status": "PASSED"}\n`, "line 4 of the unittest report comes after its end line"],
      [good.replace('"tests": 2', '"tests": 3'), "the unittest report's end line counts 3 tests, its lines 2"],
      ['{"id": "a.B.test_x", "status": "GREAT"}\n', "line 1 of the unittest report is not a test result"],
      ['{"id": "a.B.te', "line 1 of the unittest report is not JSON"],
      ["", "the unittest report has no end line (cut)"],
    ];
    for (const [text, note] of cases) {
      const parsed = parseUnittestReport(text);
      expect(parsed.truncated).toBe(true);
      expect(parsed.notes).toContain(note);
      expect(resultsFromReport("unittest-json", text, "", "unittest").untrusted).toMatch(/^the structured report is truncated or malformed/);
    }
  });

  it("drops an id that is not UTF-8 with a note", () => {
    const text = '{"id": "a.B.test_\\udcff", "status": "PASSED"}\n{"id": "a.B.test_y", "status": "PASSED"}\n{"end": true, "tests": 2, "testsRun": 2}\n';
    const result = resultsFromReport("unittest-json", text, "", "unittest");
    expect(result.statuses).toEqual({ "a.B.test_y": "PASSED" });
    expect(result.notes.join("\n")).toMatch(/1 test ids with bytes that are not UTF-8/);
  });
});
