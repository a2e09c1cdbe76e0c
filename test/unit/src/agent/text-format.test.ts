import { describe, expect, it } from "vitest";
import { describeTools, executionResult, formatFunctionCall, parseTextAction } from "../../../../src/agent/text-format.js";

describe("parseTextAction", () => {
  const cases: { name: string; content: string; tool?: string; args?: Record<string, unknown>; reasoning?: string; ignored?: number }[] = [
    {
      name: "one parameter on one line",
      content: "<function=execute_bash>\n<parameter=command>ls -la</parameter>\n</function>",
      tool: "execute_bash",
      args: { command: "ls -la" },
      reasoning: "",
    },
    {
      name: "several parameters, multi-line values keep inner whitespace",
      content:
        "<function=str_replace_editor>\n<parameter=command>str_replace</parameter>\n<parameter=path>/repo/a.py</parameter>\n" +
        "<parameter=old_str>\n    return a - b\n</parameter>\n<parameter=new_str>\n    return a + b\n</parameter>\n</function>",
      tool: "str_replace_editor",
      args: { command: "str_replace", path: "/repo/a.py", old_str: "    return a - b", new_str: "    return a + b" },
    },
    {
      name: "a multi-line file_text keeps its own trailing newline (the serializer's inverse)",
      content: "<function=str_replace_editor>\n<parameter=command>create</parameter>\n<parameter=path>/repo/x.py</parameter>\n<parameter=file_text>\nx = 1\ny = 2\n\n</parameter>\n</function>",
      tool: "str_replace_editor",
      args: { command: "create", path: "/repo/x.py", file_text: "x = 1\ny = 2\n" },
    },
    {
      name: "text before the block is the reasoning",
      content: "The bug is in ops.py. Let me look.\n\n<function=execute_bash>\n<parameter=command>cat calc/ops.py</parameter>\n</function>",
      tool: "execute_bash",
      args: { command: "cat calc/ops.py" },
      reasoning: "The bug is in ops.py. Let me look.",
    },
    {
      name: "missing </function> at the end (server stop word)",
      content: "<function=execute_bash>\n<parameter=command>pytest -q</parameter>\n",
      tool: "execute_bash",
      args: { command: "pytest -q" },
    },
    {
      name: "missing closing tags of the last parameter and the function",
      content: "<function=think>\n<parameter=thought>\nFirst line\nsecond line\n",
      tool: "think",
      args: { thought: "First line\nsecond line" },
    },
    {
      name: "integer and array parameters converted as OpenHands' converter does",
      content:
        "<function=str_replace_editor>\n<parameter=command>view</parameter>\n<parameter=path>/repo/a.py</parameter>\n<parameter=view_range>[1, 20]</parameter>\n</function>",
      tool: "str_replace_editor",
      args: { command: "view", path: "/repo/a.py", view_range: [1, 20] },
    },
    {
      name: "a value that does not convert stays a string for auto-correction",
      content: "<function=str_replace_editor>\n<parameter=command>view</parameter>\n<parameter=path>/repo/a.py</parameter>\n<parameter=view_range>1,20</parameter>\n</function>",
      tool: "str_replace_editor",
      args: { command: "view", path: "/repo/a.py", view_range: "1,20" },
    },
    {
      name: "a literal <parameter= inside a value belongs to the value",
      content: "<function=think>\n<parameter=thought>the format is <parameter=x>v</parameter>\n</function>",
      tool: "think",
      args: { thought: "the format is <parameter=x>v" },
    },
    {
      name: "only the first of several calls is taken",
      content:
        "<function=execute_bash>\n<parameter=command>ls</parameter>\n</function>\n<function=execute_bash>\n<parameter=command>pwd</parameter>\n</function>",
      tool: "execute_bash",
      args: { command: "ls" },
      ignored: 1,
    },
    {
      name: "an unknown function is still parsed (the loop answers with an error)",
      content: "<function=browser>\n<parameter=code>goto('x')</parameter>\n</function>",
      tool: "browser",
      args: { code: "goto('x')" },
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const parsed = parseTextAction(c.content);
      expect(parsed.kind).toBe("call");
      if (parsed.kind !== "call") return;
      expect(parsed.call.name).toBe(c.tool);
      expect(parsed.call.args).toEqual(c.args);
      if (c.reasoning !== undefined) expect(parsed.reasoning).toBe(c.reasoning);
      expect(parsed.ignoredCalls).toBe(c.ignored ?? 0);
    });
  }

  it("returns none (with the text as reasoning) when there is no function call", () => {
    expect(parseTextAction("I think the fix is done.")).toEqual({ kind: "none", reasoning: "I think the fix is done." });
    expect(parseTextAction("")).toEqual({ kind: "none", reasoning: "" });
  });

  it("keeps reasoning and the first block, closed, as the history's content", () => {
    const parsed = parseTextAction("Let me check.\n<function=execute_bash>\n<parameter=command>ls</parameter>\n");
    expect(parsed.kind === "call" && parsed.content).toBe("Let me check.\n\n<function=execute_bash>\n<parameter=command>ls</parameter>\n</function>");
    const two = parseTextAction("<function=think>\n<parameter=thought>a</parameter>\n</function> trailing\n<function=finish>\n</function>");
    expect(two.kind === "call" && two.content).toBe("<function=think>\n<parameter=thought>a</parameter>\n</function>");
  });

  it("round-trips what formatFunctionCall writes", () => {
    const args = { command: "create", path: "/repo/n.py", file_text: "def f():\n    return 1\n" };
    const parsed = parseTextAction(formatFunctionCall("str_replace_editor", args));
    expect(parsed.kind === "call" && parsed.call.args).toEqual(args);
  });
  it("keeps a parameter named __proto__ as an argument, never as the object's prototype (found by fuzzing)", () => {
    const parsed = parseTextAction("<function=execute_bash>\n<parameter=__proto__>:</parameter>\n</function>");
    expect(parsed.kind).toBe("call");
    if (parsed.kind !== "call") return;
    expect(Object.keys(parsed.call.args)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(parsed.call.args, "__proto__")?.value).toBe(":");
    expect(Object.getPrototypeOf(parsed.call.args)).toBe(Object.prototype);
  });
});

