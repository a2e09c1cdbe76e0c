import { describe, expect, it } from "vitest";
import { normalizeArguments, type ToolAction } from "../../../../src/agent/arguments.js";
import { catN, EditHistory, expandTabs, insertAfter, replaceOnce, viewFile } from "../../../../src/agent/editor.js";
import { runEditor, type FileRead, type Files } from "../../../../src/agent/editor-tool.js";

const FILE = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n";

describe("viewFile", () => {
  it("prints cat -n numbered lines with OpenHands' header", () => {
    const view = viewFile("/repo/ops.py", "a\n\tb\n");
    expect(view).toEqual({ ok: true, corrected: [], output: "Here's the result of running `cat -n` on /repo/ops.py:\n     1\ta\n     2\t        b\n" });
  });

  it("shows a range, -1 meaning the end", () => {
    const view = viewFile("/f", FILE, [5, -1]);
    expect(view.ok && view.output).toBe("Here's the result of running `cat -n` on /f:\n     5\tdef mul(a, b):\n     6\t    return a * b\n");
  });

  it("clips a range past the end of the file and records it", () => {
    const view = viewFile("/f", FILE, [5, 40]);
    expect(view).toMatchObject({ ok: true, corrected: ["view_range: end 40 is past the last line of /f; clipped to 6"] });
    expect(view.ok && view.output).toContain("     6\t    return a * b\n");
  });

  it("rejects a start outside the file and an end before the start", () => {
    expect(viewFile("/f", FILE, [9, 12])).toEqual({
      ok: false,
      error: "Invalid `view_range` parameter: [9, 12]. Its first element `9` should be within the range of lines of the file: [1, 6].",
    });
    expect(viewFile("/f", FILE, [4, 2])).toMatchObject({ ok: false, error: expect.stringContaining("should be greater than or equal to the first element `4`") });
  });
});

describe("replaceOnce", () => {
  it("replaces a unique occurrence and shows the edited region", () => {
    const result = replaceOnce("/f", FILE, "return a - b", "return a + b");
    expect(result.ok && result.content).toBe(FILE.replace("a - b", "a + b"));
    expect(result.ok && result.output).toBe(
      "The file /f has been edited. Here's the result of running `cat -n` on a snippet of /f:\n" +
        "     1\tdef add(a, b):\n     2\t    return a + b\n     3\t\n     4\t\n     5\tdef mul(a, b):\n     6\t    return a * b\n" +
        "Review the changes and make sure they are as expected. Edit the file again if necessary.",
    );
  });

  it("refuses zero occurrences", () => {
    expect(replaceOnce("/f", FILE, "return a / b", "x")).toEqual({ ok: false, error: "No replacement was performed, old_str `return a / b` did not appear verbatim in /f." });
  });

  it("refuses several occurrences, listing their lines", () => {
    expect(replaceOnce("/f", FILE, "(a, b):", "(x, y):")).toEqual({
      ok: false,
      error: "No replacement was performed. Multiple occurrences of old_str `(a, b):` in lines [1, 5]. Please ensure it is unique.",
    });
  });

  it("retries without surrounding whitespace, as OpenHands does", () => {
    const result = replaceOnce("/f", FILE, "return a - b   \n\n\n\n\n", "return a + b\n");
    expect(result.ok && result.content).toBe(FILE.replace("a - b", "a + b"));
  });

  it("does not treat $ patterns in the new text specially", () => {
    const result = replaceOnce("/f", "x = 1\n", "x = 1", "x = '$&$1'");
    expect(result.ok && result.content).toBe("x = '$&$1'\n");
  });

  it("refuses identical and empty strings", () => {
    expect(replaceOnce("/f", FILE, "a", "a")).toMatchObject({ ok: false, error: expect.stringContaining("must be different") });
    expect(replaceOnce("/f", FILE, "", "a")).toMatchObject({ ok: false, error: expect.stringContaining("`old_str` is empty") });
  });
});

describe("insertAfter", () => {
  it("inserts after the given line, 0 meaning the top", () => {
    expect(insertAfter("/f", "a\nb\n", 1, "x").ok && (insertAfter("/f", "a\nb\n", 1, "x") as { content: string }).content).toBe("a\nx\nb\n");
    expect((insertAfter("/f", "a\nb\n", 0, "x") as { content: string }).content).toBe("x\na\nb\n");
    expect((insertAfter("/f", "a\nb\n", 2, "x\ny") as { content: string }).content).toBe("a\nb\nx\ny\n");
    expect((insertAfter("/f", "", 0, "x") as { content: string }).content).toBe("x\n");
  });

  it("shows the inserted lines with context", () => {
    const result = insertAfter("/f", FILE, 2, "    # checked");
    expect(result.ok && result.output).toBe(
      "The file /f has been edited. Here's the result of running `cat -n` on a snippet of the edited file:\n" +
        "     1\tdef add(a, b):\n     2\t    return a - b\n     3\t    # checked\n     4\t\n     5\t\n     6\tdef mul(a, b):\n     7\t    return a * b\n" +
        "Review the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the file again if necessary.",
    );
  });

  it("refuses a line outside the file", () => {
    expect(insertAfter("/f", "a\nb\n", 3, "x")).toEqual({ ok: false, error: "Invalid `insert_line` parameter: 3. It should be within the range of allowed values: [0, 2]" });
  });
});

