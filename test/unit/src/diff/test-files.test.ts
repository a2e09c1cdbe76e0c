import { describe, expect, it } from "vitest";
import { isTestFile, splitDiff, touchedTestFiles } from "../../../../src/diff/index.js";

describe("isTestFile", () => {
  it.each([
    ["tests/test_api.py", true],
    ["pkg/test_api.py", true],
    ["pkg/api_test.py", true],
    ["conftest.py", true],
    ["src/__tests__/a.ts", true],
    ["src/a.test.ts", true],
    ["src/a.spec.mjs", true],
    ["test/a.js", true],
    ["cmd/x_test.go", true],
    ["test.py", true],
    ["myapp/tests.py", true],
    ["test.js", true],
    ["src/contest.py", false],
    ["src/latest.js", false],
    ["src/api.py", false],
    ["src/testing_utils_impl.ts", false],
    ["latest/notes.md", false],
  ])("%s → %s", (p, expected) => expect(isTestFile(p)).toBe(expected));
});

describe("splitDiff", () => {
  const diff = [
    "diff --git a/src/a.py b/src/a.py",
    "--- a/src/a.py",
    "+++ b/src/a.py",
    "@@ -1 +1 @@",
    "-x = 1",
    "+x = 2",
    "diff --git a/tests/test_a.py b/tests/test_a.py",
    "new file mode 100644",
    "--- /dev/null",
    "+++ b/tests/test_a.py",
    "@@ -0,0 +1 @@",
    "+assert True",
    "",
  ].join("\n");
  it("puts test files in test_patch and the rest in patch", () => {
    const s = splitDiff(diff);
    expect(s.files).toEqual([
      { path: "src/a.py", test: false },
      { path: "tests/test_a.py", test: true },
    ]);
    expect(s.patch).toMatch(/^diff --git a\/src\/a.py/);
    expect(s.patch).not.toContain("test_a.py");
    expect(s.testPatch).toMatch(/^diff --git a\/tests\/test_a.py/);
    expect(s.patch + s.testPatch).toBe(diff);
  });
  it("returns empty parts for an empty diff", () => {
    expect(splitDiff("")).toEqual({ patch: "", testPatch: "", files: [] });
  });
});

describe("touchedTestFiles", () => {
  it("lists added and modified test files, not deleted ones", () => {
    const patch = [
      "diff --git a/tests/test_a.py b/tests/test_a.py",
      "--- a/tests/test_a.py",
      "+++ b/tests/test_a.py",
      "diff --git a/tests/test_old.py b/tests/test_old.py",
      "deleted file mode 100644",
      "diff --git a/tests/test_b.py b/tests/test_b.py",
      "new file mode 100644",
      "diff --git a/tests/data.json b/tests/data.json",
      "",
    ].join("\n");
    expect(touchedTestFiles(patch)).toEqual(["tests/test_a.py", "tests/test_b.py", "tests/data.json"]);
  });
});

describe("splitDiff on renames, deletions and binary files", () => {
  const diff = [
    "diff --git a/src/old_name.py b/src/new_name.py",
    "similarity index 90%",
    "rename from src/old_name.py",
    "rename to src/new_name.py",
    "diff --git a/tests/test_gone.py b/tests/test_gone.py",
    "deleted file mode 100644",
    "--- a/tests/test_gone.py",
    "+++ /dev/null",
    "diff --git a/assets/logo.png b/assets/logo.png",
    "index 0000000000000000000000000000000000000000..1111111111111111111111111111111111111111 100644",
    "GIT binary patch",
    "literal 4",
    "LcmZQzWMT#Y01f~L",
    "",
  ].join("\n");
  it("keeps each file whole on its side and loses nothing", () => {
    const s = splitDiff(diff);
    expect(s.files).toEqual([
      { path: "src/new_name.py", test: false },
      { path: "tests/test_gone.py", test: true },
      { path: "assets/logo.png", test: false },
    ]);
    expect(s.patch).toContain("rename to src/new_name.py");
    expect(s.patch).toContain("GIT binary patch");
    expect(s.testPatch).toContain("deleted file mode 100644");
    expect(s.patch.length + s.testPatch.length).toBe(diff.length);
    expect(touchedTestFiles(s.testPatch)).toEqual([]);
  });
});
