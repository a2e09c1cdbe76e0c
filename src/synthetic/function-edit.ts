// Replacing one function's text with what the writer model returned, and the checks an LLM bug
// must pass: the file parses, the signature and docstring are as they were, no comment was
// added (it could name the bug), and something changed.
import type { Node } from "web-tree-sitter";
import { createDiff } from "../diff/index.js";
import { descendants } from "./ast/operators.js";
import { indentAt } from "./edits.js";
import { findFunction } from "./functions.js";
import { parse, parseProblem, type SourceLanguage } from "./languages.js";
import type { Target } from "./types.js";

export interface FunctionParts {
  /** The whole function as written (decorators excluded). */
  text: string;
  /** From the function's start to its body: name, parameters, annotations. */
  header: string;
  /** Python: the docstring literal; JS/TS: a leading JSDoc comment. Empty when none. */
  docstring: string;
  body: string;
  comments: string[];
  start: number;
  end: number;
  indent: string;
}

function docstringOf(fn: Node, body: Node, language: SourceLanguage, text: string): string {
  if (language === "python") {
    const first = body.namedChildren[0];
    return first?.type === "expression_statement" && first.namedChildren[0]?.type === "string" ? first.text : "";
  }
  const before = text.slice(0, fn.startIndex);
  const m = /\/\*\*[\s\S]*?\*\/\s*$/.exec(before);
  return m ? m[0].trim() : "";
}

export async function functionParts(text: string, target: Pick<Target, "language" | "symbol" | "startLine">): Promise<FunctionParts | null> {
  const tree = await parse(text, target.language);
  try {
    const fn = findFunction(tree.rootNode, target.language, target.symbol, target.startLine);
    const body = fn?.childForFieldName("body");
    if (!fn || !body) return null;
    return {
      text: fn.text,
      header: text.slice(fn.startIndex, body.startIndex).trimEnd(),
      docstring: docstringOf(fn, body, target.language, text),
      body: body.text,
      comments: descendants(fn).filter((n) => n.type === "comment").map((n) => n.text.trim()),
      start: fn.startIndex,
      end: fn.endIndex,
      indent: indentAt(text, fn.startIndex),
    };
  } finally {
    tree.delete();
  }
}

/** Model code at column 0 (or any common indent) moved to where the function starts. */
export function reindent(code: string, indent: string): string {
  const lines = code.replace(/^\s*\n/, "").split("\n");
  const common = Math.min(...lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0));
  return lines.map((l, i) => (l.trim() ? (i === 0 ? "" : indent) + l.slice(common) : "")).join("\n");
}

export type Replaced = { ok: true; after: string; bugPatch: string; lines: [number, number] } | { ok: false; reason: string };

/** The file with the function replaced by `code`, checked as every LLM bug must be. */
export async function replaceFunction(text: string, target: Target, parts: FunctionParts, code: string): Promise<Replaced> {
  const after = text.slice(0, parts.start) + reindent(code, parts.indent) + text.slice(parts.end);
  if (after === text) return { ok: false, reason: "the writer returned the function unchanged" };
  const problem = await parseProblem(after, target.language);
  if (problem !== null) return { ok: false, reason: `the writer's code does not parse: ${problem}` };
  const now = await functionParts(after, target);
  if (!now) return { ok: false, reason: `the writer's code no longer defines ${target.symbol} where it was` };
  if (now.header.replace(/\s+/g, " ") !== parts.header.replace(/\s+/g, " ")) return { ok: false, reason: `the writer changed the signature of ${target.symbol}` };
  if (now.docstring !== parts.docstring) return { ok: false, reason: `the writer changed the docstring of ${target.symbol}` };
  const added = now.comments.filter((c) => !parts.comments.includes(c));
  if (added.length > 0) return { ok: false, reason: `the writer added a comment (${JSON.stringify(added[0]?.slice(0, 60))}), which could reveal the bug` };
  if (now.body.replace(/\s+/g, "") === parts.body.replace(/\s+/g, "")) return { ok: false, reason: "the writer changed nothing but whitespace" };
  return { ok: true, after, bugPatch: createDiff([{ path: target.file, before: text, after }]), lines: [target.startLine, target.endLine] };
}
