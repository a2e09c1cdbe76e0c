// Runs the pooled reproduction tests (src/fix/repro-tests.ts) against the unpatched tree and
// against every candidate, each in its own container from the environment image (network off,
// limits on, a wall-clock budget per run). A run that hangs or cannot start is recorded with its
// reason; the tests it should have run count as not passing on that tree, never as passing.
import type { ParsedRun } from "../../sandbox/test-logs/index.js";
import { runTestState } from "../validation/validate.js";
import type { CheckOptions } from "./checks.js";
import type { ReproCollection, ReproTest } from "./repro-tests.js";

export interface ReproRunRecord {
  /** "unpatched" or the candidate's rollout index. */
  tree: "unpatched" | number;
  bundle: number;
  command: string;
  passed: number;
  failed: number;
  durationMs: number;
  error?: string;
}

export interface ReproResults {
  /** Test id → passed on the unpatched tree. */
  unpatched: Record<string, boolean>;
  /** Candidate id → (test id → passed with the candidate). */
  candidates: Record<string, Record<string, boolean>>;
  runs: ReproRunRecord[];
}

const passes = (s: string) => s === "PASSED" || s === "XFAIL";

/** Pure: a test id named after the rollouts that wrote it, so tests that share a path stay apart. */
export function reproTestId(test: ReproTest, id: string): string {
  return `r${test.rollouts.join("+")}:${id}`;
}

/** Pure: the run's statuses under the ids of the reproduction tests they belong to. */
export function statusesByTest(bundle: ReproTest[], run: ParsedRun | undefined): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [id, status] of Object.entries(run?.statuses ?? {})) {
    const owner = bundle.find((t) => t.files.some((f) => id.includes(f) || id.includes(f.replace(/\.[^./]+$/, "").replace(/\//g, ".")))) ?? (bundle.length === 1 ? bundle[0] : undefined);
    if (owner) out[reproTestId(owner, id)] = passes(status);
  }
  return out;
}

export interface ReproRunOptions extends CheckOptions {
  /** Bounds the runs in flight at once (each is a container). */
  parallel?: number;
}

/** Runs every bundle on the unpatched tree and on each candidate's patch (without its own tests). */
export async function runReproTests(opts: ReproRunOptions, collection: ReproCollection, candidates: { id: string; index: number; patch: string }[]): Promise<ReproResults> {
  const out: ReproResults = { unpatched: {}, candidates: Object.fromEntries(candidates.map((c) => [c.id, {}])), runs: [] };
  const jobs: (() => Promise<void>)[] = [];
  const trees: { tree: "unpatched" | number; id: string | null; patch: { name: string; diff: string } | null }[] = [
    { tree: "unpatched", id: null, patch: null },
    ...candidates.map((c) => ({ tree: c.index, id: c.id, patch: { name: `the candidate patch of rollout ${c.index}`, diff: c.patch } })),
  ];
  const run = (t: (typeof trees)[number], bundle: ReproTest[], b: number) => async () => {
    const command = opts.plan.testCommand(bundle.flatMap((u) => u.files));
    const tests = { name: "the reproduction tests", diff: bundle.map((u) => u.diff).join("") };
    const state = await runTestState({ ...opts, runs: 1, scope: "touched", labels: { ...opts.labels, "org.legofactory.repro": String(b) } }, "repro", t.patch ? [t.patch, tests] : [tests], command);
    const timedOut = state.evidence.some((e) => e.timedOut);
    if (timedOut && bundle.length > 1) {
      // One hanging test must not take the others down with it: each runs alone on this tree.
      out.runs.push({ tree: t.tree, bundle: b, command, passed: 0, failed: 0, durationMs: state.evidence.reduce((n, e) => n + e.durationMs, 0), error: `${state.error ?? "timed out"} (its tests were run again one rollout's at a time)` });
      for (const unit of bundle) jobs.push(run(t, [unit], b));
      return;
    }
    const statuses = state.error && !state.runs[0] ? {} : statusesByTest(bundle, state.runs[0]);
    const values = Object.values(statuses);
    out.runs.push({
      tree: t.tree,
      bundle: b,
      command,
      passed: state.error ? 0 : values.filter(Boolean).length,
      failed: state.error ? values.length : values.filter((v) => !v).length,
      durationMs: state.evidence.reduce((n, e) => n + e.durationMs, 0),
      ...(state.error ? { error: state.error } : {}),
    });
    // A run that timed out passes nothing, whatever its log says before the kill.
    const kept = state.error ? Object.fromEntries(Object.keys(statuses).map((k) => [k, false])) : statuses;
    if (t.id === null) Object.assign(out.unpatched, kept);
    else Object.assign(out.candidates[t.id] as Record<string, boolean>, kept);
  };
  collection.bundles.forEach((bundle, b) => {
    for (const t of trees) jobs.push(run(t, bundle, b));
  });
  await pool(jobs, Math.max(1, opts.parallel ?? 2));
  // A test that never reported on the unpatched tree (it hung there, or the run died before it)
  // did not pass there: that is exactly what a reproduction test of a hang looks like.
  for (const [b, bundle] of collection.bundles.entries()) {
    const unpatchedRun = out.runs.find((r) => r.tree === "unpatched" && r.bundle === b);
    if (!unpatchedRun?.error || /does not apply|history/.test(unpatchedRun.error)) continue;
    for (const perCandidate of Object.values(out.candidates)) {
      for (const id of Object.keys(perCandidate)) {
        if (bundle.some((t) => id.startsWith(`r${t.rollouts.join("+")}:`)) && !(id in out.unpatched)) out.unpatched[id] = false;
      }
    }
  }
  out.runs.sort((a, b) => a.bundle - b.bundle || (a.tree === "unpatched" ? -1 : b.tree === "unpatched" ? 1 : a.tree - b.tree));
  return out;
}

/** Runs `jobs` `width` at a time; a job may add jobs, which run before the pool finishes. */
async function pool(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const job = jobs[next++] as () => Promise<void>;
      await job();
    }
  };
  // A lane that found the list empty stops; jobs added later are picked up by another pass.
  while (next < jobs.length) await Promise.all(Array.from({ length: Math.min(width, jobs.length - next) }, lane));
}
