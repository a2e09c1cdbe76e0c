import { describe, expect, it } from "vitest";
import { normalizeArguments } from "../../../../src/agent/arguments.js";
import { parseArguments, repairJson } from "../../../../src/agent/json-repair.js";

describe("normalizeArguments auto-correction", () => {
  const cases: { name: string; tool: string; args: Record<string, unknown>; action: Record<string, unknown>; corrected: string[] }[] = [
    {
      name: "view_range as a JSON string",
      tool: "str_replace_editor",
      args: { command: "view", path: "/repo/a.py", view_range: "[1, 20]" },
      action: { viewRange: [1, 20] },
      corrected: ['view_range: "[1, 20]" → [1,20]'],
    },
    {
      name: "view_range as '1,20'",
      tool: "str_replace_editor",
      args: { command: "view", path: "/repo/a.py", view_range: "1,20" },
      action: { viewRange: [1, 20] },
      corrected: ['view_range: "1,20" → [1,20]'],
    },
    {
      name: "view_range as '5-10'",
      tool: "str_replace_editor",
      args: { command: "view", path: "/repo/a.py", view_range: "5-10" },
      action: { viewRange: [5, 10] },
      corrected: ['view_range: "5-10" → [5,10]'],
    },
    {
      name: "view_range as '3 -1'",
      tool: "str_replace_editor",
      args: { command: "view", path: "/repo/a.py", view_range: "3 -1" },
      action: { viewRange: [3, -1] },
      corrected: ['view_range: "3 -1" → [3,-1]'],
    },
    {
      name: "view_range items as strings",
      tool: "str_replace_editor",
      args: { command: "view", path: "/repo/a.py", view_range: ["5", "10"] },
      action: { viewRange: [5, 10] },
      corrected: ['view_range: ["5","10"] → [5,10]'],
    },
    {
      name: "a relative path resolved against the repository",
      tool: "str_replace_editor",
      args: { command: "view", path: "calc/ops.py" },
      action: { path: "/repo/calc/ops.py" },
      corrected: ['path: relative "calc/ops.py" resolved to "/repo/calc/ops.py"'],
    },
    {
      name: "insert_line as a string",
      tool: "str_replace_editor",
      args: { command: "insert", path: "/repo/a.py", insert_line: "12", new_str: "x" },
      action: { insertLine: 12 },
      corrected: ['insert_line: "12" → 12'],
    },
    {
      name: "timeout as a string, with a unit",
      tool: "execute_bash",
      args: { command: "sleep 1", timeout: "30s" },
      action: { timeoutSec: 30 },
      corrected: ['timeout: "30s" → 30'],
    },
    {
      name: "is_input as a boolean",
      tool: "execute_bash",
      args: { command: "y", is_input: true },
      action: { isInput: true },
      corrected: ['is_input: boolean true → "true"'],
    },
    {
      name: "editor command in the wrong case",
      tool: "str_replace_editor",
      args: { command: "View", path: "/repo" },
      action: { command: "view" },
      corrected: ['command: "View" → "view"'],
    },
    {
      name: "unknown parameters are dropped, not fatal",
      tool: "finish",
      args: { message: "done", task_completed: "true" },
      action: { message: "done" },
      corrected: ["dropped unknown parameter 'task_completed'"],
    },
    {
      name: "well-formed arguments need no correction",
      tool: "execute_bash",
      args: { command: "ls", is_input: "false", timeout: 5 },
      action: { command: "ls", isInput: false, timeoutSec: 5 },
      corrected: [],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const result = normalizeArguments(c.tool, c.args, "/repo");
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.action).toMatchObject(c.action);
      expect(result.corrected).toEqual(c.corrected);
    });
  }

  const errors: { name: string; tool: string; args: Record<string, unknown>; kind: string; error: RegExp }[] = [
    { name: "unknown tool", tool: "browser", args: {}, kind: "unknown-tool", error: /^Function 'browser' not found in available tools: \['execute_bash'/ },
    { name: "missing command", tool: "execute_bash", args: {}, kind: "bad-arguments", error: /Missing required argument "command" in tool call execute_bash/ },
    { name: "missing path", tool: "str_replace_editor", args: { command: "view" }, kind: "bad-arguments", error: /Missing required argument "path"/ },
    { name: "bad editor command", tool: "str_replace_editor", args: { command: "delete", path: "/repo/a" }, kind: "bad-arguments", error: /Unrecognized command delete/ },
    { name: "bad view_range", tool: "str_replace_editor", args: { command: "view", path: "/a", view_range: "lines 1 to 5" }, kind: "bad-arguments", error: /It should be a list of two integers/ },
    { name: "bad insert_line", tool: "str_replace_editor", args: { command: "insert", path: "/a", insert_line: "after 3" }, kind: "bad-arguments", error: /expected to be an integer/ },
    { name: "bad timeout", tool: "execute_bash", args: { command: "ls", timeout: "soon" }, kind: "bad-arguments", error: /Invalid float passed to 'timeout'/ },
  ];
  for (const c of errors) {
    it(`rejects: ${c.name}`, () => {
      const result = normalizeArguments(c.tool, c.args, "/repo");
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.kind).toBe(c.kind);
      expect(result.error).toMatch(c.error);
    });
  }

  it("reads think and finish leniently, as OpenHands does", () => {
    expect(normalizeArguments("finish", {}, "/repo")).toMatchObject({ ok: true, action: { tool: "finish", message: "" } });
    expect(normalizeArguments("think", {}, "/repo")).toMatchObject({ ok: true, action: { tool: "think", thought: "" } });
  });
});

