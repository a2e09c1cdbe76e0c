// Validation of a tool call's arguments, with auto-correction of the malformed values that
// models commonly send. Every correction is described so the step records what was changed.
// Pure: paths are resolved against the repository root but nothing is read.
import { posix } from "node:path";
import { EDITOR_COMMANDS, TOOL_NAMES, isToolName, toolSchema, type EditorCommand } from "./tools.js";

export type ToolAction =
  | { tool: "execute_bash"; command: string; isInput: boolean; timeoutSec?: number }
  | {
      tool: "str_replace_editor";
      command: EditorCommand;
      path: string;
      fileText?: string;
      oldStr?: string;
      newStr?: string;
      insertLine?: number;
      /** [start, end], 1-based inclusive; end -1 is the last line. */
      viewRange?: [number, number];
    }
  | { tool: "think"; thought: string }
  | { tool: "finish"; message: string };

export type Normalized =
  | { ok: true; action: ToolAction; corrected: string[] }
  | { ok: false; kind: "unknown-tool" | "bad-arguments"; error: string; corrected: string[] };

class ArgumentError extends Error {}

export function normalizeArguments(tool: string, args: Record<string, unknown>, repoDir: string): Normalized {
  const corrected: string[] = [];
  if (!isToolName(tool)) {
    const names = TOOL_NAMES.map((n) => `'${n}'`).join(", ");
    return { ok: false, kind: "unknown-tool", error: `Function '${tool}' not found in available tools: [${names}]`, corrected };
  }
  const known = Object.keys(toolSchema(tool)?.properties ?? {});
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    // OpenHands rejects the whole call; dropping the extra (say `task_completed` on finish,
    // which OpenHands' in-context example showed until 0.52) keeps the turn.
    if (known.includes(key)) given[key] = value;
    else corrected.push(`dropped unknown parameter '${key}'`);
  }
  try {
    return { ok: true, action: actionFor(tool, given, repoDir, corrected), corrected };
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    return { ok: false, kind: "bad-arguments", error: error.message, corrected };
  }
}

function actionFor(tool: ToolAction["tool"], args: Record<string, unknown>, repoDir: string, corrected: string[]): ToolAction {
  switch (tool) {
    case "execute_bash": {
      const command = requiredString(tool, args, "command", corrected);
      const isInput = args.is_input === undefined ? false : isInputFlag(args.is_input, corrected);
      const timeoutSec = args.timeout === undefined || args.timeout === null ? undefined : seconds(args.timeout, corrected);
      return { tool, command, isInput, ...(timeoutSec === undefined ? {} : { timeoutSec }) };
    }
    case "str_replace_editor": {
      const command = editorCommand(requiredString(tool, args, "command", corrected), corrected);
      const path = absolutePath(requiredString(tool, args, "path", corrected), repoDir, corrected);
      const action: ToolAction = { tool, command, path };
      const fileText = optionalString(args, "file_text", corrected);
      const oldStr = optionalString(args, "old_str", corrected);
      const newStr = optionalString(args, "new_str", corrected);
      if (fileText !== undefined) action.fileText = fileText;
      if (oldStr !== undefined) action.oldStr = oldStr;
      if (newStr !== undefined) action.newStr = newStr;
      if (args.insert_line !== undefined && args.insert_line !== null) action.insertLine = integer("insert_line", args.insert_line, corrected);
      if (args.view_range !== undefined && args.view_range !== null) action.viewRange = viewRange(args.view_range, corrected);
      return action;
    }
    // OpenHands reads both with a default of "" rather than failing the call.
    case "think":
      return { tool, thought: optionalString(args, "thought", corrected) ?? "" };
    case "finish":
      return { tool, message: optionalString(args, "message", corrected) ?? "" };
  }
}

function requiredString(tool: string, args: Record<string, unknown>, key: string, corrected: string[]): string {
  const value = optionalString(args, key, corrected);
  if (value === undefined) throw new ArgumentError(`Missing required argument "${key}" in tool call ${tool}`);
  return value;
}

