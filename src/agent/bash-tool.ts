// `execute_bash`: the command's timeout, and the observation in OpenHands' words (exit code,
// working directory and interpreter lines after the output).
import type { ToolAction } from "./arguments.js";
import { classifyBashFailure } from "./bash-failure.js";
import { truncateMiddle } from "./truncate.js";
import type { StepErrorKind } from "./types.js";
import type { BashRun } from "./workspace.js";

export interface BashRunner {
  bash(command: string, timeoutMs: number): Promise<BashRun>;
}

export interface BashLimits {
  defaultSec: number;
  maxSec: number;
  /** What is left of the rollout's wall-clock budget. */
  remainingMs: number;
  maxOutputChars: number;
}

export interface BashResult {
  observation: string;
  exitCode: number | null;
  errorKind?: StepErrorKind;
  corrected: string[];
}

type BashAction = Extract<ToolAction, { tool: "execute_bash" }>;

const SPECIAL_KEYS = new Set(["C-c", "C-d", "C-z"]);

// Our shell never leaves a process waiting: stdin is /dev/null and a timed-out command is
// killed. So input for a "running process" has nowhere to go; OpenHands says the same when
// nothing is running.
const NOT_INTERACTIVE =
  "Commands here run non-interactively (stdin is empty, and a command that times out is killed), so no process is ever waiting for input.";

export async function runBash(action: BashAction, runner: BashRunner, limits: BashLimits): Promise<BashResult> {
  const command = action.command.trim();
  if (action.isInput || SPECIAL_KEYS.has(command)) {
    return { observation: `ERROR: No previous running command to interact with. ${NOT_INTERACTIVE}`, exitCode: null, errorKind: "not-interactive", corrected: [] };
  }
  if (command === "") {
    return { observation: `ERROR: No previous running command to retrieve logs from. ${NOT_INTERACTIVE}`, exitCode: null, errorKind: "not-interactive", corrected: [] };
  }
  const corrected: string[] = [];
  let seconds = action.timeoutSec ?? limits.defaultSec;
  if (seconds > limits.maxSec) {
    corrected.push(`timeout: ${seconds} s is above the ${limits.maxSec} s cap; clipped to ${limits.maxSec}`);
    seconds = limits.maxSec;
  }
  // Never past the rollout's own deadline.
  const timeoutMs = Math.max(1000, Math.min(seconds * 1000, limits.remainingMs));
  const run = await runner.bash(action.command, timeoutMs);
  return {
    observation: formatBashObservation(run, timeoutMs / 1000, limits.maxSec, limits.maxOutputChars),
    exitCode: run.exitCode,
    ...(run.timedOut ? { errorKind: "timeout" as const } : run.exitCode !== 0 ? { errorKind: classifyBashFailure(run.output, run.exitCode) } : {}),
    corrected,
  };
}

/** OpenHands' CmdOutputObservation as the model sees it. */
export function formatBashObservation(run: BashRun, timeoutSec: number, maxSec: number, maxOutputChars: number): string {
  let text = truncateMiddle(run.output.replace(/\n+$/, ""), maxOutputChars);
  if (run.timedOut) {
    text +=
      `\n[The command timed out after ${formatSeconds(timeoutSec)} seconds and was killed. ` +
      `Run long commands in the background with output redirected to a file, or set the timeout parameter (up to ${maxSec} seconds) for future commands.]`;
  } else {
    text += `\n[The command completed with exit code ${run.exitCode}.]`;
  }
  if (run.restarted) {
    text += `\n[The shell session was restarted because ${run.restarted}; the working directory and environment variables were reset.]`;
  }
  if (run.cwd) text += `\n[Current working directory: ${run.cwd}]`;
  if (run.python) text += `\n[Python interpreter: ${run.python}]`;
  if (!run.timedOut) text += `\n[Command finished with exit code ${run.exitCode}]`;
  return text;
}

function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1);
}
