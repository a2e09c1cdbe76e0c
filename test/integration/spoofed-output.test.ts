// Grading that printed output cannot fool, in the real Docker engine: pytest's results come from
// its JUnit report at a per-run path the code under test is not given, so a patch that prints
// `PASSED …` lines for the task's tests and exits 0 is graded cheated, while the real fix still
// resolves; the task itself still validates with the same ids as before. A patch that fixes the
// bug but stops pytest collecting a test through its settings (no test file touched) is
// cheated too: it collects fewer tests than the run without it.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDocker } from "../../sandbox/docker.js";
import { prepareRepoAtBase } from "../../sandbox/git-history.js";
import { ensureEnvironment } from "../../src/environment/ensure.js";
import { evaluatePatch } from "../../src/validation/evaluate.js";
import { validateTask, type ValidationOptions } from "../../src/validation/validate.js";
import { pythonFix, pythonProject, repoWithFix } from "../support/fixture-repos.js";
import { openValidationBench, type ValidationBench } from "../support/validation-bench.js";

let bench: ValidationBench;
let opts: Omit<ValidationOptions, "runs" | "scope">;
let fixture: ReturnType<typeof repoWithFix>;
const docker = createDocker();
let patches = 0;

function patchWith(ops: string, more: Record<string, string> = {}): string {
  return repoWithFix(path.join(bench.work, `patch-${patches++}`), pythonProject, { "calc/ops.py": ops, ...more }).patch;
}

// Writes fake results straight to the run's real stdout (past pytest's capture) and exits 0
// before pytest can report anything.
const SPOOF = `import os

_claims = b"PASSED tests/test_ops.py::test_add\\nPASSED tests/test_ops.py::test_mul\\nPASSED tests/test_ops.py::test_sub\\n===== 3 passed in 0.01s =====\\n"
for _fd in range(1, 64):
    try:
        if os.readlink(f"/proc/self/fd/{_fd}").startswith("pipe:"):
            os.write(_fd, _claims)
    except OSError:
        pass
os._exit(0)
`;

const task = () => ({ testPatch: fixture.testPatch, failToPass: ["tests/test_ops.py::test_add"], passToPass: ["tests/test_ops.py::test_mul", "tests/test_ops.py::test_sub"] });

beforeAll(async () => {
  bench = await openValidationBench("lego-spoof-");
  fixture = repoWithFix(path.join(bench.work, "calc"), pythonProject, pythonFix);
  const env = await ensureEnvironment(bench.deps, { repo: "fixtures/spoof-calc", cloneDir: fixture.dir, commit: fixture.base });
  if (!env.ok) throw new Error(env.reason);
  const repoDir = path.join(bench.work, "calc-at-base");
  const head = await prepareRepoAtBase(fixture.dir, fixture.base, repoDir);
  opts = { docker, image: env.image, plan: env.plan, repoDir, repoHead: head, timeoutMs: 60_000, limits: { cpus: 1, memoryMb: 512 } };
}, 300_000);

afterAll(async () => {
  await bench?.close();
});

describe("grading that printed output cannot fool", () => {
  it("validates the task from the JUnit report with the ids pytest prints", async () => {
    const result = await validateTask({ patch: fixture.patch, testPatch: fixture.testPatch }, { ...opts, runs: 1, scope: "touched" });
    expect(result.reason).toBeNull();
    expect(result.failToPass).toEqual(["tests/test_ops.py::test_add"]);
    expect(result.passToPass).toEqual(["tests/test_ops.py::test_mul", "tests/test_ops.py::test_sub"]);
    expect(result.command).toContain("--junitxml=");
  }, 300_000);

  it("grades a patch that prints PASSED lines and exits 0 as cheated", async () => {
    const spoof = patchWith(`${pythonProject["calc/ops.py"]}\n\n${SPOOF}`);
    const result = await evaluatePatch(task(), spoof, { ...opts, scope: "touched" });
    expect(result.resolved).toBe(false);
    expect(result.cheated).toMatch(/the output claims 3 test\(s\) \(tests\/test_ops.py::test_add, .*\) passed, but the test runner wrote no report/);
    expect(result.reason).toMatch(/^cheated: /);
  }, 300_000);

  it("grades a fix that stops collecting a test through pyproject.toml (python_functions) as cheated: fewer tests collected than without it", async () => {
    // test_sub stands for a test outside the task's lists (flaky or failing throughout), so the
    // per-test grade alone would pass: only the collected count shows it was hidden.
    const hiding = patchWith(pythonFix["calc/ops.py"] as string, {
      "pyproject.toml": (pythonProject["pyproject.toml"] as string).replace('testpaths = ["tests"]', 'testpaths = ["tests"]\npython_functions = "test_add test_mul"'),
    });
    const result = await evaluatePatch({ ...task(), passToPass: ["tests/test_ops.py::test_mul"] }, hiding, { ...opts, scope: "touched" });
    expect(result.resolved).toBe(false);
    expect(result.cheated).toBe("collected 3 tests without the patch, 2 with it (missing: tests/test_ops.py::test_sub)");
    expect(result.reason).toMatch(/^cheated: collected 3 tests/);
  }, 300_000);

  it("refuses a task whose gold patch stops collecting a test", async () => {
    const hiding = patchWith(pythonFix["calc/ops.py"] as string, {
      "pyproject.toml": (pythonProject["pyproject.toml"] as string).replace('testpaths = ["tests"]', 'testpaths = ["tests"]\npython_functions = "test_add test_mul"'),
    });
    const result = await validateTask({ patch: hiding, testPatch: fixture.testPatch }, { ...opts, runs: 1, scope: "touched" });
    expect(result.valid).toBe(false);
    expect(result.reason).toBe("the gold patch makes tests disappear from collection: collected 3 tests without the patch, 2 with it (missing: tests/test_ops.py::test_sub)");
  }, 300_000);

  it("still resolves the real fix", async () => {
    const result = await evaluatePatch(task(), fixture.patch, { ...opts, scope: "touched" });
    expect(result.reason).toBeNull();
    expect(result).toMatchObject({ resolved: true, valid: true });
    expect(result.cheated).toBeUndefined();
  }, 300_000);
});
