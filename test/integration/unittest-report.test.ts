// A plain unittest project (tox.ini runs `python -m unittest discover`) validated in the real
// Docker engine through our runner (sandbox/test-logs/unittest-runner.ts): FAIL_TO_PASS and
// PASS_TO_PASS come from its per-test report at the run's nonce path under the ids
// `python -m unittest -v` names; a repeat runs only the differing tests plus the sample, by id;
// a patch that prints `... ok` lines and exits 0 is graded cheated; a patch that hides a test from
// the loader (no test file touched) is cheated in grading and in the fix-candidate checks.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDocker } from "../../sandbox/docker.js";
import { prepareRepoAtBase } from "../../sandbox/git-history.js";
import { ensureEnvironment } from "../../src/environment/ensure.js";
import { baselineTests, checkCandidate } from "../../src/fix/checks.js";
import { evaluatePatch } from "../../src/validation/evaluate.js";
import { REPEAT_SAMPLE } from "../../src/validation/repeats.js";
import { validateTask, type ValidationOptions } from "../../src/validation/validate.js";
import { type Files, repoWithFix } from "../support/fixture-repos.js";
import { openValidationBench, type ValidationBench } from "../support/validation-bench.js";

const OPS = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n\n\ndef sub(a, b):\n    return a - b\n";
const FIXED = OPS.replace("return a - b\n\n\ndef mul", "return a + b\n\n\ndef mul");
// Forty generated tests besides the named ones, so a repeat of the differing test plus the sample is visibly smaller than the suite.
const TESTS = (withAdd: boolean) => `import unittest

from calc.ops import ${withAdd ? "add, " : ""}mul, sub


class Ops(unittest.TestCase):
    def test_mul(self):
        self.assertEqual(mul(2, 3), 6)

    def test_sub(self):
        self.assertEqual(sub(5, 3), 2)
${withAdd ? "\n    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n" : ""}

class Many(unittest.TestCase):
    pass


for _i in range(40):
    setattr(Many, f"test_{_i:02d}", lambda self, i=_i: self.assertEqual(mul(i, 1), i))
`;

const project: Files = {
  "tox.ini": "[testenv]\ncommands = python -m unittest discover -s tests\n",
  "calc/__init__.py": "",
  "calc/ops.py": OPS,
  "tests/__init__.py": "",
  "tests/test_ops.py": TESTS(false),
};
const fix: Files = { "calc/ops.py": FIXED, "tests/test_ops.py": TESTS(true) };

// Writes fake results straight to the run's real output pipes and exits 0 before unittest
// can report anything.
const SPOOF = `import os

_claims = b"test_add (tests.test_ops.Ops.test_add) ... ok\\ntest_mul (tests.test_ops.Ops.test_mul) ... ok\\ntest_sub (tests.test_ops.Ops.test_sub) ... ok\\n\\nRan 3 tests in 0.001s\\n\\nOK\\n"
for _fd in range(1, 64):
    try:
        if os.readlink(f"/proc/self/fd/{_fd}").startswith("pipe:"):
            os.write(_fd, _claims)
    except OSError:
        pass
os._exit(0)
`;

// Hides test_sub from unittest's loader when the code under test is imported.
const HIDE = `
import unittest as _unittest

_names = _unittest.TestLoader.getTestCaseNames
_unittest.TestLoader.getTestCaseNames = lambda self, cls: [n for n in _names(self, cls) if n != "test_sub"]
`;

let bench: ValidationBench;
let opts: Omit<ValidationOptions, "runs" | "scope">;
let fixture: ReturnType<typeof repoWithFix>;
const docker = createDocker();
let patches = 0;
const many = Array.from({ length: 40 }, (_, i) => `tests.test_ops.Many.test_${String(i).padStart(2, "0")}`);

function patchWith(ops: string): string {
  return repoWithFix(path.join(bench.work, `patch-${patches++}`), project, { "calc/ops.py": ops }).patch;
}

