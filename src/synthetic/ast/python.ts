// Mutation sites in Python, on tree-sitter-python's tree.
import type { Node } from "web-tree-sitter";
import { dedent, indentAt, removal, type TextEdit } from "../edits.js";
import { bumpedNumber, commutative, descendants, linesOf, type MutationSite, operatorSwaps, type SiteFinder, within } from "./operators.js";

const statementsOf = (block: Node): Node[] => block.namedChildren.filter((c): c is Node => c !== null && c.type !== "comment");

/** A statement gone: its lines, or `pass` when it was the only statement of its block. */
function removeStatement(text: string, stmt: Node): TextEdit {
  const parent = stmt.parent;
  if (parent && parent.type === "block" && statementsOf(parent).length === 1) return { start: stmt.startIndex, end: stmt.endIndex, text: "pass" };
  return removal(text, stmt.startIndex, stmt.endIndex);
}

/** A compound statement replaced by its body, moved out one level. */
function unwrap(text: string, stmt: Node, body: Node): TextEdit | null {
  if (body.startPosition.row === stmt.startPosition.row) return null;
  const by = indentAt(text, body.startIndex).length - indentAt(text, stmt.startIndex).length;
  const moved = dedent(text.slice(body.startIndex, body.endIndex), by);
  return moved === null ? null : { start: stmt.startIndex, end: stmt.endIndex, text: moved };
}

function isDocstring(stmt: Node): boolean {
  const parent = stmt.parent;
  return stmt.type === "expression_statement" && stmt.namedChildren[0]?.type === "string" && parent !== null && statementsOf(parent)[0]?.id === stmt.id;
}

const simple = new Set(["expression_statement"]);

export const pythonSites: SiteFinder = (_root, text, fn) => {
  const sites: MutationSite[] = [];
  const add = (operator: MutationSite["operator"], node: Node, edits: (TextEdit | null)[]) => {
    if (edits.every((e): e is TextEdit => e !== null)) sites.push({ operator, edits, lines: linesOf(node) });
  };
  for (const node of descendants(fn)) {
    if (!within(node, fn)) continue;
    switch (node.type) {
      case "binary_operator":
      case "boolean_operator":
      case "comparison_operator": {
        const kids = node.children.filter((c): c is Node => c !== null);
        if (kids.length === 3) {
          const [left, op, right] = kids as [Node, Node, Node];
          const swap = operatorSwaps[op.text];
          if (swap) add("change_operator", node, [{ start: op.startIndex, end: op.endIndex, text: swap }]);
          if (!commutative.has(op.text) && left.text !== right.text) {
            add("swap_operands", node, [
              { start: left.startIndex, end: left.endIndex, text: right.text },
              { start: right.startIndex, end: right.endIndex, text: left.text },
            ]);
          }
          if (left.type === node.type) add("break_chain", node, [{ start: node.startIndex, end: node.endIndex, text: left.text }]);
        } else if (node.type === "comparison_operator" && kids.length > 3) {
          // a < b < c: drop the last comparison.
          const last = kids[kids.length - 3] as Node;
          add("break_chain", node, [{ start: last.endIndex, end: node.endIndex, text: "" }]);
        }
        break;
      }
      case "integer":
      case "float": {
        const bumped = bumpedNumber(node.text);
        if (bumped !== null) add("change_constant", node, [{ start: node.startIndex, end: node.endIndex, text: bumped }]);
        break;
      }
      case "if_statement": {
        add("remove_conditional", node, [removeStatement(text, node)]);
        const alternatives = node.childrenForFieldName("alternative");
        const consequence = node.childForFieldName("consequence");
        const otherwise = alternatives.length === 1 && alternatives[0]?.type === "else_clause" ? alternatives[0].childForFieldName("body") : null;
        if (consequence && otherwise) {
          add("invert_if_else", node, [
            { start: consequence.startIndex, end: consequence.endIndex, text: otherwise.text },
            { start: otherwise.startIndex, end: otherwise.endIndex, text: consequence.text },
          ]);
        }
        break;
      }
      case "for_statement":
      case "while_statement":
        add("remove_loop", node, [removeStatement(text, node)]);
        break;
      case "expression_statement": {
        const inner = node.namedChildren[0];
        if (inner && (inner.type === "assignment" || inner.type === "augmented_assignment") && inner.childForFieldName("right")) {
          add("remove_assignment", node, [removeStatement(text, node)]);
        }
        break;
      }
      case "with_statement":
      case "try_statement": {
        const body = node.childForFieldName("body");
        if (body) add("remove_wrapper", node, [unwrap(text, node, body)]);
        break;
      }
      case "block":
        sites.push(...shuffles(node));
        break;
    }
  }
  sites.push(...classSites(text, fn));
  return sites;
};

/** Two neighbouring one-line simple statements trade places. */
function shuffles(block: Node): MutationSite[] {
  const out: MutationSite[] = [];
  const stmts = statementsOf(block);
  for (let i = 0; i + 1 < stmts.length; i++) {
    const a = stmts[i] as Node;
    const b = stmts[i + 1] as Node;
    const oneLine = (n: Node) => simple.has(n.type) && n.startPosition.row === n.endPosition.row && !isDocstring(n);
    if (!oneLine(a) || !oneLine(b) || a.text === b.text || a.endPosition.row === b.startPosition.row) continue;
    out.push({
      operator: "shuffle_lines",
      edits: [
        { start: a.startIndex, end: a.endIndex, text: b.text },
        { start: b.startIndex, end: b.endIndex, text: a.text },
      ],
      lines: [a.startPosition.row + 1, b.endPosition.row + 1],
    });
  }
  return out;
}

/** A method target: its class loses a base, or the class loses the method. */
function classSites(text: string, fn: Node): MutationSite[] {
  const out: MutationSite[] = [];
  const outer = fn.parent?.type === "decorated_definition" ? fn.parent : fn;
  const block = outer.parent;
  const cls = block?.type === "block" ? block.parent : null;
  if (!block || !cls || cls.type !== "class_definition") return out;
  out.push({ operator: "remove_method", edits: [removeStatement(text, outer)], lines: linesOf(outer) });
  const bases = cls.childForFieldName("superclasses");
  if (bases) {
    const args = bases.namedChildren.filter((c): c is Node => c !== null && c.type !== "comment");
    const positional = args.filter((a) => a.type !== "keyword_argument");
    if (positional.length > 0) {
      const kept = args.filter((a) => a.id !== positional[0]?.id);
      const edit = kept.length === 0 ? { start: bases.startIndex, end: bases.endIndex, text: "" } : { start: bases.startIndex, end: bases.endIndex, text: `(${kept.map((a) => a.text).join(", ")})` };
      out.push({ operator: "remove_base", edits: [edit], lines: linesOf(bases) });
    }
  }
  return out;
}
