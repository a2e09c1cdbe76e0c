// The checks a candidate fix for a new issue must pass before it is ranked: it does not edit
// or skip tests, and it breaks no test that passed before. There are no FAIL_TO_PASS tests for
// a new issue, so the whole suite at the base is the reference. The tests a rollout adds are its
// reproduction tests: they are kept out of this run (the suite judges the code change alone)
// and run against every candidate in fix-select (src/fix/repro-run.ts). A candidate that makes
// tests disappear from collection (fewer collected than at the base, with the same command) is
// cheating, as in grading (`collectionShrank`), and so is one whose run prints results its
// report does not back.
import type { ParsedRun, TestStatusMap } from "../../sandbox/test-logs/index.js";
import { changedPaths } from "../diff/index.js";
import { isCheating } from "../validation/cheating.js";
import { collectionShrank } from "../validation/grading.js";
import { splitRolloutPatch } from "./repro-tests.js";
import { patchCausedTimeout, runTestState, type ValidationOptions } from "../validation/validate.js";

export type CheckOptions = Omit<ValidationOptions, "runs" | "scope">;

export interface Baseline {
  command: string;
  passed: string[];
  ran: boolean;
  /**
   * Every test the base run collected, whatever its status; absent when that run could not say
   * (cut, untrusted), or for a baseline recorded before it was kept: then the count is not checked.
   */
  collected?: string[];
}

export interface CandidateCheck {
  editsTests: boolean;
  cheatReason?: string;
  /** Tests that passed at the base and do not pass with the patch. */
  breaks: string[];
  passed: string[];
  failed: string[];
  /** The sandbox could not run the check: never held against the candidate. */
  infraError?: string;
  applyError?: string;
  /** The suite timed out with the patch and finishes without it: the patch hangs it. */
  hangs?: string;
}

const passedIn = (run: ParsedRun | undefined) =>
  Object.entries(run?.statuses ?? {})
    .filter(([, s]) => s === "PASSED" || s === "XFAIL")
    .map(([id]) => id)
    .sort();

export async function baselineTests(opts: CheckOptions): Promise<Baseline> {
  const command = opts.plan.testCommand("all");
  const out = await runTestState({ ...opts, runs: 1, scope: "all" }, "baseline", [], command);
  if (out.error) throw new Error(`the test suite could not run at the base: ${out.error}`);
  const run = out.runs[0];
  const trusted = run && run.ran && !run.truncated && !run.untrusted;
  return { command, passed: passedIn(run), ran: run?.ran ?? false, ...(trusted ? { collected: Object.keys(run.statuses).sort() } : {}) };
}

export async function checkCandidate(opts: CheckOptions, patch: string, baseline: Baseline): Promise<CandidateCheck> {
  const cheat = isCheating(changedPaths(patch), patch);
  const base = { editsTests: cheat.cheated, ...(cheat.reason ? { cheatReason: cheat.reason } : {}), breaks: [], passed: [], failed: [] };
  const code = splitRolloutPatch(patch).patch;
  if (!code.trim()) return base;
  const out = await runTestState({ ...opts, runs: 1, scope: "all" }, "candidate", [{ name: "the candidate patch", diff: code }], baseline.command);
  if (out.timedOut) {
    const blame = await patchCausedTimeout({ ...opts, runs: 1, scope: "all" }, "candidate", [], baseline.command);
    if (blame) return { ...base, hangs: blame };
  }
  if (out.error) return /does not apply/.test(out.error) ? { ...base, applyError: out.error } : { ...base, infraError: out.error };
  const run = out.runs[0];
  if (run?.spoofed) return { ...base, editsTests: true, cheatReason: run.untrusted ?? "the run's output disagrees with its report" };
  const shrank = run && baseline.collected ? collectionShrank(collectedRun(baseline.collected), run) : null;
  if (shrank !== null) return { ...base, editsTests: true, cheatReason: `the patch makes tests disappear from collection: ${shrank}` };
  const passed = passedIn(run);
  const now = new Set(passed);
  const failed = Object.entries(run?.statuses ?? {})
    .filter(([, s]) => s === "FAILED" || s === "ERROR")
    .map(([id]) => id)
    .sort();
  return { ...base, passed, failed, breaks: baseline.passed.filter((id) => !now.has(id)) };
}

/** The base run as collectionShrank reads it: only which tests it collected matters. */
function collectedRun(ids: string[]): ParsedRun {
  const statuses = Object.create(null) as TestStatusMap;
  for (const id of ids) statuses[id] = "PASSED";
  return { statuses, ran: true, notes: [] };
}
