// Pure decisions over parsed test runs: which tests define a task (FAIL_TO_PASS, PASS_TO_PASS)
// and whether a patch resolves it (whether it cheats is cheating.ts). Semantics follow the SWE-bench
// harness, with the factory's stricter rules from DESIGN.md (flaky tests excluded, a skipped
// FAIL_TO_PASS test is a failure, a run without evidence is invalid rather than a pass).
import type { ParsedRun, TestStatus } from "../../sandbox/test-logs/index.js";

export interface Classification {
  failToPass: string[];
  passToPass: string[];
  flaky: string[];
  /** Why the task cannot be valid, in words for its page; null when it is. */
  invalidReason: string | null;
}

export interface Grade {
  resolved: boolean;
  valid: boolean;
  invalidReason?: string;
  /** The run's output claims results its report does not back: the patch prints fake results. */
  cheated?: string;
  f2p: { success: string[]; failure: string[] };
  p2p: { success: string[]; failure: string[] };
}

/** "unknown": the test is missing from a log that was cut, so the run says nothing about it. */
type Outcome = "pass" | "fail" | "skip" | "xfail" | "unknown";

const LISTED = 5;

function statusIn(run: ParsedRun, id: string): TestStatus | undefined {
  return Object.hasOwn(run.statuses, id) ? run.statuses[id] : undefined;
}

/** A test missing from a complete log did not run or could not be collected: it failed. */
function outcomeIn(run: ParsedRun, id: string): Outcome {
  switch (statusIn(run, id)) {
    case "PASSED":
      return "pass";
    case "SKIPPED":
      return "skip";
    case "XFAIL":
      return "xfail";
    case "FAILED":
    case "ERROR":
      return "fail";
    default:
      return run.truncated ? "unknown" : "fail";
  }
}

/**
 * The outcome the repeats of one state agree on; null when two of them differ (flaky), and
 * "unknown" when they agree but some repeat cannot say (its cut log lacks the test).
 */
function agreedOutcome(runs: ParsedRun[], id: string): Outcome | null {
  let agreed: Outcome = "unknown";
  let partial = runs.length === 0;
  for (const run of runs) {
    const outcome = outcomeIn(run, id);
    if (outcome === "unknown") {
      partial = true;
      continue;
    }
    if (agreed !== "unknown" && agreed !== outcome) return null;
    agreed = outcome;
  }
  return partial ? "unknown" : agreed;
}

