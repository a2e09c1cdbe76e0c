// The health check made once per environment image: the whole suite at the image's snapshot, in
// a sandbox with the network off. How many tests were collected, passed and failed, and the first
// collection or import error, are recorded with the image, so a broken environment is reported
// once with its cause instead of once per PR.
import type Docker from "dockerode";
import type { SandboxLimits } from "../../sandbox/limits.js";
import { stripAnsi } from "../../sandbox/test-logs/log-text.js";
import { runTestState } from "../validation/validate.js";
import type { EnvironmentPlan } from "./types.js";

export interface EnvironmentHealth {
  /** Whether the log shows the suite ran at all. */
  ran: boolean;
  collected: number;
  passed: number;
  failed: number;
  /** The first collection or import error (module and exception), when there was one. */
  firstError: string | null;
  durationMs: number;
  /** Why the check itself could not run (the sandbox failed, a time-out). */
  error?: string;
}

const PATTERNS: RegExp[] = [
  // pytest: "E   ModuleNotFoundError: No module named 'hypothesis'" under "ERROR collecting tests/x.py".
  /^E\s+((?:ModuleNotFoundError|ImportError|SyntaxError|AttributeError|NameError|TypeError|\w+Error): .+)$/m,
  // unittest: "ImportError: Failed to import test module: x" then the exception.
  /^((?:ModuleNotFoundError|ImportError): .+)$/m,
  // node: "Error: Cannot find module 'x'", "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'x'",
  // also behind mocha's "✖ ERROR: " (a --require that fails) or "Exception during run: ".
  /^[#\s]*(?:✖\s*ERROR:\s*|Exception during run:\s*)?((?:Error|SyntaxError|TypeError|ReferenceError)(?: \[[A-Z_]+\])?: (?:Cannot find (?:module|package)|Unexpected token|Cannot use import).+)$/m,
];

/**
 * Pure: the first collection or import error in a test log (the earliest line any pattern
 * matches, wherever it is in the log), with where it was collected when the log says.
 */
export function firstSuiteError(coloured: string): string | null {
  // pytest colours its output ("\x1b[1m\x1b[31mE   ModuleNotFoundError…"): the patterns read the text.
  const log = stripAnsi(coloured);
  let first: RegExpExecArray | undefined;
  for (const re of PATTERNS) {
    const m = re.exec(log);
    if (m?.[1] && (!first || m.index < first.index)) first = m;
  }
  if (!first?.[1]) return null;
  // Where: the nearest collection header before the error, looked for in the preceding 64 KB.
  const before = log.slice(Math.max(0, first.index - 65_536), first.index);
  const where = [...before.matchAll(/(?:ERROR collecting|_+ ERROR collecting) (\S+)|Failed to import test module: (\S+)|FAIL (\S+\.[cm]?[jt]sx?)/g)].pop();
  const at = where ? (where[1] ?? where[2] ?? where[3]) : undefined;
  return `${first[1].trim().slice(0, 300)}${at ? ` (collecting ${at})` : ""}`;
}

export async function checkEnvironmentHealth(
  opts: { docker: Docker; image: string; plan: EnvironmentPlan; repoDir: string; repoHead: string; timeoutMs: number; limits?: Partial<SandboxLimits> },
): Promise<EnvironmentHealth> {
  const began = Date.now();
  // The whole output, not the evidence's last 8 KB: a collection error printed early in a long
  // log (pytest's ERRORS section before thousands of results, jest's first failing file) counts.
  let output = "";
  const outcome = await runTestState(
    { ...opts, singleCommit: true, runs: 1, scope: "all", labels: { "org.legofactory.role": "env-health" }, onRunOutput: (text) => { output ||= text; } },
    "baseline",
    [],
    opts.plan.testCommand("all"),
  );
  const run = outcome.runs[0];
  const statuses = Object.values(run?.statuses ?? {});
  const log = output || (outcome.evidence[0]?.logTail ?? "");
  return {
    ran: run?.ran ?? false,
    collected: statuses.length,
    passed: statuses.filter((s) => s === "PASSED" || s === "XFAIL").length,
    failed: statuses.filter((s) => s === "FAILED" || s === "ERROR").length,
    firstError: firstSuiteError(log),
    durationMs: Date.now() - began,
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}

/** What a user can set in `.github/lego.yml` when the image's suite fails to import or to run at all. */
export const HEALTH_HINTS = {
  importError: "the environment lacks what the tests import: set sandbox.install in .github/lego.yml to the commands that install it, or sandbox.image to an image that has it",
  didNotRun: "set sandbox.testCmd in .github/lego.yml to the command that runs the tests (or sandbox.install / sandbox.image when the runner itself is missing)",
} as const;

/** The health-check sentence a task whose run shows no evidence of the suite quotes, with what to set. */
export function healthNote(h: EnvironmentHealth | null | undefined): string {
  if (!h) return "";
  if (h.firstError) return `; at image build the whole suite collected ${h.collected} test(s) and its first error was: ${h.firstError}; ${HEALTH_HINTS.importError}`;
  if (!h.ran) return `; at image build the whole suite did not run either${h.error ? ` (${h.error})` : ""}; ${HEALTH_HINTS.didNotRun}`;
  return "";
}
