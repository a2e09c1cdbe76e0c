// Slash commands in issue and PR comments. One function reads them; the handler checks the
// commenter's permission (requiredPermission) before anything else happens.

export type Command =
  /** `k` absent: the repository's configured number of rollouts. */
  | { kind: "fix"; k?: number }
  /** `feedback`: the comment's lines after the command, for a follow-up on a LegoFactory PR. */
  | { kind: "retry"; k?: number; feedback?: string }
  | { kind: "stop" }
  | { kind: "explain" }
  | { kind: "help" }
  /** Answered with the help text. */
  | { kind: "unknown"; name: string }
  /** Answered with `message`, which says what was wrong and what to write instead. */
  | { kind: "invalid"; message: string };

type Known = "fix" | "retry" | "stop" | "explain" | "help";

const PREFIX = "/lego";
const MAX_K = 16;

const COMMANDS: Record<Known, { args: string; description: string; takesK: boolean }> = {
  fix: { args: "[k=N]", description: "Run N rollouts (1–16; default: the repository's setting) on this issue and open the best as a draft pull request.", takesK: true },
  retry: {
    args: "[k=N]",
    description: "Try again with fresh rollouts, replacing the previous attempt's candidate. On a LegoFactory pull request, lines written below the command are review feedback: the rollouts start from the pull request's head and the result is pushed to it as a new commit.",
    takesK: true,
  },
  stop: { args: "", description: "Stop the running attempt; rollouts in flight are cancelled and nothing is opened.", takesK: false },
  explain: { args: "", description: "Show how the current candidate was chosen: every rollout, its outcome, its verifier score and why it was dropped.", takesK: false },
  help: { args: "", description: "Show this list.", takesK: false },
};

function isKnown(name: string): name is Known {
  return Object.hasOwn(COMMANDS, name);
}

/** Echoes the commenter's text as a code span that cannot break out (and so cannot ping anyone). */
function quoted(text: string): string {
  const clean = text.replace(/`/g, "'");
  return `\`${clean.length > 40 ? `${clean.slice(0, 40)}…` : clean}\``;
}

function usage(name: Known): string {
  const { args } = COMMANDS[name];
  return `\`${PREFIX} ${name}${args ? ` ${args}` : ""}\``;
}

/**
 * The command in a comment, or null when the comment holds none.
 *
 * - Only the first non-blank line counts, trimmed; a command further down is ordinary text.
 * - A first line that is a quote (`>`), a code fence, or indented code is not a command: quoting
 *   or showing a command must not run it.
 * - `/lego` must be its own word, in any case: `/legofix` is not a command, `/LEGO Fix` is.
 * - `/lego` alone is `help`; an unrecognised name is `unknown` (answered with help).
 * - Arguments are `key=value`; the only key is `k` (an integer 1–16) for `fix` and `retry`.
 * - Anything else after the command is rejected (`invalid`) rather than ignored, so that
 *   "/lego stop it after this one" or "/lego retry with k=4" never runs something other than
 *   what the writer meant.
 * - For `retry`, the lines below the command (trimmed, when not blank) are its `feedback`.
 */
export function parseCommand(body: string): Command | null {
  const raw = body.split(/\r?\n/).find((line) => line.trim() !== "");
  if (raw === undefined || /^( {4}|\t)/.test(raw)) return null;
  const line = raw.trim();
  if (line.startsWith(">") || line.startsWith("```") || line.startsWith("~~~")) return null;
  const [prefix, name, ...args] = line.split(/\s+/);
  if (prefix?.toLowerCase() !== PREFIX) return null;
  if (name === undefined) return { kind: "help" };
  const command = name.toLowerCase();
  if (!isKnown(command)) return { kind: "unknown", name };

  let k: number | undefined;
  for (const arg of args) {
    if (!COMMANDS[command].takesK) return { kind: "invalid", message: `${usage(command)} takes no arguments (got ${quoted(arg)}).` };
    const match = /^([^=]+)=(.*)$/.exec(arg);
    if (!match) {
      return { kind: "invalid", message: `${quoted(arg)} is not an argument of ${usage(command)}: arguments are written \`key=value\`, and nothing else may follow the command.` };
    }
    const key = (match[1] as string).toLowerCase();
    const value = match[2] as string;
    if (key !== "k") return { kind: "invalid", message: `${usage(command)} does not know ${quoted(match[1] as string)}: the only argument is \`k=N\`.` };
    if (k !== undefined) return { kind: "invalid", message: "`k` is given twice; give it once." };
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(n) || n < 1 || n > MAX_K) {
      return { kind: "invalid", message: `${quoted(`k=${value}`)} is not a number of rollouts: k must be a whole number from 1 to ${MAX_K}.` };
    }
    k = n;
  }
  if (command === "retry") {
    const rest = body.split(/\r?\n/);
    const feedback = rest.slice(rest.indexOf(raw) + 1).join("\n").trim();
    return { kind: command, ...(k === undefined ? {} : { k }), ...(feedback ? { feedback } : {}) };
  }
  if (command === "fix") return k === undefined ? { kind: command } : { kind: command, k };
  return { kind: command };
}

/** Commands that start or stop work need write access; the ones that only answer need read. */
export function requiredPermission(command: Command): "write" | "read" {
  switch (command.kind) {
    case "fix":
    case "retry":
    case "stop":
      return "write";
    case "explain":
    case "help":
    case "unknown":
    case "invalid":
      return "read";
  }
}

export function helpText(): string {
  const rows = (Object.keys(COMMANDS) as Known[]).map((name) => `| ${usage(name)} | ${COMMANDS[name].description} |`);
  return [
    "### LegoFactory commands",
    "",
    "Write a command on the first line of a comment. `fix`, `retry` and `stop` need write access to the repository.",
    "",
    "| Command | What it does |",
    "|---|---|",
    ...rows,
  ].join("\n");
}