describe("formatFunctionCall", () => {
  // Expected strings from OpenHands 0.53's convert_tool_call_to_string run on the same arguments.
  it.each([
    ["strings, with multi-line values on their own lines", '{"command": "ls -la", "file_text": "a\\nb"}', "<parameter=command>ls -la</parameter>\n<parameter=file_text>\na\nb\n</parameter>\n"],
    ["a float keeps its .0, an int does not", '{"timeout": 30.0, "insert_line": 30}', "<parameter=timeout>30.0</parameter>\n<parameter=insert_line>30</parameter>\n"],
    ["Python's names for true, false and null", '{"a": true, "b": false, "c": null}', "<parameter=a>True</parameter>\n<parameter=b>False</parameter>\n<parameter=c>None</parameter>\n"],
    ["lists as json.dumps writes them", '{"view_range": [1, -1], "x": ["é", {"k": 1e20}]}', '<parameter=view_range>[1, -1]</parameter>\n<parameter=x>["\\u00e9", {"k": 1e+20}]</parameter>\n'],
    ["float exponents as Python prints them", '{"a": 1e-5, "b": 0.0001, "c": 1e16, "d": 2.5e-7, "e": 1.0e3, "f": -0.0}', "<parameter=a>1e-05</parameter>\n<parameter=b>0.0001</parameter>\n<parameter=c>1e+16</parameter>\n<parameter=d>2.5e-07</parameter>\n<parameter=e>1000.0</parameter>\n<parameter=f>-0.0</parameter>\n"],
    ["big integers exactly", '{"n": 123456789012345678901234567890}', "<parameter=n>123456789012345678901234567890</parameter>\n"],
  ])("%s", (_name, json, params) => {
    expect(formatFunctionCall("t", json)).toBe(`<function=t>\n${params}</function>`);
  });

  it("refuses arguments that are not a JSON object", () => {
    expect(() => formatFunctionCall("t", "[1]")).toThrow(/not a JSON object/);
    expect(() => formatFunctionCall("t", "{bad")).toThrow(SyntaxError);
  });
});

describe("describeTools", () => {
  it("renders the tools as OpenHands' converter does, enums and required flags included", () => {
    const text = describeTools();
    expect(text).toMatch(/^---- BEGIN FUNCTION #1: execute_bash ----\nDescription: Execute a bash command/);
    expect(text).toContain("  (1) command (string, required): The bash command to execute.");
    expect(text).toContain("  (2) is_input (string, optional): If True, the command is an input to the running process.");
    expect(text).toContain("Allowed values: [`true`, `false`]");
    expect(text).toContain("---- BEGIN FUNCTION #4: str_replace_editor ----");
    expect(text).toContain("(7) view_range (array, optional)");
    expect(text.trimEnd()).toMatch(/---- END FUNCTION #4 ----$/);
  });

  it("prefixes tool results as OpenHands does", () => {
    expect(executionResult("think", "Your thought has been logged.")).toBe("EXECUTION RESULT of [think]:\nYour thought has been logged.");
  });
});
