import { describe, expect, it } from "vitest";
import { changedLineCount, changedPaths, DiffFormatError, fileSections, parseDiff } from "../../../../src/diff/index.js";

const modified = [
  "diff --git a/src/app.py b/src/app.py",
  "index 1111111..2222222 100644",
  "--- a/src/app.py",
  "+++ b/src/app.py",
  "@@ -3,4 +3,5 @@ def f():",
  " a = 1",
  "-b = 2",
  "--- not a header: a removed SQL comment",
  "+b = 3",
  "+++ not a header either",
  "+c = 4",
  " d = 5",
  "@@ -20 +21 @@",
  "-x",
  "+y",
  "",
].join("\n");
const added = ["diff --git a/tests/test_new.py b/tests/test_new.py", "new file mode 100644", "--- /dev/null", "+++ b/tests/test_new.py", "@@ -0,0 +1,2 @@", "+def test_x():", "+    assert True", ""].join("\n");
const deleted = ["diff --git a/old.txt b/old.txt", "deleted file mode 100644", "--- a/old.txt", "+++ /dev/null", "@@ -1 +0,0 @@", "-bye", ""].join("\n");
const renamed = ["diff --git a/src/a.py b/src/b.py", "similarity index 100%", "rename from src/a.py", "rename to src/b.py", ""].join("\n");

describe("parseDiff", () => {
  it("reads each file's paths, kind, counts, added and removed lines and hunk ranges", () => {
    expect(parseDiff(modified + added + deleted + renamed)).toEqual([
      {
        path: "src/app.py",
        oldPath: "src/app.py",
        kind: "modified",
        additions: 4,
        deletions: 3,
        addedLines: ["b = 3", "++ not a header either", "c = 4", "y"],
        removedLines: ["b = 2", "-- not a header: a removed SQL comment", "x"],
        ranges: [
          { oldStart: 3, oldLines: 4, newStart: 3, newLines: 5 },
          { oldStart: 20, oldLines: 1, newStart: 21, newLines: 1 },
        ],
      },
      { path: "tests/test_new.py", oldPath: "tests/test_new.py", kind: "added", additions: 2, deletions: 0, addedLines: ["def test_x():", "    assert True"], removedLines: [], ranges: [{ oldStart: 1, oldLines: 0, newStart: 1, newLines: 2 }] },
      { path: "old.txt", oldPath: "old.txt", kind: "deleted", additions: 0, deletions: 1, addedLines: [], removedLines: ["bye"], ranges: [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 0 }] },
      { path: "src/b.py", oldPath: "src/a.py", kind: "renamed", additions: 0, deletions: 0, addedLines: [], removedLines: [], ranges: [] },
    ]);
  });

  it.each([
    ["an empty diff", ""],
    ["whitespace", "\n \n"],
  ])("returns no files for %s", (_, text) => expect(parseDiff(text)).toEqual([]));

  it("keeps a carriage return that belongs to the file's line", () => {
    const crlf = ["diff --git a/w.bat b/w.bat", "--- a/w.bat", "+++ b/w.bat", "@@ -1 +1 @@", "-echo a\r", "+echo b\r", ""].join("\n");
    expect(parseDiff(crlf)[0]?.addedLines).toEqual(["echo b\r"]);
  });

  it("says what is wrong with a hunk whose counts do not match its lines", () => {
    const cut = ["diff --git a/x b/x", "--- a/x", "+++ b/x", "@@ -1,3 +1,3 @@", " a", "-b", ""].join("\n");
    expect(() => parseDiff(cut)).toThrow(DiffFormatError);
    expect(() => parseDiff(cut)).toThrow(/^the diff is malformed: /);
  });
});

describe("changedPaths and changedLineCount", () => {
  it("lists both sides of a rename once each, in order", () => {
    expect(changedPaths(modified + renamed + added)).toEqual(["src/app.py", "src/a.py", "src/b.py", "tests/test_new.py"]);
  });
  it("counts added and removed lines, never headers, even when a line looks like one", () => {
    expect(changedLineCount(modified)).toBe(7);
    expect(changedLineCount(modified + added + deleted + renamed)).toBe(10);
  });
});

describe("fileSections", () => {
  it("cuts a diff into its files' exact text and drops what precedes the first", () => {
    const sections = fileSections(`preamble\n${modified}${added}`);
    expect(sections.map((s) => s.text)).toEqual([modified, added]);
    expect(sections.map((s) => s.file.path)).toEqual(["src/app.py", "tests/test_new.py"]);
  });
});
