// Real git repositories that tests create: a history with a bug, an issue-fixing commit that
// adds a test, and the gold diff split as a harvest would split it.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { splitDiff } from "../../src/diff/index.js";

export type Files = Record<string, string | null>;

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Dev", "-c", "user.email=dev@example.com", ...args], { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).trim();
}

export function writeFiles(dir: string, files: Files): void {
  for (const [p, content] of Object.entries(files)) {
    const full = path.join(dir, p);
    if (content === null) rmSync(full, { force: true });
    else {
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
}

export function commit(dir: string, message: string, files: Files): string {
  writeFiles(dir, files);
  git(dir, "add", "--all");
  git(dir, "commit", "-q", "--allow-empty", "-m", message);
  return git(dir, "rev-parse", "HEAD");
}

export interface FixtureTask {
  dir: string;
  base: string;
  fix: string;
  patch: string;
  testPatch: string;
}

/** A repository with `base` files, then one commit applying `fix` files; the diff split into patch/test_patch. */
export function repoWithFix(dir: string, base: Files, fix: Files, later: Files = {}): FixtureTask {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  const baseSha = commit(dir, "base", base);
  const fixSha = commit(dir, "Fix the bug (#2)", fix);
  if (Object.keys(later).length) commit(dir, "later work", later);
  const { patch, testPatch } = splitDiff(git(dir, "diff", "--binary", "--full-index", baseSha, fixSha) + "\n");
  return { dir, base: baseSha, fix: fixSha, patch, testPatch };
}

export const pythonProject: Files = {
  "pyproject.toml": `[project]\nname = "calc"\nversion = "0.1.0"\n\n[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n`,
  "calc/__init__.py": "",
  "calc/ops.py": "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n\n\ndef sub(a, b):\n    return a - b\n",
  "tests/__init__.py": "",
  "tests/test_ops.py": "from calc.ops import mul, sub\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n",
};

export const pythonFix: Files = {
  "calc/ops.py": "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n\n\ndef sub(a, b):\n    return a - b\n",
  "tests/test_ops.py": "from calc.ops import add, mul, sub\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
};

const strSource = (fixed: boolean) =>
  `exports.capitalize = (s) => (s.length === 0 ? s : s[0].toUpperCase() + s.slice(1));\nexports.reverse = (s) => s.split("").reverse().join("");\nexports.isBlank = (s) => ${fixed ? "s.trim().length === 0" : "s.length === 0"};\n`;

/** node:test, no dependencies: only a Node runtime is needed. */
export const nodeTestProject: Files = {
  "package.json": `${JSON.stringify({ name: "strutil", version: "1.0.0", private: true, engines: { node: "20.x" }, scripts: { test: "node --test test/" } }, null, 2)}\n`,
  "src/str.js": strSource(false),
  "test/str.test.js": `const test = require("node:test");\nconst assert = require("node:assert");\nconst { capitalize, reverse } = require("../src/str.js");\n\ntest("capitalize", () => assert.strictEqual(capitalize("abc"), "Abc"));\ntest("reverse", () => assert.strictEqual(reverse("abc"), "cba"));\n`,
};

export const nodeTestFix: Files = {
  "src/str.js": strSource(true),
  "test/str.test.js": `${nodeTestProject["test/str.test.js"]}test("isBlank treats whitespace as blank", () => assert.strictEqual(require("../src/str.js").isBlank("  "), true));\n`,
};

/** mocha from the npm registry, with a committed package-lock.json (npm ci). */
export function mochaProject(lockfile: string): Files {
  return {
    "package.json": `${JSON.stringify({ name: "strutil-mocha", version: "1.0.0", private: true, engines: { node: ">=20 <23" }, scripts: { test: "mocha" }, devDependencies: { mocha: "10.8.2" } }, null, 2)}\n`,
    "package-lock.json": lockfile,
    ".mocharc.yml": "spec: test/**/*.spec.js\n",
    "src/str.js": strSource(false),
    "test/str.spec.js": `const assert = require("node:assert");\nconst { capitalize, reverse } = require("../src/str.js");\n\ndescribe("str", () => {\n  it("capitalizes", () => assert.strictEqual(capitalize("abc"), "Abc"));\n  it("reverses", () => assert.strictEqual(reverse("abc"), "cba"));\n});\n`,
  };
}

export const mochaFix: Files = {
  "src/str.js": strSource(true),
  "test/str.spec.js": `const assert = require("node:assert");\nconst { capitalize, reverse, isBlank } = require("../src/str.js");\n\ndescribe("str", () => {\n  it("capitalizes", () => assert.strictEqual(capitalize("abc"), "Abc"));\n  it("reverses", () => assert.strictEqual(reverse("abc"), "cba"));\n  it("treats whitespace as blank", () => assert.strictEqual(isBlank(" "), true));\n});\n`,
};

/**
 * A repository whose history looks like GitHub's: PR #7 merged with a merge commit (its title
 * and "Fixes #3" in the message body), then PR #8 squash-merged ("Title (#8)").
 */
export function repoWithMergedPulls(dir: string, base: Files, fix: Files, later: Files): { dir: string; base: string } {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  const baseSha = commit(dir, "initial", base);
  git(dir, "checkout", "-q", "-b", "fix-bug");
  commit(dir, "Fix the bug", fix);
  git(dir, "checkout", "-q", "main");
  git(dir, "merge", "--no-ff", "-q", "fix-bug", "-m", "Merge pull request #7 from dev/fix-bug\n\nThe function gets it wrong\n\nFixes #3");
  commit(dir, "Tidy up (#8)", later);
  return { dir, base: baseSha };
}
