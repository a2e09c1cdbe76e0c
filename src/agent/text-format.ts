// The function-call text format of OpenHands' fn_call_converter, which models served without
// native tool calling emit:
//
//   optional reasoning
//   <function=execute_bash>
//   <parameter=command>ls</parameter>
//   </function>
//
// Pure: parsing, and rendering tool schemas as the system prompt describes them.
import { isLosslessNumber } from "lossless-json";
import { fromJs, parseJsonExact, pyStr } from "./python-format.js";
import { TOOLS, toolSchema, type ToolSchema } from "./tools.js";

export interface ParsedFunctionCall {
  name: string;
  /** Values converted as OpenHands' converter does (integer, number, array); a value that does not convert stays a string. */
  args: Record<string, unknown>;
  /** The function block as the model wrote it, from `<function=` up to its end. */
  raw: string;
}

export type TextParse =
  | { kind: "none"; reasoning: string }
  | {
      kind: "call";
      reasoning: string;
      call: ParsedFunctionCall;
      /** How many further function blocks followed; they are not executed. */
      ignoredCalls: number;
      /** The message as kept in the history: reasoning and the first block, closed. */
      content: string;
    };

// A name stops at `<`: without that, `<function=<function=…` makes every match attempt scan to
// the end of the message (quadratic; seconds on a 20 kB answer, found by the fuzz suite).
const FUNCTION_OPEN = /<function\s*=\s*([^<>\s]+)\s*>/g;
const FUNCTION_CLOSE = "</function>";
const PARAM_OPEN = /<parameter\s*=\s*([^<>\s]+)\s*>/y;
const PARAM_CLOSE = "</parameter>";

/**
 * Finds the first function call in an assistant message. A missing `</function>` (the server
 * stops at `</function`, or the answer ran out of tokens) and a missing last `</parameter>` are
 * tolerated, as OpenHands' stop-word fix does. Text before the block is the reasoning.
 */
export function parseTextAction(content: string): TextParse {
  const opens = [...content.matchAll(FUNCTION_OPEN)];
  const first = opens[0];
  if (!first) return { kind: "none", reasoning: content.trim() };
  const start = first.index;
  const bodyStart = start + first[0].length;
  const closeAt = content.indexOf(FUNCTION_CLOSE, bodyStart);
  const nextOpen = opens[1]?.index ?? content.length;
  // A second `<function=` before any close means the first block was never closed.
  const bodyEnd = closeAt === -1 || closeAt > nextOpen ? nextOpen : closeAt;
  const blockEnd = bodyEnd === closeAt ? closeAt + FUNCTION_CLOSE.length : bodyEnd;
  const name = first[1] as string;
  const body = content.slice(bodyStart, bodyEnd);
  const raw = content.slice(start, blockEnd);
  const reasoning = content.slice(0, start).trim();
  const closed = bodyEnd === closeAt ? raw : `${raw.replace(/(<\/)?$/, "").trimEnd()}\n${FUNCTION_CLOSE}`;
  return {
    kind: "call",
    reasoning,
    call: { name, args: parseParameters(name, body), raw },
    ignoredCalls: opens.length - 1,
    content: reasoning ? `${reasoning}\n\n${closed}` : closed,
  };
}

function parseParameters(tool: string, body: string): Record<string, unknown> {
  const schema = toolSchema(tool);
  const args: Record<string, unknown> = {};
  let at = body.indexOf("<parameter");
  while (at !== -1) {
    PARAM_OPEN.lastIndex = at;
    const open = PARAM_OPEN.exec(body);
    if (!open) {
      at = body.indexOf("<parameter", at + 1);
      continue;
    }
    const name = open[1] as string;
    const valueStart = at + open[0].length;
    const close = body.indexOf(PARAM_CLOSE, valueStart);
    // Everything up to the closing tag belongs to the value, a literal `<parameter=` included;
    // only the last parameter may lack its closing tag.
    const valueEnd = close === -1 ? body.length : close;
    // An own property even for a name like `__proto__` (a plain assignment would set the prototype).
    Object.defineProperty(args, name, { value: convertValue(schema?.properties[name]?.type, name, body.slice(valueStart, valueEnd)), enumerable: true, writable: true, configurable: true });
    at = close === -1 ? -1 : body.indexOf("<parameter", close + PARAM_CLOSE.length);
  }
  return args;
}

// Free-text parameters keep their inner whitespace: indentation in old_str/new_str/file_text
// matters. Only the newlines that OpenHands' serializer puts around multi-line values go.
const VERBATIM = new Set(["old_str", "new_str", "file_text", "thought", "message"]);

function convertValue(type: string | undefined, name: string, value: string): unknown {
  if (VERBATIM.has(name)) return value.replace(/^\r?\n/, "").replace(/\r?\n$/, "");
  const text = value.trim();
  if (type === "integer" || type === "number") {
    const n = Number(text);
    return text !== "" && Number.isFinite(n) ? n : text;
  }
  if (type === "array") {
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? parsed : text;
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * OpenHands' convert_tool_call_to_string: the block a native tool call corresponds to. `args` is
 * the call's JSON arguments text (read with its numbers exact) or an already parsed object.
 */
export function formatFunctionCall(name: string, args: string | Record<string, unknown>): string {
  const value = typeof args === "string" ? parseJsonExact(args) : fromJs(args);
  if (value === null || typeof value !== "object" || Array.isArray(value) || isLosslessNumber(value)) {
    throw new SyntaxError(`the arguments of ${name} are not a JSON object`);
  }
  let out = `<function=${name}>\n`;
  for (const [key, param] of Object.entries(value)) {
    const multiline = typeof param === "string" && param.includes("\n");
    out += `<parameter=${key}>${multiline ? "\n" : ""}${pyStr(param)}${multiline ? "\n" : ""}</parameter>\n`;
  }
  return `${out}</function>`;
}

/** OpenHands' convert_tools_to_description. */
export function describeTools(schemas: ToolSchema[] = TOOLS.map((t) => toolSchema(t.function.name) as ToolSchema)): string {
  return schemas
    .map((tool, i) => {
      let out = `---- BEGIN FUNCTION #${i + 1}: ${tool.name} ----\nDescription: ${tool.description}\nParameters:\n`;
      Object.entries(tool.properties).forEach(([name, param], j) => {
        const status = tool.required.includes(name) ? "required" : "optional";
        let desc = param.description ?? "No description provided";
        if (param.enum) desc += `\nAllowed values: [${param.enum.map((v) => `\`${v}\``).join(", ")}]`;
        out += `  (${j + 1}) ${name} (${param.type ?? "string"}, ${status}): ${desc}\n`;
      });
      return `${out}---- END FUNCTION #${i + 1} ----\n`;
    })
    .join("\n");
}

/** The prefix OpenHands puts on a tool result sent back as a user message. */
export function executionResult(tool: string, observation: string): string {
  return `EXECUTION RESULT of [${tool}]:\n${observation}`;
}

export const EXECUTION_RESULT_PREFIX = "EXECUTION RESULT of [";
