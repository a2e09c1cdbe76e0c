// Strategy `llm-rewrite`: the writer model re-implements the target function from its signature
// and docstring alone; the rest of the file is unchanged. A rewrite that differs from the
// original in behaviour is a bug the tests can find (validation decides).
import { functionParts } from "../function-edit.js";
import type { Strategy, StrategyInput } from "../types.js";
import { askWriter } from "./llm-modify.js";

export const rewriteSystem =
  "You implement functions from their signature and documentation. Return the complete function: the signature and docstring " +
  "exactly as given, and a body you write. Add no comments. Answer with the function in one fenced code block and nothing else.";

/** The prompt shows the file with the function's body removed, so the model cannot copy it. */
export function rewritePrompt(input: StrategyInput, fileText: string, header: string, docstring: string, start: number, end: number): string {
  const stub = input.target.language === "python" ? `${header}\n    ${docstring || '"""…"""'}\n    ...` : `${docstring ? `${docstring}\n` : ""}${header} { /* … */ }`;
  const context = `${fileText.slice(0, start)}${stub}${fileText.slice(end)}`.slice(0, 12_000);
  return `File: ${input.target.file}\n\nThe file, with ${input.target.symbol}'s body left out:\n\`\`\`\n${context}\n\`\`\`\n\nImplement ${input.target.symbol}:\n\`\`\`\n${stub}\n\`\`\``;
}

export const llmRewriteStrategy: Strategy = {
  name: "llm-rewrite",
  unavailable: ({ writer }) => (writer ? null : "no writer model is configured (LEGO_WRITER_BASE_URL or LEGO_POLICY_BASE_URL)"),
  async generate(input) {
    const text = (await input.repo.read(input.target.file)) ?? "";
    const parts = await functionParts(text, input.target);
    const prompt = () => (parts ? rewritePrompt(input, text, parts.header, parts.docstring, parts.start, parts.end) : "");
    return askWriter("llm:rewrite", input, prompt, rewriteSystem);
  },
};
