// Evaluation of a model patch on a validated task, as the SWE-bench harness does it: the code at
// the base, test_patch and the model patch applied, the task's tests run, graded per test.
import type { ParsedRun } from "../../sandbox/test-logs/index.js";
import { changedPaths } from "../diff/index.js";
import { isCheating } from "./cheating.js";
import { collectionShrank, gradeRun, type Grade } from "./grading.js";
import { patchCausedTimeout, runTestState, testCommandFor, type RunEvidence, type ValidationOptions } from "./validate.js";

export interface EvaluationResult {
  resolved: boolean;
  /** False when the run proves nothing (no evidence the suite ran, a patch that does not apply). */
  valid: boolean;
  /** Set when the suite timed out with the patch and finished without it: the patch hangs it. */
  patchTimeout?: string;
  reason: string | null;
  /** Why the patch games the tests (edits or skips them, or prints results its report does not hold). */
  cheated?: string;
  grade: Grade | null;
  run: RunEvidence | null;
}

export async function evaluatePatch(
  task: { testPatch: string; failToPass: string[]; passToPass: string[] },
  modelPatch: string,
  opts: Omit<ValidationOptions, "runs">,
): Promise<EvaluationResult> {
  if (!modelPatch.trim()) return { resolved: false, valid: true, reason: "empty patch", grade: null, run: null };
  // The same checks as a rollout's: a patch that edits or skips tests is never run as a fix.
  const cheat = isCheating(changedPaths(modelPatch), modelPatch);
  if (cheat.cheated) return { resolved: false, valid: true, reason: `cheated: ${cheat.reason}`, cheated: cheat.reason ?? "cheated", grade: null, run: null };
  const command = testCommandFor(opts.plan, task.testPatch, opts.scope);
  // test_patch last, on reset files, as the harness does, so a model patch cannot pre-empt the task's tests.
  const testPatch = { name: "test_patch", diff: task.testPatch, resetTouched: true };
  const outcome = await runTestState({ ...opts, runs: 1 }, "eval", [{ name: "the model patch", diff: modelPatch }, testPatch], command);
  const run = outcome.evidence[0] ?? null;
  if (outcome.timedOut) {
    const blame = await patchCausedTimeout({ ...opts, runs: 1 }, "eval", [testPatch], command);
    if (blame) return { resolved: false, valid: true, reason: blame, patchTimeout: blame, grade: null, run };
  }
  if (outcome.error) {
    const applies = /does not apply/.test(outcome.error);
    return { resolved: false, valid: applies, reason: outcome.error, grade: null, run };
  }
  const parsed = outcome.runs[0] as ParsedRun;
  const grade = gradeRun(task, parsed, run?.exitCode ?? null);
  if (grade.cheated) return { resolved: false, valid: true, reason: `cheated: ${grade.cheated}`, cheated: grade.cheated, grade, run };
  if (grade.resolved) {
    // Only a passing grade can be bought by hiding tests: the same command runs once more
    // without the patch (NOP: test_patch alone) and must collect no more tests than with it.
    const nop = await runTestState({ ...opts, runs: 1 }, "eval", [testPatch], command);
    const shrank = nop.error || !nop.runs[0] ? null : collectionShrank(nop.runs[0], parsed);
    if (shrank !== null) return { resolved: false, valid: true, reason: `cheated: ${shrank}`, cheated: shrank, grade: { ...grade, resolved: false, cheated: shrank }, run };
  }
  return { resolved: grade.resolved, valid: grade.valid, reason: grade.valid ? (grade.resolved ? null : "tests failed") : (grade.invalidReason ?? "invalid run"), grade, run };
}
