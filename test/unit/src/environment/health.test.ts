import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { firstSuiteError, healthNote } from "../../../../src/environment/health.js";

// Real output: pytest 9 with a test module importing a package the image lacks, and node --test
// requiring a missing module.
const fixture = (f: string): string => readFileSync(new URL(`../../../fixtures/${f}`, import.meta.url), "utf8");

describe("firstSuiteError", () => {
  it("names the module and exception of a pytest collection error, and where", () => {
    expect(firstSuiteError(fixture("pytest-collection-error.log"))).toBe("ModuleNotFoundError: No module named 'hypothesis_missing_lego' (collecting tests/test_prop.py)");
  });
  it("finds node's missing module", () => {
    expect(firstSuiteError(fixture("node-test-missing-module.log"))).toBe("Error: Cannot find module 'left-pad-missing-lego'");
  });
  it("is null for a clean run", () => {
    expect(firstSuiteError("tests/test_a.py::test_x PASSED\n1 passed in 0.01s\n")).toBeNull();
  });
});

describe("healthNote", () => {
  it("quotes the first error the image's health check saw", () => {
    const note = healthNote({ ran: true, collected: 1, passed: 1, failed: 0, firstError: "ModuleNotFoundError: No module named 'hypothesis'", durationMs: 5 });
    expect(note).toMatch(/first error was: ModuleNotFoundError: No module named 'hypothesis'/);
    expect(healthNote({ ran: true, collected: 3, passed: 3, failed: 0, firstError: null, durationMs: 5 })).toBe("");
    expect(healthNote(null)).toBe("");
  });
});
