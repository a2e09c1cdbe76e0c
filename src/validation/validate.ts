// Validation of one task instance in containers from its environment image, network off:
// NOP = base + test_patch, Oracle = base + test_patch + patch, each run N times; per-test
// statuses give FAIL_TO_PASS and PASS_TO_PASS, flaky tests dropped (src/validation/grading.ts).
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type Docker from "dockerode";
import { Sandbox } from "../../sandbox/container.js";
import { noFutureHistoryScript } from "../../sandbox/git-history.js";
import { applyCodeState } from "../../sandbox/images.js";
import type { SandboxLimits } from "../../sandbox/limits.js";
import { extractMarked, parseTestLog, wrapWithMarkers, type ParsedRun } from "../../sandbox/test-logs/index.js";
import { printedOnlyNote, REPORT_PLACEHOLDER, resultsFromReport } from "../../sandbox/test-logs/report.js";
import type { EnvironmentPlan } from "../environment/types.js";
import { touchedTestFiles } from "../diff/index.js";
import { classifyRuns, collectionShrank } from "./grading.js";
import { fileOfTestId, overlayRepeat, repeatSelection } from "./repeats.js";

export interface ValidationOptions {
  docker: Docker;
  image: string;
  plan: EnvironmentPlan;
  /** Host directory: the repository prepared at the base commit (no later history). */
  repoDir: string;
  /** The HEAD sha of repoDir, for the in-sandbox history check. */
  repoHead: string;
  /** Synthetic tasks: the repository must be that one commit. */
  singleCommit?: boolean;
  runs: number;
  /** "touched": the test files test_patch touches; "all": the whole suite. */
  scope: "touched" | "all";
  timeoutMs: number;
  limits?: Partial<SandboxLimits>;
  labels?: Record<string, string>;
  /**
   * "differing" (default): after one full run per state, repeat only the tests whose status
   * differs between the states plus a sample; "all": repeat the whole selection every time.
   */
  repeat?: "differing" | "all";
  /**
   * Sees each run's whole output (stdout then stderr, as the sandbox kept it: up to its output cap,
   * head and tail), where the evidence keeps only the last LOG_TAIL_BYTES. The environment health
   * check reads the first collection error from it, wherever in the log it is.
   */
  onRunOutput?(output: string, state: RunState, repeat: number): void;
}

export type RunState = "nop" | "oracle" | "eval" | "baseline" | "candidate" | "repro";

export interface RunEvidence {
  state: RunState;
  repeat: number;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  tests: number;
  ran: boolean;
  notes: string[];
  container: string;
  /** The end of the run's output (stdout then stderr), for the dashboard's validation logs. */
  logTail: string;
}

/** A report larger than this is read as cut (untrusted): 64 MB holds a JUnit file for ~200k tests. */
const REPORT_MAX_BYTES = 64 * 1024 * 1024;

/** Output kept per run: enough to see why a run failed, small enough for 100k task rows. */
export const LOG_TAIL_BYTES = 8192;

export interface ValidationResult {
  valid: boolean;
  reason: string | null;
  failToPass: string[];
  passToPass: string[];
  flaky: string[];
  runs: RunEvidence[];
  /** FAIL_TO_PASS, PASS_TO_PASS and flaky tests → their status in each run, in the order of `runs`. */
  testStatuses: Record<string, string[]>;
  command: string;
  timings: { prepareMs: number[]; firstTestCommandMs: number[]; totalMs: number };
}

export interface StateOutcome {
  runs: ParsedRun[];
  evidence: RunEvidence[];
  error?: string;
  /** Set with `error` when the test command was killed at the time limit. */
  timedOut?: boolean;
  prepareMs: number;
}

/** Pure: the end of a run's output as stored: NUL, which a test may print and PostgreSQL cannot store, written as `\0`. */
export function logTailOf(output: string): string {
  return output.slice(-LOG_TAIL_BYTES).replace(/\0/g, "\\0");
}

