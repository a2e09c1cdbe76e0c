// Why a bash command that ran to completion exited non-zero: because the command itself could
// not run (not found, a shell syntax error, a program waiting for input that never comes), or
// because what it ran failed — a failing test, a reproduced bug — which is the agent doing its
// job. The step records the difference; SFT error masking depends on it. Pure.
import type { StepErrorKind } from "./types.js";

export type BashFailureKind = Extract<StepErrorKind, "command-not-found" | "shell-syntax" | "interactive-prompt" | "nonzero-exit">;

// bash, sh (dash) and `bash -c` prefix their own errors with the shell's name; a script's own
// syntax error carries the script's name instead and is the code under test failing.
const SHELL = String.raw`^(?:/(?:usr/)?bin/)?(?:ba|da)?sh: (?:eval: |-c: )?(?:line \d+: |\d+: )?`;

/** 127: not found; 126: found but not executable. The shell says which command. */
const NOT_FOUND = new RegExp(`${SHELL}.*(?:command not found|: not found|No such file or directory|Permission denied|cannot execute)`, "m");

/** bash exits 2 when it cannot parse the command line. */
const SYNTAX = new RegExp(`${SHELL}(?:syntax error|unexpected EOF while looking for matching|warning: here-document at line \\d+ delimited by end-of-file)`, "m");

// stdin is /dev/null, so a program that asks a question reads end-of-file and gives up; these
// are the words it leaves behind.
const PROMPTS: readonly RegExp[] = [
  /^EOFError: EOF when reading a line$/m,
  /\[(?:y\/n|yes\/no)\]\??:? *(?:Abort\.?)?\s*$/i,
  /\((?:y\/n|yes\/no)\)\??:? *\s*$/i,
  /(?:^|\s)[Pp]assword(?: for [^:\n]+)?: *\s*$/,
  /\bPress (?:any key|ENTER|RETURN)\b/i,
  /\b(?:Input is not from a terminal|a terminal is required|no tty present|Terminal is dumb, but EDITOR unset)\b/,
];

/** Only the end of a long output can hold a prompt that was left waiting. */
const PROMPT_TAIL_CHARS = 2_000;

/** Classifies a command that ran to completion (not timed out) and exited with `exitCode` ≠ 0. */
export function classifyBashFailure(output: string, exitCode: number): BashFailureKind {
  if ((exitCode === 127 || exitCode === 126) && NOT_FOUND.test(output)) return "command-not-found";
  if (exitCode === 2 && SYNTAX.test(output)) return "shell-syntax";
  const tail = output.length > PROMPT_TAIL_CHARS ? output.slice(-PROMPT_TAIL_CHARS) : output;
  if (PROMPTS.some((prompt) => prompt.test(tail))) return "interactive-prompt";
  return "nonzero-exit";
}