function optionalString(args: Record<string, unknown>, key: string, corrected: string[]): string | undefined {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") {
    corrected.push(`${key}: ${typeof value} ${String(value)} → string`);
    return String(value);
  }
  throw new ArgumentError(`Parameter '${key}' is expected to be a string, got ${JSON.stringify(value)}.`);
}

function isInputFlag(value: unknown, corrected: string[]): boolean {
  if (value === "true" || value === "false") return value === "true";
  if (typeof value === "boolean") {
    corrected.push(`is_input: boolean ${value} → "${value}"`);
    return value;
  }
  if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) {
    const flag = value.trim().toLowerCase();
    corrected.push(`is_input: "${value}" → "${flag}"`);
    return flag === "true";
  }
  throw new ArgumentError(`Parameter 'is_input' is expected to be one of ['true', 'false'], got ${JSON.stringify(value)}.`);
}

function seconds(value: unknown, corrected: string[]): number {
  let n: number | undefined;
  if (typeof value === "number") n = value;
  else if (typeof value === "string") {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)?\s*$/i.exec(value);
    if (match) {
      n = Number(match[1]);
      corrected.push(`timeout: "${value}" → ${n}`);
    }
  }
  if (n === undefined || !Number.isFinite(n) || n <= 0) {
    throw new ArgumentError(`Invalid float passed to 'timeout' argument: ${JSON.stringify(value)}. Give a positive number of seconds.`);
  }
  return n;
}

function editorCommand(value: string, corrected: string[]): EditorCommand {
  const found = EDITOR_COMMANDS.find((c) => c === value) ?? EDITOR_COMMANDS.find((c) => c === value.trim().toLowerCase());
  if (!found) {
    throw new ArgumentError(
      `Unrecognized command ${value}. The allowed commands for the str_replace_editor tool are: ${EDITOR_COMMANDS.join(", ")}`,
    );
  }
  if (found !== value) corrected.push(`command: "${value}" → "${found}"`);
  return found;
}

function absolutePath(value: string, repoDir: string, corrected: string[]): string {
  const path = value.trim();
  if (path === "") throw new ArgumentError("Invalid `path` parameter: the path is empty. Give an absolute path, e.g. `/repo/file.py`.");
  if (posix.isAbsolute(path)) {
    if (path !== value) corrected.push(`path: stripped surrounding whitespace`);
    return path;
  }
  const resolved = posix.resolve(repoDir, path);
  corrected.push(`path: relative "${value}" resolved to "${resolved}"`);
  return resolved;
}

function integer(key: string, value: unknown, corrected: string[]): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) {
    const n = Number(value);
    corrected.push(`${key}: "${value}" → ${n}`);
    return n;
  }
  throw new ArgumentError(`Parameter '${key}' is expected to be an integer, got ${JSON.stringify(value)}.`);
}

function viewRange(value: unknown, corrected: string[]): [number, number] {
  const invalid = () =>
    new ArgumentError(`Invalid \`view_range\` parameter: ${JSON.stringify(value)}. It should be a list of two integers, e.g. [11, 20] or [11, -1].`);
  let items: unknown = value;
  if (typeof value === "string") {
    items = rangeFromString(value);
    if (!items) throw invalid();
    corrected.push(`view_range: "${value}" → ${JSON.stringify(items)}`);
  }
  if (!Array.isArray(items) || items.length !== 2) throw invalid();
  const numbers = items.map((item) => (typeof item === "string" && /^\s*-?\d+\s*$/.test(item) ? Number(item) : item));
  if (!numbers.every((n) => typeof n === "number" && Number.isInteger(n))) throw invalid();
  if (numbers.some((n, i) => n !== items[i])) corrected.push(`view_range: ${JSON.stringify(items)} → ${JSON.stringify(numbers)}`);
  return numbers as [number, number];
}

/** "[1, 20]", "1,20", "1:20", "1 20", "3 -1" or "1-20". */
function rangeFromString(text: string): number[] | undefined {
  const match =
    /^\s*\[?\s*(-?\d+)\s*[,:\s]\s*(-?\d+)\s*\]?\s*$/.exec(text) ?? /^\s*\[?\s*(-?\d+)\s*-\s*(-?\d+)\s*\]?\s*$/.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}