function sorted(ids: Iterable<string>): string[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function listOf(ids: string[]): string {
  const shown = ids.slice(0, LISTED).join(", ");
  return ids.length > LISTED ? `${shown} and ${ids.length - LISTED} more` : shown;
}

function notesOf(runs: ParsedRun[]): string {
  const notes = [...new Set(runs.flatMap((r) => r.notes))];
  return notes.length > 0 ? `; the parser noted: ${notes.join("; ")}` : "";
}

/** A task is never built on a run whose report is missing or contradicted by its output. */
function untrustedRun(label: string, runs: ParsedRun[]): string | null {
  const index = runs.findIndex((r) => r.untrusted);
  if (index === -1) return null;
  const which = runs.length > 1 ? ` (repeat ${index + 1} of ${runs.length})` : "";
  return `the ${label} run${which} cannot be trusted: ${(runs[index] as ParsedRun).untrusted}`;
}

function missingEvidence(label: string, runs: ParsedRun[]): string | null {
  if (runs.length === 0) return `no ${label} run was recorded`;
  const index = runs.findIndex((r) => !r.ran);
  if (index === -1) return null;
  const run = runs[index] as ParsedRun;
  const which = runs.length > 1 ? ` (repeat ${index + 1} of ${runs.length})` : "";
  return `the ${label} run${which} shows no evidence that the test suite ran (no summary, no test results)${notesOf([run])}`;
}

/**
 * FAIL_TO_PASS and PASS_TO_PASS from N repeated runs of each state (NOP: base + test_patch;
 * Oracle: base + test_patch + gold patch). A test whose outcome (pass; fail = FAILED, ERROR or
 * missing; skip; xfail) differs between repeats of the same state is flaky and enters neither
 * list. Without FAIL_TO_PASS the reason tells "already passing" from "still failing" by what
 * the tests that fail at NOP do under the fix.
 */
export function classifyRuns(nop: ParsedRun[], oracle: ParsedRun[]): Classification {
  const ids = new Set<string>();
  for (const run of [...nop, ...oracle]) for (const id of Object.keys(run.statuses)) ids.add(id);

  const failToPass: string[] = [];
  const passToPass: string[] = [];
  const flaky: string[] = [];
  const candidates: string[] = [];
  const stillFailing: string[] = [];
  for (const id of ids) {
    const before = agreedOutcome(nop, id);
    const after = agreedOutcome(oracle, id);
    const failsBefore = nop.some((r) => outcomeIn(r, id) === "fail");
    if (failsBefore && oracle.some((r) => outcomeIn(r, id) === "pass")) candidates.push(id);
    if (before === null || after === null) {
      flaky.push(id);
    } else if (before === "fail" && after === "pass") {
      failToPass.push(id);
    } else if (before === "pass" && after === "pass") {
      passToPass.push(id);
    } else if (before === "fail" && after === "fail" && nop.every((r) => isFailure(statusIn(r, id)))) {
      stillFailing.push(id);
    }
  }

  const result = { failToPass: sorted(failToPass), passToPass: sorted(passToPass), flaky: sorted(flaky) };
  const noEvidence = untrustedRun("NOP", nop) ?? untrustedRun("Oracle", oracle) ?? missingEvidence("NOP", nop) ?? missingEvidence("Oracle", oracle);
  if (noEvidence !== null) return { ...result, invalidReason: noEvidence };
  if (failToPass.length > 0) return { ...result, invalidReason: null };
  // A suite that started and reported nothing (every test file failed to load) is not "already passing".
  if (ids.size === 0) {
    return { ...result, invalidReason: `no test results: the suite ran but neither the NOP nor the Oracle run reported a single test${notesOf([...nop, ...oracle])}` };
  }

  const flakySet = new Set(flaky);
  const flakyCandidates = sorted(candidates.filter((id) => flakySet.has(id)));
  if (candidates.length > 0 && flakyCandidates.length === candidates.length) {
    return {
      ...result,
      invalidReason:
        `every candidate FAIL_TO_PASS test is flaky: ${listOf(flakyCandidates)} ` +
        "changed status between repeated runs of the same state",
    };
  }
  const truncated = [...nop, ...oracle].some((r) => r.truncated)
    ? " (some logs were cut by the output limit, so tests missing from them could not be judged)"
    : "";
  const why =
    stillFailing.length > 0
      ? `the fix does not make any failing test pass (still failing after the fix: ${listOf(sorted(stillFailing))})`
      : "the tests already pass at the base commit";
  return {
    ...result,
    invalidReason: `no test fails before the fix and passes after it: ${why}${truncated}${notesOf(oracle)}`,
  };
}

function isFailure(status: TestStatus | undefined): boolean {
  return status === "FAILED" || status === "ERROR";
}

/**
 * Grades one run of a patch against a task. FAIL_TO_PASS tests must pass; PASS_TO_PASS tests
 * must pass, be skipped or xfail; a test missing from the log failed.
 */
export function gradeRun(task: { failToPass: string[]; passToPass: string[] }, run: ParsedRun, exitCode: number | null): Grade {
  const f2p = { success: [] as string[], failure: [] as string[] };
  for (const id of task.failToPass) (statusIn(run, id) === "PASSED" ? f2p.success : f2p.failure).push(id);
  const p2p = { success: [] as string[], failure: [] as string[] };
  for (const id of task.passToPass) {
    const status = statusIn(run, id);
    (status === "PASSED" || status === "SKIPPED" || status === "XFAIL" ? p2p.success : p2p.failure).push(id);
  }

  if (run.spoofed) return { resolved: false, valid: true, cheated: run.untrusted ?? "the output disagrees with the report", f2p, p2p };
  const invalidReason = run.untrusted ? `the run cannot be trusted: ${run.untrusted}` : invalidRun(run, exitCode);
  if (invalidReason !== null) return { resolved: false, valid: false, invalidReason, f2p, p2p };
  return { resolved: f2p.failure.length === 0 && p2p.failure.length === 0, valid: true, f2p, p2p };
}

function invalidRun(run: ParsedRun, exitCode: number | null): string | null {
  if (!run.ran) {
    return `the run shows no evidence that the test suite ran (no summary, no test results)${notesOf([run])}`;
  }
  const failureInLog = Object.values(run.statuses).some(isFailure) || (run.summary?.failed ?? 0) > 0;
  if (exitCode !== null && exitCode !== 0 && !failureInLog) {
    return (
      `the test command exited with code ${exitCode} but its log shows no failing test, ` +
      `so the run cannot be trusted (a crash, a timeout or lost output)${notesOf([run])}`
    );
  }
  return null;
}

/**
 * Whether a patch makes tests disappear from collection: the run with it reports fewer tests
 * than the same command without it (NOP). Both runs carry test_patch, so tests it adds or
 * removes count on both sides. A patch that deselects, deletes or stops the collection of tests
 * hides them from grading: the reason says so; null when the count holds, or when either run
 * cannot say (a cut log, no evidence, an untrusted report: those have their own verdicts).
 */
export function collectionShrank(without: ParsedRun, withPatch: ParsedRun): string | null {
  for (const run of [without, withPatch]) if (!run.ran || run.truncated || run.untrusted) return null;
  const before = Object.keys(without.statuses);
  const after = Object.keys(withPatch.statuses).length;
  if (after >= before.length) return null;
  const missing = sorted(before.filter((id) => !Object.hasOwn(withPatch.statuses, id)));
  const which = missing.length > 0 ? ` (missing: ${listOf(missing)})` : "";
  return `collected ${before.length} tests without the patch, ${after} with it${which}`;
}
