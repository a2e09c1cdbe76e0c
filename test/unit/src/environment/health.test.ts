import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { checkEnvironmentHealth, firstSuiteError, healthNote } from "../../../../src/environment/health.js";
import type { EnvironmentPlan } from "../../../../src/environment/types.js";
import { LOG_TAIL_BYTES, type ValidationOptions } from "../../../../src/validation/validate.js";

// The sandbox run is replaced: it hands its whole output to onRunOutput, and its evidence keeps
// only the tail, as runTestState does.
const run = vi.hoisted(() => ({ output: "" }));
vi.mock("../../../../src/validation/validate.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../../src/validation/validate.js")>();
  return {
    ...real,
    runTestState: async (opts: ValidationOptions) => {
      opts.onRunOutput?.(run.output, "baseline", 1);
      return {
        runs: [{ statuses: { "tests/test_ok.py::test_0": "PASSED" }, ran: true, notes: [] }],
        evidence: [{ state: "baseline", repeat: 1, exitCode: 1, timedOut: false, durationMs: 1, tests: 1, ran: true, notes: [], container: "c", logTail: run.output.slice(-real.LOG_TAIL_BYTES) }],
        prepareMs: 0,
      };
    },
  };
});

/** pytest's real collection error, then many lines of results: the error is far before the last 8 KB. */
function longLog(): string {
  const results = Array.from({ length: 6000 }, (_, i) => `tests/test_ok.py::test_${i} PASSED${" ".repeat(20)}[ ${Math.floor(i / 60)}%]`).join("\n");
  return `${fixture("pytest-collection-error.log")}\n${results}\nFAILED tests/test_late.py::test_x - AttributeError: late\nE   AttributeError: module 'x' has no attribute 'late'\n`;
}

// Real output: pytest 9 with a test module importing a package the image lacks, and node --test
// requiring a missing module.
const fixture = (f: string): string => readFileSync(new URL(`../../../fixtures/${f}`, import.meta.url), "utf8");

describe("firstSuiteError", () => {
  it("names the module and exception of a pytest collection error, and where", () => {
    expect(firstSuiteError(fixture("pytest-collection-error.log"))).toBe("ModuleNotFoundError: No module named 'hypothesis_missing_lego' (collecting tests/test_prop.py)");
  });
  it("finds the module behind mocha's coloured \"✖ ERROR:\" when a --require fails (captured from mocha 10.8.2)", () => {
    expect(firstSuiteError(fixture("mocha-require-missing-module.log"))).toBe("Error: Cannot find module 'chai-missing-lego'");
  });
  it("finds node's missing module", () => {
    expect(firstSuiteError(fixture("node-test-missing-module.log"))).toBe("Error: Cannot find module 'left-pad-missing-lego'");
  });
  it("finds the first error anywhere in a long log, not the last one", () => {
    const log = longLog();
    expect(log.length).toBeGreaterThan(200_000);
    expect(firstSuiteError(log.slice(-LOG_TAIL_BYTES))).toBe("AttributeError: module 'x' has no attribute 'late'");
    expect(firstSuiteError(log)).toBe("ModuleNotFoundError: No module named 'hypothesis_missing_lego' (collecting tests/test_prop.py)");
    // The earliest line any pattern matches, whichever pattern it is.
    expect(firstSuiteError(`ImportError: cannot import name 'x' from 'y'\n${"ok\n".repeat(50_000)}E   AttributeError: late\n`)).toBe("ImportError: cannot import name 'x' from 'y'");
  });
  it("reads pytest's coloured output (python-humanize/humanize run from source without its generated version file)", () => {
    const log = fixture("test-logs/pytest-collection-error-colour.txt");
    expect(log).toContain("\x1b[31mE   ModuleNotFoundError");
    expect(firstSuiteError(log)).toBe("ModuleNotFoundError: No module named 'humanize._version' (collecting tests/test_filesize.py)");
  });
  it("is null for a clean run", () => {
    expect(firstSuiteError("tests/test_a.py::test_x PASSED\n1 passed in 0.01s\n")).toBeNull();
  });
});

describe("checkEnvironmentHealth", () => {
  it("reads the run's whole output, not the evidence's last 8 KB", async () => {
    run.output = longLog();
    const plan = { testCommand: () => "pytest", framework: "pytest", env: {} } as unknown as EnvironmentPlan;
    const health = await checkEnvironmentHealth({ docker: {} as never, image: "img", plan, repoDir: "/r", repoHead: "abc", timeoutMs: 1000 });
    expect(health).toMatchObject({ ran: true, collected: 1, passed: 1, firstError: "ModuleNotFoundError: No module named 'hypothesis_missing_lego' (collecting tests/test_prop.py)" });
  });
});

describe("healthNote", () => {
  it("quotes the first error the image's health check saw", () => {
    const note = healthNote({ ran: true, collected: 1, passed: 1, failed: 0, firstError: "ModuleNotFoundError: No module named 'hypothesis'", durationMs: 5 });
    expect(note).toMatch(/first error was: ModuleNotFoundError: No module named 'hypothesis'/);
    expect(note).toMatch(/; the environment lacks what the tests import: set sandbox\.install in \.github\/lego\.yml/);
    expect(healthNote({ ran: false, collected: 0, passed: 0, failed: 0, firstError: null, durationMs: 5 })).toMatch(/did not run either; set sandbox\.testCmd in \.github\/lego\.yml/);
    expect(healthNote({ ran: true, collected: 3, passed: 3, failed: 0, firstError: null, durationMs: 5 })).toBe("");
    expect(healthNote(null)).toBe("");
  });
});
