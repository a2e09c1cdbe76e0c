// The procedural mutation operators, shared by every language: their names, the operator swaps,
// and what one found site of a mutation is. Each language module finds sites in its own tree.
import type { Node } from "web-tree-sitter";
import type { TextEdit } from "../edits.js";

export const operatorNames = [
  "change_operator",
  "swap_operands",
  "change_constant",
  "break_chain",
  "remove_conditional",
  "remove_loop",
  "remove_assignment",
  "remove_wrapper",
  "invert_if_else",
  "shuffle_lines",
  "remove_base",
  "remove_method",
] as const;
export type OperatorName = (typeof operatorNames)[number];

/** One way to mutate one place: the edits, and the node span for the candidate's lines. */
export interface MutationSite {
  operator: OperatorName;
  edits: TextEdit[];
  /** 1-based lines of the clean file it touches. */
  lines: [number, number];
}

/** What a language module gives the AST strategy: every site inside the function at `fn`. */
export type SiteFinder = (root: Node, text: string, fn: Node) => MutationSite[];

/** Replacement operators: comparisons flip their boundary or sense, arithmetic its inverse, booleans each other. */
export const operatorSwaps: Record<string, string> = {
  "<": "<=",
  "<=": "<",
  ">": ">=",
  ">=": ">",
  "==": "!=",
  "!=": "==",
  "===": "!==",
  "!==": "===",
  "+": "-",
  "-": "+",
  "*": "/",
  "/": "*",
  "//": "/",
  "%": "//",
  "**": "*",
  "<<": ">>",
  ">>": "<<",
  "&": "|",
  "|": "&",
  "^": "&",
  and: "or",
  or: "and",
  "&&": "||",
  "||": "&&",
  "??": "||",
  in: "not in",
  "not in": "in",
  is: "is not",
  "is not": "is",
};

/** Swapping these operands changes nothing observable for the values they usually take. */
export const commutative = new Set(["*", "==", "!=", "===", "!==", "&", "|", "^", "is", "is not"]);

export function linesOf(node: Node): [number, number] {
  return [node.startPosition.row + 1, node.endPosition.row + 1];
}

export function within(node: Node, fn: Node): boolean {
  return node.startIndex >= fn.startIndex && node.endIndex <= fn.endIndex;
}

/** Every descendant of `node` (itself included), depth first in source order. */
export function descendants(node: Node): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop() as Node;
    out.push(n);
    const kids = n.children;
    for (let i = kids.length - 1; i >= 0; i--) {
      const k = kids[i];
      if (k) stack.push(k);
    }
  }
  return out;
}

/** A constant one away: integers and decimals only (no hex, exponents or separators). */
export function bumpedNumber(text: string): string | null {
  if (/^\d+$/.test(text)) return String(BigInt(text) + 1n);
  const m = /^(\d+)\.(\d+)$/.exec(text);
  if (m) return `${BigInt(m[1] as string) + 1n}.${m[2]}`;
  return null;
}