/** Bash: the no-later-history check, then the patches in order (resetting files first where asked). */
export function preparationScript(head: string, patches: { diff: string; resetTouched?: boolean }[], singleCommit = false): string {
  const steps = patches.map((p, i) => {
    const reset = p.resetTouched
      ? // As the SWE-bench harness does: the files this patch touches go back to the base first,
        // so an earlier patch's edits to them cannot change what this one tests.
        `git apply --numstat /tmp/lego-patches/${i}.diff | cut -f3- | while IFS= read -r f; do git checkout -q HEAD -- "$f" 2>/dev/null || rm -f -- "$f"; done\n`
      : "";
    return `${reset}git apply --whitespace=nowarn /tmp/lego-patches/${i}.diff || { echo "APPLY-FAILED ${i}"; exit 0; }`;
  });
  // `head -c` reads exactly that many bytes from the pipe, so the patches split cleanly.
  const unpack = patches.map((p, i) => `head -c ${Buffer.byteLength(p.diff)} > /tmp/lego-patches/${i}.diff`);
  return `mkdir -p /tmp/lego-patches\n${unpack.join("\n")}\n(\n${noFutureHistoryScript("/repo", head, singleCommit)}\n)\ncd /repo\n${steps.join("\n")}\nrm -rf /tmp/lego-patches\n`;
}

/**
 * One state of the repository in its own container from the environment image: the code at
 * the base (history checked), the patches applied in order, then `opts.runs` test runs.
 */
