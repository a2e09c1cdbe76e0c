// Issue text for a synthetic task: the writer model drafts a problem statement a user could have
// filed, from the bug diff, the failing tests' output and real issues of the repository as style
// examples; a leak check rejects text that gives the task away. Without a writer (or when it
// keeps leaking) a template built from the failing behaviour is used, under the same check.
import { parseDiff } from "../diff/index.js";
import type { Writer } from "./types.js";

export interface IssueFacts {
  repo: string;
  file: string;
  symbol: string;
  bugPatch: string;
  fixPatch: string;
  failToPass: string[];
  /** What the failing tests printed with the bug in place (cut to a few KB). */
  failureOutput: string;
  /** Up to two real issues of the repository, as style examples. */
  examples: string[];
}

export interface IssueText {
  text: string;
  source: "writer" | "template";
  /** Why each rejected draft was rejected, in order. */
  rejections: string[];
}

/** Lines shorter than this (`}`, `pass`, `return x`) are too common to count as quoting the fix. */
const MIN_QUOTED = 12;
const giveaway = /\b(?:mutat\w*|inject\w*|synthetic\w*|(?:bug|defect|fault) (?:was|has been) (?:introduced|added|planted)|introduced (?:a|the) bug)\b/i;

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

/** The ways a test id can be named in prose: the whole id and its last part. */
function testNames(id: string): string[] {
  const last = id.split(/::|›|>|\s+/).filter(Boolean).pop() ?? id;
  const bare = last.replace(/\[.*\]$/, "").replace(/\(.*\)$/, "");
  return [...new Set([id, last, bare].map((s) => s.trim()).filter((s) => s.length >= 6))];
}

/** Pure: why `text` leaks the task, or null when it does not. */
export function leakReason(text: string, facts: Pick<IssueFacts, "bugPatch" | "fixPatch" | "failToPass"> & { symbol?: string }): string | null {
  const lower = text.toLowerCase();
  // A test named after the function itself ("repeat") cannot be kept out of a report about it.
  const own = new Set((facts.symbol ?? "").toLowerCase().split("."));
  for (const id of facts.failToPass) {
    const named = testNames(id).find((n) => !own.has(n.toLowerCase()) && lower.includes(n.toLowerCase()));
    if (named) return `it names the failing test ${JSON.stringify(named)}`;
  }
  const prose = squash(text);
  for (const diff of [facts.fixPatch, facts.bugPatch]) {
    for (const file of safeParse(diff)) {
      for (const line of [...file.added, ...file.removed]) {
        const code = squash(line);
        if (code.length >= MIN_QUOTED && prose.includes(code)) return `it quotes a changed line of the ${diff === facts.fixPatch ? "fix" : "bug diff"}: ${JSON.stringify(code.slice(0, 80))}`;
      }
    }
  }
  const word = giveaway.exec(text);
  if (word) return `it mentions how the bug was made (${JSON.stringify(word[0])})`;
  return null;
}

function safeParse(diff: string): { added: string[]; removed: string[] }[] {
  try {
    return parseDiff(diff).map((f) => ({ added: f.addedLines, removed: f.removedLines }));
  } catch {
    return [];
  }
}

export const issueSystem =
  "You write GitHub issues the way this project's users do. Describe a problem a user noticed: what they did, what they expected and " +
  "what happened instead. Never show or suggest the fix, never quote the changed code, never name the project's tests, and never say " +
  "that the bug was introduced on purpose. Answer with the issue body only (a title line is fine).";

export function issuePrompt(facts: IssueFacts, rejection?: string): string {
  const examples = facts.examples.slice(0, 2).map((e, i) => `Example issue ${i + 1}:\n"""\n${e.slice(0, 2000)}\n"""`).join("\n\n");
  return [
    `Repository: ${facts.repo}. The behaviour of ${facts.symbol} (in ${facts.file}) changed as this diff shows:`,
    "```diff",
    facts.bugPatch.slice(0, 6000),
    "```",
    "What the project's tests printed with this change:",
    "```",
    facts.failureOutput.slice(-4000),
    "```",
    examples ? `Write in the style of these real issues of the repository:\n\n${examples}` : "",
    rejection ? `Your previous draft was rejected because ${rejection}. Write it again without that.` : "",
  ]
    .filter(Boolean)
    .join("\n");
}

/** The failing behaviour in the output: an exception and its message, or expected against actual. */
export function failingBehaviour(output: string): { kind: "exception"; type: string; message: string } | { kind: "mismatch"; expected: string; actual: string } | null {
  const jest = /Expected:?\s+(.+)\n\s*Received:?\s+(.+)/.exec(output);
  if (jest) return { kind: "mismatch", expected: (jest[1] as string).trim(), actual: (jest[2] as string).trim() };
  const nodeAssert = /expected:\s*(.+)\n\s*actual:\s*(.+)/i.exec(output);
  if (nodeAssert) return { kind: "mismatch", expected: (nodeAssert[1] as string).trim(), actual: (nodeAssert[2] as string).trim() };
  const pyAssert = /^E\s+assert (.+?) == (.+)$/m.exec(output);
  if (pyAssert) return { kind: "mismatch", expected: (pyAssert[2] as string).trim(), actual: (pyAssert[1] as string).trim() };
  const exc = /^(?:E\s+)?([A-Za-z_][\w.]*(?:Error|Exception|Exit|Warning)):\s*(.*)$/m.exec(output);
  if (exc) return { kind: "exception", type: exc[1] as string, message: (exc[2] as string).trim() };
  return null;
}

/** Pure: the template issue, from the failing behaviour alone. */
export function templateIssue(facts: IssueFacts, detail = true): string {
  const behaviour = detail ? failingBehaviour(facts.failureOutput) : null;
  const title = `${facts.symbol} misbehaves`;
  const body =
    behaviour?.kind === "exception"
      ? `Calling \`${facts.symbol}\` (in \`${facts.file}\`) now fails with \`${behaviour.type}${behaviour.message ? `: ${behaviour.message}` : ""}\` in a case that used to work.`
      : behaviour?.kind === "mismatch"
        ? `\`${facts.symbol}\` (in \`${facts.file}\`) returns the wrong result: I expected \`${behaviour.expected}\` but got \`${behaviour.actual}\`.`
        : `\`${facts.symbol}\` (in \`${facts.file}\`) does not behave as documented: code that relies on it gets wrong results.`;
  return `${title}\n\n${body}\n\nSteps to reproduce: call \`${facts.symbol}\` the way the documentation describes and compare the result with what it promises.`;
}

/** The writer's draft, a second draft after a leak, then the template (with detail, then without). */
export async function writeIssue(facts: IssueFacts, writer: Writer | null): Promise<IssueText> {
  const rejections: string[] = [];
  if (writer) {
    let rejection: string | undefined;
    for (let i = 0; i < 2; i++) {
      let draft: string;
      try {
        draft = (await writer.complete(issueSystem, issuePrompt(facts, rejection))).trim();
      } catch (err) {
        rejections.push((err as Error).message);
        break;
      }
      rejection = draft ? (leakReason(draft, facts) ?? undefined) : "it was empty";
      if (!rejection) return { text: draft, source: "writer", rejections };
      rejections.push(rejection);
    }
  }
  for (const detail of [true, false]) {
    const text = templateIssue(facts, detail);
    const leak = leakReason(text, facts);
    if (!leak) return { text, source: "template", rejections };
    rejections.push(`template: ${leak}`);
  }
  const last = `${facts.symbol} misbehaves\n\nCode that relies on \`${facts.symbol}\` gets wrong results.`;
  return { text: last, source: "template", rejections };
}
