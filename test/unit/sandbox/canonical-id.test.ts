import { describe, expect, it } from "vitest";
import { canonicalRun, canonicalTestId } from "../../../sandbox/test-logs/canonical-id.js";
import { parseTestLog } from "../../../sandbox/test-logs/index.js";
import type { ParsedRun } from "../../../sandbox/test-logs/types.js";

const run = (statuses: ParsedRun["statuses"]): ParsedRun => ({ statuses, ran: true, notes: [] });

describe("one id per test", () => {
  it("folds vitest's `suite > name` into `file > suite > name`, keeping the worse status", () => {
    const r = canonicalRun(run({ "src/a.test.ts > math > adds": "PASSED", "math > adds": "FAILED", "src/a.test.ts > math > subtracts": "PASSED" }), "/repo");
    expect(r.statuses).toEqual({ "src/a.test.ts > math > adds": "FAILED", "src/a.test.ts > math > subtracts": "PASSED" });
    expect(r.notes).toEqual(["1 test ids listed both with and without their file were merged"]);
  });

  it("leaves a file-less id alone when two files hold a test of that name", () => {
    const statuses = { "a.test.ts > s > t": "PASSED", "b.test.ts > s > t": "PASSED", "s > t": "PASSED" } as const;
    expect(Object.keys(canonicalRun(run({ ...statuses }), "/repo").statuses).sort()).toEqual(["a.test.ts > s > t", "b.test.ts > s > t", "s > t"]);
  });

  it("is the same across runs and machines: no absolute paths, durations or memory addresses", () => {
    expect(canonicalTestId("/repo/src/a.test.ts > suite > works (12 ms)", "/repo")).toBe("src/a.test.ts > suite > works");
    expect(canonicalTestId("file:///work/x/src/a.test.ts > works [3.1s]", "/work/x")).toBe("src/a.test.ts > works");
    expect(canonicalTestId("tests/test_a.py::test_obj[<Obj at 0x7f3a9c2b1d60>]", "/repo")).toBe(canonicalTestId("tests/test_a.py::test_obj[<Obj at 0x7fe01234abcd>]", "/repo"));
    expect(canonicalTestId("\x1b[32mtests/test_a.py::test_x\x1b[0m", "/repo")).toBe("tests/test_a.py::test_x");
  });

  it("writes a NUL as \\u0000, which the database can store, the same on every run", () => {
    const id = "src/a.spec.ts > path > should throw for invalid path: /foo\u0000";
    expect(canonicalTestId(id, "/repo")).toBe("src/a.spec.ts > path > should throw for invalid path: /foo\\u0000");
    expect(canonicalRun(run({ [id]: "PASSED" }), "/repo").statuses).toEqual({ "src/a.spec.ts > path > should throw for invalid path: /foo\\u0000": "PASSED" });
  });

  it("drops ids that are not UTF-8, with a note", () => {
    expect(canonicalTestId("tests/test_a.py::test_\uFFFD", "/repo")).toBeNull();
    expect(canonicalTestId("tests/test_a.py::test_\uD800x", "/repo")).toBeNull();
    expect(canonicalTestId("tests/test_a.py::test_\u{1F600}", "/repo")).toBe("tests/test_a.py::test_\u{1F600}");
    const r = parseTestLog("pytest", Buffer.concat([Buffer.from("PASSED tests/test_a.py::test_"), Buffer.from([0xff, 0xfe]), Buffer.from("\nPASSED tests/test_a.py::test_b\n== 2 passed in 0.01s ==\n")]).toString("utf8"));
    expect(r.statuses).toEqual({ "tests/test_a.py::test_b": "PASSED" });
    expect(r.notes.join("; ")).toMatch(/1 test ids with bytes that are not UTF-8/);
  });

  it("gives the same ids for the same vitest report run twice with different timings", () => {
    const report = (ms: number) => JSON.stringify({ numTotalTests: 1, numPassedTests: 1, numFailedTests: 0, testResults: [{ name: "/repo/src/a.test.ts", status: "passed", assertionResults: [{ ancestorTitles: ["math"], title: "adds", status: "passed", duration: ms }] }] });
    expect(parseTestLog("vitest", report(3)).statuses).toEqual(parseTestLog("vitest", report(97)).statuses);
  });
});
