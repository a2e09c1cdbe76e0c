// The checks a fix candidate passes before ranking, with the sandbox runs replaced by canned
// parsed runs: a candidate that makes tests disappear from collection is cheating, as in
// grading (collectionShrank), even when every test that passed before still passes; one whose
// output claims results its report does not hold is cheating; the baseline keeps what it collected.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ParsedRun } from "../../../../sandbox/test-logs/index.js";

const runs: ParsedRun[] = [];
vi.mock("../../../../src/validation/validate.js", () => ({
  runTestState: vi.fn(async () => ({ runs: [runs.shift()], evidence: [], prepareMs: 0 })),
  patchCausedTimeout: vi.fn(async () => null),
}));

const { baselineTests, checkCandidate } = await import("../../../../src/fix/checks.js");

const plan = { testCommand: () => "run-tests" } as never;
const opts = { docker: {} as never, image: "img", plan, repoDir: "/r", repoHead: "abc", timeoutMs: 1000 };
const PATCH = "diff --git a/calc/ops.py b/calc/ops.py\n--- a/calc/ops.py\n+++ b/calc/ops.py\n@@ -1 +1 @@\n-a\n+b\n";

function run(statuses: Record<string, ParsedRun["statuses"][string]>, extra: Partial<ParsedRun> = {}): ParsedRun {
  return { statuses: Object.assign(Object.create(null), statuses), ran: true, notes: [], ...extra };
}

beforeEach(() => {
  runs.length = 0;
});

describe("fix-candidate checks", () => {
  it("keeps every test the base collected, and none when the base run cannot say", async () => {
    runs.push(run({ "t.a": "PASSED", "t.b": "FAILED", "t.c": "SKIPPED" }));
    expect(await baselineTests(opts)).toEqual({ command: "run-tests", passed: ["t.a"], ran: true, collected: ["t.a", "t.b", "t.c"] });
    runs.push(run({ "t.a": "PASSED" }, { truncated: true }));
    expect((await baselineTests(opts)).collected).toBeUndefined();
    runs.push(run({ "t.a": "PASSED" }, { untrusted: "no report" }));
    expect((await baselineTests(opts)).collected).toBeUndefined();
  });

  it("rejects a candidate that collects fewer tests than the base, though nothing that passed breaks", async () => {
    const baseline = { command: "run-tests", passed: ["t.a"], ran: true, collected: ["t.a", "t.b", "t.c"] };
    runs.push(run({ "t.a": "PASSED", "t.c": "SKIPPED" }));
    const check = await checkCandidate(opts, PATCH, baseline);
    expect(check.breaks).toEqual([]);
    expect(check.editsTests).toBe(true);
    expect(check.cheatReason).toBe("the patch makes tests disappear from collection: collected 3 tests without the patch, 2 with it (missing: t.b)");
  });

  it("accepts the same or more tests, and skips the count for a baseline recorded without it", async () => {
    const baseline = { command: "run-tests", passed: ["t.a"], ran: true, collected: ["t.a", "t.b"] };
    runs.push(run({ "t.a": "PASSED", "t.b": "PASSED", "t.new": "PASSED" }));
    expect(await checkCandidate(opts, PATCH, baseline)).toMatchObject({ editsTests: false, breaks: [], passed: ["t.a", "t.b", "t.new"] });
    runs.push(run({ "t.a": "PASSED" }));
    expect(await checkCandidate(opts, PATCH, { command: "run-tests", passed: ["t.a"], ran: true })).toMatchObject({ editsTests: false, breaks: [] });
  });

  it("rejects a candidate whose output claims passes its report does not hold", async () => {
    runs.push(run({}, { ran: false, spoofed: true, untrusted: "the output claims 1 test(s) (t.a) passed, but the test runner wrote no report" }));
    const check = await checkCandidate(opts, PATCH, { command: "run-tests", passed: ["t.a"], ran: true, collected: ["t.a"] });
    expect(check).toMatchObject({ editsTests: true, cheatReason: "the output claims 1 test(s) (t.a) passed, but the test runner wrote no report" });
  });
});