describe("helpers", () => {
  it("expands tabs by column like Python", () => {
    expect(expandTabs("a\tb\n\tc")).toBe("a       b\n        c");
    expect(catN([], "/empty")).toBe("Here's the result of running `cat -n` on /empty:\n\n");
  });
});

/** An in-memory file system for the editor's orchestration. */
function memoryFiles(initial: Record<string, string>, dirs: string[] = ["/repo"]): Files & { files: Map<string, string> } {
  const files = new Map(Object.entries(initial));
  return {
    files,
    async read(path): Promise<FileRead> {
      if (dirs.includes(path)) return { kind: "directory" };
      const content = files.get(path);
      return content === undefined ? { kind: "missing" } : { kind: "file", content };
    },
    async write(path, content) {
      files.set(path, content);
    },
    async remove(path) {
      files.delete(path);
    },
    async list(path) {
      return { entries: [`${path}/`, ...[...files.keys()].filter((f) => f.startsWith(`${path}/`)).sort()], hidden: 1 };
    },
  };
}

function editorAction(args: Record<string, unknown>): Extract<ToolAction, { tool: "str_replace_editor" }> {
  const result = normalizeArguments("str_replace_editor", args, "/repo");
  if (!result.ok || result.action.tool !== "str_replace_editor") throw new Error(`bad test action: ${JSON.stringify(result)}`);
  return result.action;
}

describe("runEditor", () => {
  it("creates, edits and undoes, one history per path", async () => {
    const fs = memoryFiles({ "/repo/a.py": "x = 1\n" });
    const history = new EditHistory();
    const run = (args: Record<string, unknown>) => runEditor(editorAction(args), fs, history);

    expect(await run({ command: "create", path: "/repo/new.py", file_text: "y = 2\n" })).toEqual({ output: "File created successfully at: /repo/new.py", error: false, corrected: [] });
    expect((await run({ command: "create", path: "/repo/a.py", file_text: "z" })).output).toBe(
      "ERROR:\nInvalid `path` parameter: /repo/a.py. File already exists at: /repo/a.py. Cannot overwrite files using command `create`.",
    );
    await run({ command: "str_replace", path: "/repo/a.py", old_str: "x = 1", new_str: "x = 2" });
    await run({ command: "str_replace", path: "/repo/a.py", old_str: "x = 2", new_str: "x = 3" });
    expect(fs.files.get("/repo/a.py")).toBe("x = 3\n");

    const undone = await run({ command: "undo_edit", path: "/repo/a.py" });
    expect(undone.output).toBe("Last edit to /repo/a.py undone successfully. Here's the result of running `cat -n` on /repo/a.py:\n     1\tx = 2\n");
    expect(fs.files.get("/repo/a.py")).toBe("x = 2\n");
    await run({ command: "undo_edit", path: "/repo/a.py" });
    expect(fs.files.get("/repo/a.py")).toBe("x = 1\n");
    expect((await run({ command: "undo_edit", path: "/repo/a.py" })).output).toBe("ERROR:\nNo edit history found for /repo/a.py.");

    await run({ command: "undo_edit", path: "/repo/new.py" });
    expect(fs.files.has("/repo/new.py")).toBe(false);
  });

  it("lists a directory and refuses edits on it", async () => {
    const fs = memoryFiles({ "/repo/a.py": "" });
    const listing = await runEditor(editorAction({ command: "view", path: "/repo" }), fs, new EditHistory());
    expect(listing.output).toBe(
      "Here's the files and directories up to 2 levels deep in /repo, excluding hidden items:\n/repo/\n/repo/a.py\n\n" +
        "1 hidden files/directories in this directory are excluded. You can use 'ls -la /repo' to see them.",
    );
    const edit = await runEditor(editorAction({ command: "str_replace", path: "/repo", old_str: "a" }), fs, new EditHistory());
    expect(edit).toMatchObject({ error: true, output: expect.stringContaining("is a directory and only the `view` command can be used on directories") });
  });

  it("reports missing files and parameters in OpenHands' words", async () => {
    const fs = memoryFiles({ "/repo/a.py": "x\n" });
    const history = new EditHistory();
    expect((await runEditor(editorAction({ command: "view", path: "/repo/nope.py" }), fs, history)).output).toBe(
      "ERROR:\nInvalid `path` parameter: /repo/nope.py. The path /repo/nope.py does not exist. Please provide a valid path.",
    );
    expect((await runEditor(editorAction({ command: "create", path: "/repo/b.py" }), fs, history)).output).toBe("ERROR:\nParameter `file_text` is required for command: create.");
    expect((await runEditor(editorAction({ command: "insert", path: "/repo/a.py", new_str: "y" }), fs, history)).output).toBe(
      "ERROR:\nParameter `insert_line` is required for command: insert.",
    );
    expect((await runEditor(editorAction({ command: "str_replace", path: "/repo/a.py" }), fs, history)).output).toBe(
      "ERROR:\nParameter `old_str` is required for command: str_replace.",
    );
  });

  it("passes on the range clipping as a correction", async () => {
    const fs = memoryFiles({ "/repo/a.py": "1\n2\n3\n" });
    const result = await runEditor(editorAction({ command: "view", path: "/repo/a.py", view_range: [2, 99] }), fs, new EditHistory());
    expect(result).toEqual({
      error: false,
      corrected: ["view_range: end 99 is past the last line of /repo/a.py; clipped to 3"],
      output: "Here's the result of running `cat -n` on /repo/a.py:\n     2\t2\n     3\t3\n",
    });
  });
});