describe("parseArguments (lenient JSON)", () => {
  const repaired: { name: string; raw: string; value: Record<string, unknown>; repairs: string[] }[] = [
    { name: "trailing comma", raw: '{"command": "ls",}', value: { command: "ls" }, repairs: ["trailing comma"] },
    { name: "single quotes", raw: "{'command': 'echo \"hi\"'}", value: { command: 'echo "hi"' }, repairs: ["single-quoted strings"] },
    { name: "raw newline in a string", raw: '{"command": "cd /repo\npytest"}', value: { command: "cd /repo\npytest" }, repairs: ["unescaped newline or tab inside a string"] },
    {
      name: "several at once",
      raw: "{'old_str': 'a\n\tb', 'new_str': 'c',}",
      value: { old_str: "a\n\tb", new_str: "c" },
      repairs: ["single-quoted strings", "unescaped newline or tab inside a string", "trailing comma"],
    },
    { name: "an escaped quote inside single quotes", raw: "{'command': 'echo it\\'s'}", value: { command: "echo it's" }, repairs: ["single-quoted strings"] },
  ];
  for (const c of repaired) {
    it(`repairs ${c.name}`, () => {
      expect(parseArguments(c.raw)).toEqual({ ok: true, value: c.value, repairs: c.repairs });
    });
  }

  it("passes valid JSON through without repairs, and treats an empty string as no arguments", () => {
    expect(parseArguments('{"command": "it\'s, fine"}')).toEqual({ ok: true, value: { command: "it's, fine" }, repairs: [] });
    expect(parseArguments("  ")).toEqual({ ok: true, value: {}, repairs: [] });
  });

  it("reports what is wrong when the JSON cannot be repaired", () => {
    const truncated = parseArguments('{"command": "ls');
    expect(truncated.ok).toBe(false);
    expect(!truncated.ok && truncated.error).toMatch(/JSON/);
    expect(parseArguments('{"command" "ls"}').ok).toBe(false);
    expect(parseArguments('["ls"]')).toEqual({ ok: false, error: "the arguments must be a JSON object with one key per parameter, got an array" });
  });

  it("leaves text alone when nothing applies", () => {
    expect(repairJson('{"a": 1}')).toEqual({ text: '{"a": 1}', repairs: [] });
  });
});
