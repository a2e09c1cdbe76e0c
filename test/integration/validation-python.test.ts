// Environment construction and validation on a real Python project (pytest from Debian's
// packages) in the real Docker engine: exact FAIL_TO_PASS / PASS_TO_PASS, and the rejections.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureEnvironment, type EnvironmentDeps } from "../../src/environment/ensure.js";
import { pythonFix, pythonProject, repoWithFix } from "../support/fixture-repos.js";
import { openValidationBench, type ValidationBench } from "../support/validation-bench.js";

let bench: ValidationBench;
let work: string;
let deps: EnvironmentDeps;
const validate: ValidationBench["validate"] = (...args) => bench.validate(...args);

beforeAll(async () => {
  bench = await openValidationBench("lego-val-py-");
  ({ work, deps } = bench);
});

afterAll(async () => {
  await bench?.close();
});

describe("Python project with pytest", () => {
  it("builds the environment once and finds exactly the FAIL_TO_PASS and PASS_TO_PASS tests", async () => {
    const task = repoWithFix(path.join(work, "calc"), pythonProject, pythonFix, { "calc/ops.py": "# later rewrite\n" });
    const { env, result } = await validate("calc", task);
    expect(env).toMatchObject({ ok: true, reused: false });
    // The image's health check ran the whole suite once at the snapshot.
    expect(env.ok && env.health).toMatchObject({ ran: true, firstError: null, collected: expect.any(Number) });
    expect(env.ok && env.health ? env.health.collected : 0).toBeGreaterThan(0);
    expect(result.reason).toBeNull();
    expect(result.valid).toBe(true);
    expect(result.failToPass).toEqual(["tests/test_ops.py::test_add"]);
    expect(result.passToPass).toEqual(["tests/test_ops.py::test_mul", "tests/test_ops.py::test_sub"]);
    expect(result.flaky).toEqual([]);
    expect(result.runs).toHaveLength(4);
    expect(result.runs.every((r) => r.ran && !r.timedOut)).toBe(true);

    // The second task of the same snapshot reuses the image.
    const again = await ensureEnvironment(deps, { repo: "fixtures/calc", cloneDir: task.dir, commit: task.base });
    expect(again).toMatchObject({ ok: true, reused: true, image: env.ok ? env.image : "" });
  });

  it("rejects a task whose tests already pass before the fix", async () => {
    const task = repoWithFix(path.join(work, "already"), pythonProject, {
      "calc/ops.py": "def add(a, b):\n    return a + b  # tidy\n\n\ndef mul(a, b):\n    return a * b\n\n\ndef sub(a, b):\n    return a - b\n",
      "tests/test_ops.py": (pythonProject["tests/test_ops.py"] as string) + "\n\ndef test_mul_zero():\n    assert mul(0, 3) == 0\n",
    });
    const { result } = await validate("already", task);
    expect(result.valid).toBe(false);
    expect(result.reason).toMatch(/already pass/);
  });

  it("drops a flaky test and keeps the rest", async () => {
    const flaky = "import os\n\n\ndef test_flaky():\n    # passes on alternate runs in the same container\n    p = '/tmp/lego-flaky'\n    first = not os.path.exists(p)\n    open(p, 'w').close() if first else os.remove(p)\n    assert first\n";
    const task = repoWithFix(path.join(work, "flaky"), pythonProject, { ...pythonFix, "tests/test_flaky.py": flaky });
    const { result } = await validate("flaky", task);
    expect(result.flaky).toContain("tests/test_flaky.py::test_flaky");
    expect(result.failToPass).toEqual(["tests/test_ops.py::test_add"]);
    expect(result.passToPass).not.toContain("tests/test_flaky.py::test_flaky");
  });

  it("kills a test command that hangs and says so", async () => {
    const task = repoWithFix(path.join(work, "hang"), pythonProject, {
      ...pythonFix,
      "tests/test_hang.py": "import time\n\n\ndef test_hang():\n    time.sleep(600)\n",
    });
    const started = Date.now();
    const { result } = await validate("hang", task, { timeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(result.valid).toBe(false);
    expect(result.reason).toMatch(/did not finish within 5 s .* was killed/);
  });

  it("rejects a test_patch that does not apply at the base", async () => {
    const task = repoWithFix(path.join(work, "noapply"), pythonProject, pythonFix);
    const broken = { ...task, testPatch: task.testPatch.replace("def test_sub():", "def test_subtract():") };
    const { result } = await validate("noapply", broken);
    expect(result.valid).toBe(false);
    expect(result.reason).toMatch(/^test_patch does not apply at the base commit/);
  });
});
