// The functions of a source file, as targets: name (Class.method for methods), span and lines.
import type { Node } from "web-tree-sitter";
import { parse, type SourceLanguage } from "./languages.js";
import { descendants } from "./ast/operators.js";

export interface FunctionSpan {
  symbol: string;
  start: number;
  end: number;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
}

const jsFunctions = new Set(["function_declaration", "generator_function_declaration", "method_definition", "function_expression", "arrow_function", "generator_function"]);

/** The name a function is known by, or null for anonymous ones nothing names. */
function nameOf(node: Node): string | null {
  const own = node.childForFieldName("name");
  if (own) return own.text;
  const parent = node.parent;
  if (parent?.type === "variable_declarator" || parent?.type === "assignment_expression" || parent?.type === "pair" || parent?.type === "public_field_definition") {
    const key = parent.childForFieldName("name") ?? parent.childForFieldName("left") ?? parent.childForFieldName("key") ?? parent.childForFieldName("property");
    if (key) return key.text.replace(/^this\./, "");
  }
  return null;
}

/** Class and function names around `node`, outermost first. */
function qualified(node: Node, name: string): string {
  const parts = [name];
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "class_definition" || p.type === "class_declaration" || p.type === "class" || p.type === "abstract_class_declaration") {
      const n = p.childForFieldName("name");
      if (n) parts.unshift(n.text);
    }
  }
  return parts.join(".");
}

export function isFunction(node: Node, language: SourceLanguage): boolean {
  return language === "python" ? node.type === "function_definition" : jsFunctions.has(node.type);
}

/** Every named function of the file, nested ones included, in source order. */
export async function listFunctions(text: string, language: SourceLanguage): Promise<FunctionSpan[]> {
  const tree = await parse(text, language);
  try {
    const out: FunctionSpan[] = [];
    for (const node of descendants(tree.rootNode)) {
      if (!isFunction(node, language)) continue;
      const name = nameOf(node);
      if (!name) continue;
      out.push({ symbol: qualified(node, name), start: node.startIndex, end: node.endIndex, startLine: node.startPosition.row + 1, endLine: node.endPosition.row + 1 });
    }
    return out;
  } finally {
    tree.delete();
  }
}

/** The function node a target names (by symbol and first line) in a fresh tree. */
export function findFunction(root: Node, language: SourceLanguage, symbol: string, startLine: number): Node | null {
  for (const node of descendants(root)) {
    if (!isFunction(node, language) || node.startPosition.row + 1 !== startLine) continue;
    const name = nameOf(node);
    if (name && qualified(node, name) === symbol) return node;
  }
  return null;
}
