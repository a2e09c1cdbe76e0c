// Strategy `llm-modify`: the writer model introduces one subtle bug inside the target function,
// keeping its signature and docstring, adding no comment; checked by function-edit.ts.
import { functionParts, replaceFunction } from "../function-edit.js";
import { codeBlockOf, isRefusal } from "../writer.js";
import type { Attempt, Strategy, StrategyInput } from "../types.js";

export const modifySystem =
  "You help build a benchmark of realistic software bugs. Given a function, return the same function with one subtle logic bug " +
  "of the kind developers make (an off-by-one, a wrong condition, a missed case, a wrong variable). Keep the signature and the " +
  "docstring exactly as they are, add no comment, do not mention the bug, and keep the code valid. Answer with the whole function " +
  "in one fenced code block and nothing else.";

export function modifyPrompt(input: StrategyInput, fileText: string, fnText: string): string {
  return `File: ${input.target.file}\n\nThe file, for context:\n\`\`\`\n${fileText.slice(0, 12_000)}\n\`\`\`\n\nThe function to change (${input.target.symbol}):\n\`\`\`\n${fnText}\n\`\`\``;
}

/** A writer reply made into an LLM bug: the code block checked against the original function. */
export async function llmAttempt(strategy: string, input: StrategyInput, text: string, reply: string): Promise<Attempt> {
  const { target } = input;
  const base = { strategy, operator: strategy.replace(/^llm:/, ""), file: target.file, symbol: target.symbol };
  const code = codeBlockOf(reply);
  if (code === null) return { ok: false, ...base, reason: isRefusal(reply) ? "the writer model refused" : "the writer model returned no code" };
  const parts = await functionParts(text, target);
  if (!parts) return { ok: false, ...base, reason: `no function ${target.symbol} at line ${target.startLine} of ${target.file}` };
  const replaced = await replaceFunction(text, target, parts, code);
  if (!replaced.ok) return { ok: false, ...base, reason: replaced.reason };
  return { ok: true, candidate: { ...base, lines: replaced.lines, bugPatch: replaced.bugPatch, tests: target.tests } };
}

/** The shared loop of the two LLM strategies: `max` asks of the writer, each checked. */
export async function askWriter(strategy: string, input: StrategyInput, prompt: (text: string, fnText: string) => string, system: string): Promise<Attempt[]> {
  const { target, writer } = input;
  const base = { strategy, file: target.file, symbol: target.symbol };
  if (!writer) return [{ ok: false, ...base, reason: "no writer model is configured (LEGO_WRITER_BASE_URL or LEGO_POLICY_BASE_URL)" }];
  const text = await input.repo.read(target.file);
  if (text === undefined) return [{ ok: false, ...base, reason: `${target.file} is not in the snapshot` }];
  const parts = await functionParts(text, target);
  if (!parts) return [{ ok: false, ...base, reason: `no function ${target.symbol} at line ${target.startLine} of ${target.file}` }];
  const out: Attempt[] = [];
  for (let i = 0; i < input.max; i++) {
    let reply: string;
    try {
      reply = await writer.complete(system, prompt(text, parts.text));
    } catch (err) {
      out.push({ ok: false, ...base, reason: (err as Error).message });
      break;
    }
    out.push(await llmAttempt(strategy, input, text, reply));
  }
  return out;
}

export const llmModifyStrategy: Strategy = {
  name: "llm-modify",
  unavailable: ({ writer }) => (writer ? null : "no writer model is configured (LEGO_WRITER_BASE_URL or LEGO_POLICY_BASE_URL)"),
  generate: (input) => askWriter("llm:modify", input, (text, fn) => modifyPrompt(input, text, fn), modifySystem),
};
