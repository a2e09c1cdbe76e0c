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

/** One bug of a group confirmed together: the tests that can see it and those its covering-test run (alone) saw fail. */
export interface GroupMember {
  covering: string[];
  fastFailing: string[];
}

export type GroupSplit = { ok: true; runs: ParsedRun[][] } | { ok: false; reason: string };

/**
 * Pure: the full-suite runs of a group of bugs applied together, split into what each bug's own
 * full run shows, or why it cannot be. The members' covering tests must be pairwise disjoint. A
 * test that does not execute a bug's code on the clean tree runs the same with that bug, so: every
 * clean-passing test that does not pass with the group must be a covering test of exactly one
 * member and one that member's covering-test run saw fail; every test a member's covering-test run
 * saw fail must fail with the group too (no bug masks another); then a member's run is the group's
 * with the other members' failing tests at their clean status. Anything else (a failure no
 * member's coverage explains, an import-time breakage, a disagreement with a covering-test run)
 * and the group is not split: its bugs are confirmed in smaller groups, down to one each.
 */
export function splitGroupRuns(group: ParsedRun[], clean: CleanBaseline, members: GroupMember[]): GroupSplit {
  const owner = new Map<string, number>();
  for (const [i, m] of members.entries()) {
    for (const t of m.covering) {
      if (owner.has(t) && owner.get(t) !== i) return { ok: false, reason: `test ${t} covers two bugs of the group` };
      owner.set(t, i);
    }
  }
  const fastFailing = members.map((m) => new Set(m.fastFailing));
  for (const [k, run] of group.entries()) {
    if (!run.ran) return { ok: false, reason: `run ${k + 1} of the group shows no evidence that the suite ran` };
    if (run.untrusted || run.truncated) return { ok: false, reason: `run ${k + 1} of the group cannot be read in full: ${run.untrusted ?? "its log was cut"}` };
    for (const t of clean.passing) {
      if (clean.flaky.has(t) || run.statuses[t] === "PASSED") continue;
      const i = owner.get(t);
      if (i === undefined) return { ok: false, reason: `${t} does not pass with the group and covers none of its bugs` };
      if (!fastFailing[i]?.has(t)) return { ok: false, reason: `${t} does not pass with the group but passed with its bug alone` };
    }
    for (const [i, failing] of fastFailing.entries()) {
      for (const t of failing) if (run.statuses[t] === "PASSED") return { ok: false, reason: `${t} failed with bug ${i + 1} alone and passes with the group` };
    }
  }
  const runs = members.map((_, i) =>
    group.map((run, k) => {
      const statuses = { ...run.statuses };
      for (const [t, j] of owner) {
        if (j === i || statuses[t] === "PASSED" || !clean.passing.has(t)) continue;
        const was = (clean.runs[k] ?? clean.runs[0])?.statuses[t];
        if (was) statuses[t] = was;
      }
      const { summary: _summary, ...rest } = run;
      return { ...rest, statuses };
    }),
  );
  return { ok: true, runs };
}
