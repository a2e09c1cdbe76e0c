// Mutation sites in JavaScript and TypeScript, on tree-sitter-javascript's and
// tree-sitter-typescript's trees (same node types for what the operators touch).
import type { Node } from "web-tree-sitter";
import { dedent, indentAt, removal, type TextEdit } from "../edits.js";
import { bumpedNumber, commutative, descendants, linesOf, type MutationSite, operatorSwaps, type SiteFinder, within } from "./operators.js";

const containers = new Set(["statement_block", "program", "class_body", "switch_case", "switch_default"]);
const loops = new Set(["for_statement", "for_in_statement", "while_statement", "do_statement"]);
/** Swaps from the shared table that are not JavaScript (`//` would even start a comment). */
const pythonOnly = new Set(["//", "and", "or", "in", "not in", "is", "is not"]);
const declarations = new Set(["lexical_declaration", "variable_declaration"]);

/** A statement gone: its lines, or an empty block where the grammar needs a statement. */
function removeStatement(text: string, stmt: Node): TextEdit {
  if (stmt.parent && containers.has(stmt.parent.type)) return removal(text, stmt.startIndex, stmt.endIndex);
  return { start: stmt.startIndex, end: stmt.endIndex, text: "{}" };
}

const statementsOf = (block: Node): Node[] => block.namedChildren.filter((c): c is Node => c !== null && c.type !== "comment");

/** `try { … } catch …` replaced by the statements of its block, moved out one level. */
function unwrapBlock(text: string, stmt: Node, block: Node): TextEdit | null {
  const inner = statementsOf(block);
  if (inner.length === 0) return removeStatement(text, stmt);
  const first = inner[0] as Node;
  const last = inner[inner.length - 1] as Node;
  const body = text.slice(first.startIndex, last.endIndex);
  if (first.startPosition.row === block.startPosition.row) return { start: stmt.startIndex, end: stmt.endIndex, text: body };
  const moved = dedent(body, indentAt(text, first.startIndex).length - indentAt(text, stmt.startIndex).length);
  return moved === null ? null : { start: stmt.startIndex, end: stmt.endIndex, text: moved };
}

function oneLineSimple(n: Node): boolean {
  return (n.type === "expression_statement" || declarations.has(n.type)) && n.startPosition.row === n.endPosition.row;
}

export const javascriptSites: SiteFinder = (_root, text, fn) => {
  const sites: MutationSite[] = [];
  const add = (operator: MutationSite["operator"], node: Node, edits: (TextEdit | null)[]) => {
    if (edits.every((e): e is TextEdit => e !== null)) sites.push({ operator, edits, lines: linesOf(node) });
  };
  for (const node of descendants(fn)) {
    if (!within(node, fn)) continue;
    switch (node.type) {
      case "binary_expression": {
        const left = node.childForFieldName("left");
        const op = node.childForFieldName("operator");
        const right = node.childForFieldName("right");
        if (!left || !op || !right) break;
        const swap = op.text === "%" ? "/" : operatorSwaps[op.text];
        if (swap && !pythonOnly.has(swap)) add("change_operator", node, [{ start: op.startIndex, end: op.endIndex, text: swap }]);
        if (!commutative.has(op.text) && left.text !== right.text) {
          add("swap_operands", node, [
            { start: left.startIndex, end: left.endIndex, text: right.text },
            { start: right.startIndex, end: right.endIndex, text: left.text },
          ]);
        }
        if (left.type === "binary_expression") add("break_chain", node, [{ start: node.startIndex, end: node.endIndex, text: left.text }]);
        break;
      }
      case "number": {
        const bumped = bumpedNumber(node.text);
        if (bumped !== null) add("change_constant", node, [{ start: node.startIndex, end: node.endIndex, text: bumped }]);
        break;
      }
      case "if_statement": {
        add("remove_conditional", node, [removeStatement(text, node)]);
        const consequence = node.childForFieldName("consequence");
        const alternative = node.childForFieldName("alternative");
        const otherwise = alternative?.namedChildren.find((c): c is Node => c !== null && c.type !== "comment");
        if (consequence && otherwise && otherwise.type !== "if_statement") {
          add("invert_if_else", node, [
            { start: consequence.startIndex, end: consequence.endIndex, text: otherwise.text },
            { start: otherwise.startIndex, end: otherwise.endIndex, text: consequence.text },
          ]);
        }
        break;
      }
      case "expression_statement": {
        const inner = node.namedChildren[0];
        if (inner && (inner.type === "assignment_expression" || inner.type === "augmented_assignment_expression")) add("remove_assignment", node, [removeStatement(text, node)]);
        break;
      }
      case "lexical_declaration":
      case "variable_declaration":
        if (node.namedChildren.some((d) => d?.type === "variable_declarator" && d.childForFieldName("value"))) add("remove_assignment", node, [removeStatement(text, node)]);
        break;
      case "try_statement": {
        const body = node.childForFieldName("body");
        if (body) add("remove_wrapper", node, [unwrapBlock(text, node, body)]);
        break;
      }
      case "statement_block": {
        const stmts = statementsOf(node);
        for (let i = 0; i + 1 < stmts.length; i++) {
          const a = stmts[i] as Node;
          const b = stmts[i + 1] as Node;
          if (!oneLineSimple(a) || !oneLineSimple(b) || a.text === b.text || a.endPosition.row === b.startPosition.row) continue;
          sites.push({
            operator: "shuffle_lines",
            edits: [
              { start: a.startIndex, end: a.endIndex, text: b.text },
              { start: b.startIndex, end: b.endIndex, text: a.text },
            ],
            lines: [a.startPosition.row + 1, b.endPosition.row + 1],
          });
        }
        break;
      }
      default:
        if (loops.has(node.type)) add("remove_loop", node, [removeStatement(text, node)]);
    }
  }
  sites.push(...classSites(text, fn));
  return sites;
};

/** A method target: its class loses `extends`, or the class loses the method. */
function classSites(text: string, fn: Node): MutationSite[] {
  const out: MutationSite[] = [];
  const body = fn.type === "method_definition" ? fn.parent : null;
  const cls = body?.type === "class_body" ? body.parent : null;
  if (!cls) return out;
  out.push({ operator: "remove_method", edits: [removal(text, fn.startIndex, fn.endIndex)], lines: linesOf(fn) });
  const heritage = cls.namedChildren.find((c): c is Node => c?.type === "class_heritage");
  if (heritage) {
    const parts = heritage.namedChildren.filter((c): c is Node => c !== null);
    const extendsClause = parts.find((c) => c.type === "extends_clause");
    // JavaScript's class_heritage is `extends X` itself; TypeScript's holds extends and implements clauses.
    const gone = extendsClause ? (parts.length === 1 ? heritage : extendsClause) : heritage.text.startsWith("extends") ? heritage : null;
    if (gone) {
      let start = gone.startIndex;
      while (start > 0 && /[ \t]/.test(text[start - 1] as string)) start--;
      out.push({ operator: "remove_base", edits: [{ start, end: gone.endIndex, text: "" }], lines: linesOf(gone) });
    }
  }
  return out;
}