export async function runTestState(
  opts: ValidationOptions,
  state: RunState,
  patches: { name: string; diff: string; resetTouched?: boolean }[],
  command: string,
  /** After the first run: the command for the remaining repeats, or null for none (see repeats.ts). */
  repeatCommand?: (first: ParsedRun) => Promise<string | null>,
): Promise<StateOutcome> {
  const began = performance.now();
  const sandbox = await Sandbox.create(opts.docker, {
    image: opts.image,
    limits: { ...opts.limits, network: false },
    labels: { "org.legofactory.role": `validate-${state}`, ...opts.labels },
    workdir: "/repo",
  });
  const out: StateOutcome = { runs: [], evidence: [], prepareMs: 0 };
  try {
    await applyCodeState(sandbox, opts.repoDir);
    const patchesIn = patches.filter((p) => p.diff.trim());
    // One exec for the history check and every patch, the patches on its stdin: each docker
    // exec or archive upload costs tens of ms.
    const prep = await sandbox.exec(preparationScript(opts.repoHead, patchesIn, opts.singleCommit), { timeoutMs: 120_000, stdin: patchesIn.map((p) => p.diff).join("") });
    // A non-zero exit from a container the engine killed (137 after a daemon restart) is no
    // verdict on the task: assertRunning throws, and the try is retried as an infra error.
    if (prep.exitCode !== 0) await sandbox.assertRunning();
    const problems = prep.stdout.split("\n").filter((l) => l.startsWith("PROBLEM: ")).map((l) => l.slice(9));
    if (problems.length) return { ...out, error: `the sandbox repository holds history from after the base commit: ${problems.join("; ")}` };
    const failed = /^APPLY-FAILED (\d+)$/m.exec(prep.stdout);
    if (failed) {
      const p = patchesIn[Number(failed[1])];
      return { ...out, error: `${p?.name ?? "a patch"} does not apply at the base commit: ${prep.stderr.trim().slice(0, 500)}` };
    }
    if (prep.exitCode !== 0) return { ...out, error: `preparing the sandbox failed (exit ${prep.exitCode}): ${prep.stderr.trim().slice(0, 500)}` };
    if (opts.plan.build) {
      // The tree holds no build outputs (applyCodeState cleaned it): build this state's own.
      const built = await sandbox.exec(opts.plan.build, { timeoutMs: opts.timeoutMs, cwd: "/repo", env: opts.plan.env });
      if (built.exitCode !== 0 || built.timedOut) {
        await sandbox.assertRunning();
        return { ...out, error: `the build step \`${opts.plan.build}\` failed in the ${state.toUpperCase()} state (exit ${built.exitCode}${built.timedOut ? ", timed out" : ""}): ${`${built.stdout}\n${built.stderr}`.trim().slice(-500)}` };
      }
    }
    out.prepareMs = performance.now() - began;
    let runCommand = command;
    for (let repeat = 1; repeat <= opts.runs; repeat++) {
      if (repeat === 2 && repeatCommand) {
        const next = await repeatCommand(out.runs[0] as ParsedRun);
        if (next === null) break;
        runCommand = next;
      }
      const command = runCommand;
      // A fresh nonce per run names the markers and the report's directory; the code under test
      // is never told it, so it can neither fake the END line nor write the report.
      const nonce = randomBytes(16).toString("hex");
      const id = `${state}-${repeat}-${nonce}`;
      const report = opts.plan.report && command.includes(REPORT_PLACEHOLDER) ? `/tmp/lego-report-${nonce}/report` : null;
      const text = report ? `mkdir -p -m 700 ${report.slice(0, report.lastIndexOf("/"))}\n${wrapWithMarkers(id, command.split(REPORT_PLACEHOLDER).join(report))}` : wrapWithMarkers(id, command);
      const r = await sandbox.exec(text, { timeoutMs: opts.timeoutMs, cwd: "/repo", env: opts.plan.env });
      if (r.exitCode !== 0) await sandbox.assertRunning();
      const marked = extractMarked(r.stdout, id);
      const output = `${marked.body}\n${r.stderr}`;
      opts.onRunOutput?.(output, state, repeat);
      let parsed: ParsedRun;
      if (report && opts.plan.report) {
        const read = await sandbox.exec(`cat ${report} && rm -rf ${report.slice(0, report.lastIndexOf("/"))}`, { timeoutMs: 60_000, maxOutputBytes: REPORT_MAX_BYTES });
        parsed = resultsFromReport(opts.plan.report, read.exitCode === 0 ? read.stdout : null, output, opts.plan.framework);
      } else {
        const printed = parseTestLog(opts.plan.framework, output);
        parsed = { ...printed, notes: [...printed.notes, printedOnlyNote(opts.plan.framework)] };
      }
      out.runs.push(parsed);
      out.evidence.push({
        state,
        repeat,
        exitCode: marked.exitCode,
        timedOut: r.timedOut,
        durationMs: Math.round(r.durationMs),
        tests: Object.keys(parsed.statuses).length,
        ran: parsed.ran,
        notes: parsed.untrusted ? [...parsed.notes, parsed.untrusted] : parsed.notes,
        container: sandbox.id.slice(0, 12),
        logTail: logTailOf(output),
      });
      if (r.timedOut) {
        return { ...out, timedOut: true, error: `the test command did not finish within ${Math.round(opts.timeoutMs / 1000)} s in the ${state.toUpperCase()} run and was killed: ${command}` };
      }
    }
    return out;
  } finally {
    await sandbox.destroy();
  }
}

/**
 * Whose fault a time-out with a patch is: the same command runs once more without the patch
 * (`without`: the other patches, test_patch for a task). If it then finishes, the patch hangs
 * the suite and the returned reason says so (graded unresolved, never retried as infra); if it
 * times out again, or the sandbox fails, null: the environment is at fault (infra-error).
 */
export async function patchCausedTimeout(
  opts: ValidationOptions,
  state: RunState,
  without: { name: string; diff: string; resetTouched?: boolean }[],
  command: string,
): Promise<string | null> {
  const again = await runTestState({ ...opts, runs: 1 }, state, without, command);
  if (again.error) return null;
  const seconds = Math.round(opts.timeoutMs / 1000);
  const took = again.evidence[0] ? ` (${(again.evidence[0].durationMs / 1000).toFixed(1)} s)` : "";
  return `the tests did not finish within ${seconds} s with the patch, and the same tests finish without it${took}: the patch makes the suite hang`;
}

/** The tests a task is judged on: the files its test_patch touches, or the whole suite. */
export function testCommandFor(plan: EnvironmentPlan, testPatch: string, scope: "touched" | "all"): string {
  const files = touchedTestFiles(testPatch);
  return plan.testCommand(scope === "all" || files.length === 0 ? "all" : files);
}

