// Pure decisions of synthetic validation. Fast: with the bug in place, the covering tests that
// fail and passed on the clean tree. Confirmed: one full-suite run (or `runs` of them) against the
// clean runs, classified exactly as harvest classifies NOP against Oracle (flaky tests dropped).
import type { ParsedRun } from "../../sandbox/test-logs/index.js";
import { classifyRuns } from "../validation/grading.js";

export interface CleanBaseline {
  runs: ParsedRun[];
  /** Tests that passed in every clean run. */
  passing: Set<string>;
  /** Tests whose status differed between clean runs. */
  flaky: Set<string>;
}

export function cleanBaseline(runs: ParsedRun[]): CleanBaseline {
  const ids = new Set(runs.flatMap((r) => Object.keys(r.statuses)));
  const passing = new Set<string>();
  const flaky = new Set<string>();
  for (const id of ids) {
    const statuses = new Set(runs.map((r) => r.statuses[id] ?? "missing"));
    if (statuses.size > 1) flaky.add(id);
    else if (statuses.has("PASSED")) passing.add(id);
  }
  return { runs, passing, flaky };
}

/** Covering tests that passed clean, are not flaky, and did not pass with the bug. */
export function fastFailing(covering: string[], clean: CleanBaseline, buggy: ParsedRun): string[] {
  return covering.filter((t) => clean.passing.has(t) && !clean.flaky.has(t) && buggy.statuses[t] !== "PASSED").sort();
}

export type Confirmed = { ok: true; failToPass: string[]; passToPass: string[]; flaky: string[] } | { ok: false; reason: string; failToPass: string[]; passToPass: string[] };

/** The full-suite verdict: FAIL_TO_PASS (fail with the bug, pass clean), PASS_TO_PASS, or why it is no task. */
export function confirmFull(buggy: ParsedRun[], clean: CleanBaseline): Confirmed {
  if (buggy.some((r) => !r.ran)) return { ok: false, reason: "with the bug the suite shows no evidence that it ran: it breaks at import or collection", failToPass: [], passToPass: [] };
  const c = classifyRuns(buggy, clean.runs);
  const failToPass = c.failToPass.filter((t) => !clean.flaky.has(t));
  const passToPass = c.passToPass.filter((t) => !clean.flaky.has(t));
  const flaky = [...new Set([...c.flaky, ...clean.flaky])].sort();
  if (failToPass.length === 0) return { ok: false, reason: c.invalidReason ? `no test fails with the bug and passes without it (${c.invalidReason})` : "no test fails with the bug and passes without it: it changes nothing the tests observe", failToPass, passToPass };
  if (passToPass.length === 0) return { ok: false, reason: `the bug breaks every test (${failToPass.length} fail, none keeps passing): an import-time or global breakage, not a task`, failToPass, passToPass };
  return { ok: true, failToPass, passToPass, flaky };
}