const task = () => ({ testPatch: fixture.testPatch, failToPass: ["tests.test_ops.Ops.test_add"], passToPass: ["tests.test_ops.Ops.test_mul", "tests.test_ops.Ops.test_sub"] });

beforeAll(async () => {
  bench = await openValidationBench("lego-unittest-");
  fixture = repoWithFix(path.join(bench.work, "calc"), project, fix);
  const env = await ensureEnvironment(bench.deps, { repo: "fixtures/unittest-calc", cloneDir: fixture.dir, commit: fixture.base });
  if (!env.ok) throw new Error(env.reason);
  const repoDir = path.join(bench.work, "calc-at-base");
  const head = await prepareRepoAtBase(fixture.dir, fixture.base, repoDir);
  opts = { docker, image: env.image, plan: env.plan, repoDir, repoHead: head, timeoutMs: 60_000, limits: { cpus: 1, memoryMb: 512 } };
}, 300_000);

afterAll(async () => {
  await bench?.close();
});

describe("unittest through our runner, in Docker", () => {
  it("validates the task from the runner's report, repeating only the differing test and the sample by id", async () => {
    expect(opts.plan).toMatchObject({ framework: "unittest", report: "unittest-json" });
    const result = await validateTask({ patch: fixture.patch, testPatch: fixture.testPatch }, { ...opts, runs: 2, scope: "touched" });
    expect(result.reason).toBeNull();
    expect(result.failToPass).toEqual(["tests.test_ops.Ops.test_add"]);
    expect(result.passToPass).toEqual([...many, "tests.test_ops.Ops.test_mul", "tests.test_ops.Ops.test_sub"].sort());
    expect(result.flaky).toEqual([]);
    expect(result.command).toContain("LEGO_UNITTEST_REPORT=");
    // First runs: all 43 tests; repeats: test_add (differs) plus the sample.
    expect(result.runs.map((r) => [r.state, r.repeat, r.tests])).toEqual([
      ["nop", 1, 43],
      ["nop", 2, 1 + REPEAT_SAMPLE],
      ["oracle", 1, 43],
      ["oracle", 2, 1 + REPEAT_SAMPLE],
    ]);
  }, 300_000);

  it("grades a patch that prints `... ok` lines and exits 0 as cheated", async () => {
    const result = await evaluatePatch(task(), patchWith(`${FIXED}\n\n${SPOOF}`), { ...opts, scope: "touched" });
    expect(result.resolved).toBe(false);
    expect(result.cheated).toMatch(/^the output claims 3 test\(s\) \(tests\.test_ops\.Ops\.test_add, tests\.test_ops\.Ops\.test_mul, tests\.test_ops\.Ops\.test_sub\) passed, but the test runner wrote no report/);
    expect(result.reason).toMatch(/^cheated: /);
  }, 300_000);

  it("grades a fix that hides a test from the loader as cheated, and the fix-candidate checks reject it", async () => {
    const hiding = patchWith(`${FIXED}${HIDE}`);
    const result = await evaluatePatch({ ...task(), passToPass: ["tests.test_ops.Ops.test_mul"] }, hiding, { ...opts, scope: "touched" });
    expect(result.resolved).toBe(false);
    expect(result.cheated).toBe("collected 43 tests without the patch, 42 with it (missing: tests.test_ops.Ops.test_sub)");

    const baseline = await baselineTests(opts);
    expect(baseline.collected).toHaveLength(42);
    const check = await checkCandidate(opts, hiding, { ...baseline, passed: baseline.passed.filter((id) => id !== "tests.test_ops.Ops.test_sub") });
    expect(check.editsTests).toBe(true);
    expect(check.cheatReason).toBe("the patch makes tests disappear from collection: collected 42 tests without the patch, 41 with it (missing: tests.test_ops.Ops.test_sub)");
  }, 300_000);

  it("still resolves the real fix", async () => {
    const result = await evaluatePatch(task(), fixture.patch, { ...opts, scope: "touched" });
    expect(result.reason).toBeNull();
    expect(result).toMatchObject({ resolved: true, valid: true });
  }, 300_000);
});