/** The command that runs just these tests (of a run of `command`): by id where the runner takes ids, else their files; null when some id names no file. */
export function commandForTests(plan: EnvironmentPlan, ids: string[], command: string): string | null {
  if (plan.selectTests) return plan.selectTests(ids, command);
  const files = ids.map(fileOfTestId);
  if (files.some((f) => f === null)) return null;
  return plan.testCommand([...new Set(files as string[])]);
}

export async function validateTask(task: { patch: string; testPatch: string }, opts: ValidationOptions): Promise<ValidationResult> {
  const began = performance.now();
  const command = testCommandFor(opts.plan, task.testPatch, opts.scope);
  const testPatch = { name: "test_patch", diff: task.testPatch };
  const goldPatch = { name: "the gold patch", diff: task.patch };
  // Repeats after the first run of each state ask only for the tests whose status differs
  // between the states plus a sample (repeats.ts), decided once both first runs are in.
  let selected: string[] = [];
  const firsts: [Deferred<ParsedRun>, Deferred<ParsedRun>] = [deferred(), deferred()];
  let decision: Promise<string | null> | undefined;
  const decide = async (): Promise<string | null> => {
    const [n, o] = await Promise.all([firsts[0].promise, firsts[1].promise]);
    selected = repeatSelection(n, o);
    if (selected.length === 0) return null;
    return commandForTests(opts.plan, selected, command) ?? command;
  };
  const repeatFor = (i: 0 | 1) => (opts.repeat === "all" ? undefined : async (first: ParsedRun) => {
    firsts[i].resolve(first);
    decision ??= decide();
    return decision;
  });
  // NOP and Oracle are independent: run them side by side. A state that fails before its first
  // run ends still releases the other from waiting.
  const [nop, oracle] = await Promise.all([
    runTestState(opts, "nop", [testPatch], command, repeatFor(0)).finally(() => firsts[0].resolve({ statuses: {}, ran: false, notes: [] })),
    runTestState(opts, "oracle", [testPatch, goldPatch], command, repeatFor(1)).finally(() => firsts[1].resolve({ statuses: {}, ran: false, notes: [] })),
  ]);
  if (opts.repeat !== "all" && decision && selected.length > 0 && (await decision) !== command) {
    for (const state of [nop, oracle]) {
      const first = state.runs[0];
      if (first) state.runs = [first, ...state.runs.slice(1).map((r) => overlayRepeat(first, r, selected))];
    }
  }
  const runs = [...nop.evidence, ...oracle.evidence];
  const timings = {
    prepareMs: [Math.round(nop.prepareMs), Math.round(oracle.prepareMs)],
    firstTestCommandMs: [Math.round(nop.prepareMs), Math.round(oracle.prepareMs)],
    totalMs: Math.round(performance.now() - began),
  };
  const base = { failToPass: [], passToPass: [], flaky: [], runs, testStatuses: {}, command, timings };
  const error = nop.error ?? oracle.error;
  if (error) return { ...base, valid: false, reason: error };
  const c = classifyRuns(nop.runs, oracle.runs);
  // The first run of each state is the full selection (later repeats may ask for fewer tests).
  const shrank = c.invalidReason === null && nop.runs[0] && oracle.runs[0] ? collectionShrank(nop.runs[0], oracle.runs[0]) : null;
  if (shrank !== null) c.invalidReason = `the gold patch makes tests disappear from collection: ${shrank}`;
  const parsed = [...nop.runs, ...oracle.runs];
  const tracked = [...c.failToPass, ...c.passToPass, ...c.flaky].slice(0, 5000);
  return {
    ...base,
    testStatuses: Object.fromEntries(tracked.map((id) => [id, parsed.map((r) => r.statuses[id] ?? "missing")])),
    valid: c.invalidReason === null,
    reason: c.invalidReason,
    failToPass: c.failToPass,
    passToPass: c.passToPass,
    flaky: c.flaky,
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
