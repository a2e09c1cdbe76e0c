import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDiff, DiffFormatError, type FileEdit, parseDiff, reverseDiff } from "../../../../src/diff/index.js";

// Every diff here goes through the real `git apply`: that it applies is the point.
let dir: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const apply = (diff: string) => execFileSync("git", ["apply", "--whitespace=nowarn", "-"], { cwd: dir, input: diff, stdio: ["pipe", "pipe", "pipe"] });
const read = (p: string) => (existsSync(path.join(dir, p)) ? readFileSync(path.join(dir, p), "utf8") : null);

function writeTree(files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), text);
  }
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "lego-diff-"));
  git("init", "-q");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tree = {
  "src/app.py": Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join("\n") + "\n",
  "src/no_newline.py": "x = 1",
  "docs/café notes.md": "hello\n",
  "old.txt": "bye\n",
  "src/same.py": "same\n",
};
const edits: FileEdit[] = [
  { path: "src/app.py", before: tree["src/app.py"], after: tree["src/app.py"].replace("line 2\n", "line two\n").replace("line 11\n", "") },
  { path: "src/no_newline.py", before: "x = 1", after: "x = 2" },
  { path: "docs/café notes.md", before: "hello\n", after: "hello\nworld\n" },
  { path: "old.txt", before: "bye\n", after: null },
  { path: "src/new.py", before: null, after: "def f():\n    return 1\n" },
  { path: "src/empty.py", before: null, after: "" },
  { path: "src/same.py", before: "same\n", after: "same\n" },
];

describe("createDiff", () => {
  it("writes a diff git applies, with a/ b/ prefixes and new and deleted files marked", () => {
    writeTree(tree);
    const diff = createDiff(edits);
    expect(diff).toContain("diff --git a/src/app.py b/src/app.py\n--- a/src/app.py\n+++ b/src/app.py\n");
    expect(diff).toContain("diff --git a/old.txt b/old.txt\ndeleted file mode 100644\n");
    expect(diff).toContain("diff --git a/src/new.py b/src/new.py\nnew file mode 100644\n--- /dev/null\n+++ b/src/new.py\n");
    apply(diff);
    for (const e of edits) expect(read(e.path)).toBe(e.after);
  });

  it("says nothing about an edit that changes nothing, and reads back as what it was made from", () => {
    expect(createDiff([{ path: "a.py", before: "x\n", after: "x\n" }])).toBe("");
    expect(parseDiff(createDiff(edits)).map((f) => [f.path, f.kind])).toEqual([
      ["src/app.py", "modified"],
      ["src/no_newline.py", "modified"],
      ["docs/café notes.md", "modified"],
      ["old.txt", "deleted"],
      ["src/new.py", "added"],
      ["src/empty.py", "added"],
    ]);
  });

  it("refuses an edit with neither side", () => {
    expect(() => createDiff([{ path: "a.py", before: null, after: null }])).toThrow(DiffFormatError);
  });
});

describe("reverseDiff", () => {
  it("undoes a diff it wrote", () => {
    writeTree(tree);
    const diff = createDiff(edits);
    apply(diff);
    apply(reverseDiff(diff));
    for (const [p, text] of Object.entries(tree)) expect(read(p)).toBe(text);
    expect(read("src/new.py")).toBeNull();
  });

  it("undoes a diff git wrote, renames included", () => {
    writeTree({ "src/a.py": "one\ntwo\nthree\nfour\nfive\n", "keep.txt": "k\n" });
    git("add", "-A");
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base");
    git("mv", "src/a.py", "src/b.py");
    writeTree({ "src/b.py": "one\ntwo\nTHREE\nfour\nfive\n", "keep.txt": "k\nk2\n" });
    git("add", "-A");
    const forward = git("diff", "--cached", "-M", "HEAD");
    git("reset", "-q", "--hard", "HEAD");
    apply(forward);
    apply(reverseDiff(forward));
    expect([read("src/a.py"), read("src/b.py"), read("keep.txt")]).toEqual(["one\ntwo\nthree\nfour\nfive\n", null, "k\n"]);
  });

  it("refuses a binary change, which the text alone cannot undo", () => {
    const binary = ["diff --git a/logo.png b/logo.png", "index 0000000000000000000000000000000000000000..1111111111111111111111111111111111111111 100644", "GIT binary patch", "literal 4", "LcmZQzWMT#Y01f~L", "", ""].join("\n");
    expect(() => reverseDiff(binary)).toThrow("the diff changes the binary file logo.png, which cannot be reversed from the diff alone");
  });
});
