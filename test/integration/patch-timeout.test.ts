// A time-out while grading a patch, in the real Docker engine: when the same tests finish without
// the patch, the patch hangs the suite (unresolved, with that reason, not retried as infra); only a
// time-out that also happens without it is the environment's (infra).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDocker } from "../../sandbox/docker.js";
import { prepareRepoAtBase } from "../../sandbox/git-history.js";
import { checkCandidate } from "../../src/fix/checks.js";
import { candidateFromRollout, selectCandidate } from "../../src/fix/select.js";
import { ensureEnvironment } from "../../src/environment/ensure.js";
import { evaluatePatch } from "../../src/validation/evaluate.js";
import type { ValidationOptions } from "../../src/validation/validate.js";
import type { RolloutRow } from "../../db/fixes.js";
import { pythonFix, pythonProject, repoWithFix } from "../support/fixture-repos.js";
import { openValidationBench, type ValidationBench } from "../support/validation-bench.js";

let bench: ValidationBench;
let opts: Omit<ValidationOptions, "runs" | "scope">;
let testPatch: string;
const docker = createDocker();

/** The model's patch, as git writes it: add() with a new body. */
function patchFor(body: string): string {
  const ops = (pythonProject["calc/ops.py"] as string).replace("    return a - b\n\n\ndef mul", `${body}\n\n\ndef mul`);
  return repoWithFix(path.join(bench.work, `patch-${patchCount++}`), pythonProject, { "calc/ops.py": ops }).patch;
}
let patchCount = 0;
let hangingPatch: string;
const task = () => ({ testPatch, failToPass: ["tests/test_ops.py::test_add"], passToPass: ["tests/test_ops.py::test_mul", "tests/test_ops.py::test_sub"] });

beforeAll(async () => {
  bench = await openValidationBench("lego-hang-");
  const fixture = repoWithFix(path.join(bench.work, "calc"), pythonProject, pythonFix);
  testPatch = fixture.testPatch;
  hangingPatch = patchFor("    while True:\n        pass");
  const env = await ensureEnvironment(bench.deps, { repo: "fixtures/hang-calc", cloneDir: fixture.dir, commit: fixture.base });
  if (!env.ok) throw new Error(env.reason);
  const repoDir = path.join(bench.work, "calc-at-base");
  const head = await prepareRepoAtBase(fixture.dir, fixture.base, repoDir);
  opts = { docker, image: env.image, plan: env.plan, repoDir, repoHead: head, timeoutMs: 8_000, limits: { cpus: 1, memoryMb: 512 } };
}, 300_000);

afterAll(async () => {
  await bench?.close();
});

describe("a time-out while grading a patch", () => {
  it("is the patch's fault when the same tests finish without it (task rollouts)", async () => {
    const result = await evaluatePatch(task(), hangingPatch, { ...opts, scope: "touched" });
    expect(result.reason).toBe(result.patchTimeout);
    expect(result.resolved).toBe(false);
    expect(result.valid).toBe(true);
    expect(result.patchTimeout).toMatch(/^the tests did not finish within 8 s with the patch, and the same tests finish without it \(\d+\.\d s\): the patch makes the suite hang$/);
  }, 120_000);

  it("is the environment's when the tests time out without the patch too", async () => {
    const tests = `${pythonFix["tests/test_ops.py"]}\n\ndef test_sleep():\n    import time\n    time.sleep(600)\n`;
    const sleeping = repoWithFix(path.join(bench.work, "sleeping"), pythonProject, { ...pythonFix, "tests/test_ops.py": tests });
    const result = await evaluatePatch({ ...task(), testPatch: sleeping.testPatch }, patchFor("    return a + b"), { ...opts, scope: "touched" });
    expect(result.patchTimeout).toBeUndefined();
    expect(result.valid).toBe(false);
    expect(result.reason).toMatch(/did not finish within 8 s/);
  }, 120_000);

  it("drops a fix candidate that hangs the suite with that reason, and keeps it out of infra errors", async () => {
    // The suite at the base tests mul(), not add(): this candidate makes mul() hang.
    const ops = (pythonProject["calc/ops.py"] as string).replace("    return a * b", "    while True:\n        pass");
    const hangsMul = repoWithFix(path.join(bench.work, "hangs-mul"), pythonProject, { "calc/ops.py": ops }).patch;
    const check = await checkCandidate(opts, hangsMul, { command: opts.plan.testCommand("all"), passed: [], ran: true });
    expect(check.infraError).toBeUndefined();
    expect(check.hangs).toMatch(/the patch makes the suite hang/);
    const row = { id: "r0", index: 0, status: "finished", patch: hangsMul, verifierScore: null, outcomeReason: null, evaluation: { hangs: check.hangs } } as unknown as RolloutRow;
    const { chosen, ranked } = selectCandidate([candidateFromRollout(row)], { minScore: 0, allowUnscored: true });
    expect(chosen).toBeNull();
    expect(ranked[0]?.dropped).toBe(check.hangs);
  }, 120_000);
});
