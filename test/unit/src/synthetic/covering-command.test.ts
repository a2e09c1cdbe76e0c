// The command a candidate's fast check runs: its covering tests by node id where the coverage map is
// per test and the runner takes ids (nothing else of their files is collected or run), else their files.
import { describe, expect, it } from "vitest";
import type { CoverageMap } from "../../../../src/synthetic/coverage.js";
import { coveringTestsCommand } from "../../../../src/synthetic/synthesize.js";

const plan = {
  testCommand: (files: string[] | "all") => `run-files ${files === "all" ? "ALL" : files.join(" ")}`,
  selectTests: (ids: string[], command: string) => `run-ids(${command}) ${ids.join(" ")}`,
};
const perTest: CoverageMap = { tool: "coverage.py", granularity: "per-test", tests: ["tests/test_a.py::test_x", "tests/test_a.py::test_y[1-2]", "tests/test_b.py::T::test_z"], files: {} };
const perFile: CoverageMap = { tool: "v8", granularity: "per-file", tests: ["adds", "subtracts"], testFiles: ["test/a.test.js", "test/b.test.js"], files: {} };

describe("coveringTestsCommand", () => {
  it("runs exactly the covering tests by node id when the map is per test", () => {
    expect(coveringTestsCommand(plan, perTest, ["tests/test_a.py::test_y[1-2]", "tests/test_b.py::T::test_z"], "ALL")).toBe("run-ids(ALL) tests/test_a.py::test_y[1-2] tests/test_b.py::T::test_z");
  });
  it("runs their files where the runner takes no ids", () => {
    expect(coveringTestsCommand({ testCommand: plan.testCommand }, perTest, ["tests/test_b.py::T::test_z", "tests/test_a.py::test_x"], "ALL")).toBe("run-files tests/test_a.py tests/test_b.py");
  });
  it("runs their files when the map is per test file (V8)", () => {
    expect(coveringTestsCommand(plan, perFile, ["subtracts"], "ALL")).toBe("run-files test/b.test.js");
  });
  it("falls back to the files when the ids would make an overlong command line", () => {
    const many = Array.from({ length: 5000 }, (_, i) => `tests/test_a.py::test_case_number_${i}`);
    expect(coveringTestsCommand(plan, perTest, many, "ALL")).toBe("run-files tests/test_a.py");
  });
});
