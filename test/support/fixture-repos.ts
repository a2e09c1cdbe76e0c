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

/** uvu from the npm registry (npm install, no lockfile), one named suite per file; uvu's own TAP-less output. */
export const uvuProject: Files = {
  "package.json": `${JSON.stringify({ name: "strutil-uvu", version: "1.0.0", private: true, engines: { node: ">=20 <23" }, scripts: { test: "uvu tests" }, devDependencies: { uvu: "0.5.6" } }, null, 2)}\n`,
  "src/str.js": strSource(false),
  "tests/str.js": `const { suite } = require("uvu");\nconst assert = require("uvu/assert");\nconst { capitalize, reverse } = require("../src/str.js");\n\nconst str = suite("str");\nstr("capitalizes", () => assert.is(capitalize("abc"), "Abc"));\nstr("reverses", () => assert.is(reverse("abc"), "cba"));\nstr.run();\n`,
};

export const uvuFix: Files = {
  "src/str.js": strSource(true),
  "tests/str.js": `const { suite } = require("uvu");\nconst assert = require("uvu/assert");\nconst { capitalize, reverse, isBlank } = require("../src/str.js");\n\nconst str = suite("str");\nstr("capitalizes", () => assert.is(capitalize("abc"), "Abc"));\nstr("reverses", () => assert.is(reverse("abc"), "cba"));\nstr("treats whitespace as blank", () => assert.is(isBlank(" "), true));\nstr.run();\n`,
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

/**
 * A history with one PR in every merge style, built as the hosts write them. Each PR changes its
 * own source file and test; `main` moves on while #20's branch is open, so #20's merge commit
 * joins a branch that is behind. Shas of interest are returned for exact assertions.
 */
export function repoWithMergeStyles(dir: string): Record<string, string> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  const shas: Record<string, string> = {};
  const src = (name: string, v: number) => ({ [`pkg/${name}.py`]: `def ${name}():\n    return ${v}\n`, [`tests/test_${name}.py`]: `from pkg.${name} import ${name}\n\n\ndef test_${name}():\n    assert ${name}() == ${v}\n` });
  shas.root = commit(dir, "initial", { "README.md": "pkg\n", "pkg/__init__.py": "", ...src("recipes", 0), ...src("other", 0) });
  // #20 branches off here and is merged after #19 landed: its merge base is `root`.
  git(dir, "checkout", "-q", "-b", "recipes-fix");
  commit(dir, "Fix recipes", src("recipes", 1));
  git(dir, "checkout", "-q", "main");
  shas.s19 = commit(dir, "Fix other (#19)", src("other", 1));
  git(dir, "merge", "--no-ff", "-q", "recipes-fix", "-m", "Merge pull request #20 from dev/recipes-fix\n\nRecipes return one\n\nFixes #4");
  shas.m20 = git(dir, "rev-parse", "HEAD");
  // #21: a squash merge.
  shas.s21 = commit(dir, "Squashed change (#21)", src("squash", 1));
  // #22: rebase-merged, three commits each naming the PR.
  shas.r22a = commit(dir, "Start the series (#22)", { "pkg/series.py": "def series():\n    return 1\n" });
  commit(dir, "Continue the series (#22)", { "tests/test_series.py": "from pkg.series import series\n\n\ndef test_series():\n    assert series() == 1\n" });
  shas.r22c = commit(dir, "Finish the series (#22)", { "pkg/series.py": "def series():\n    return 1\n\n\nVERSION = 2\n" });
  // #23: a merge whose PR touched only non-test files.
  git(dir, "checkout", "-q", "-b", "docs");
  commit(dir, "Docs", { "pkg/notes.py": "NOTE = 1\n" });
  git(dir, "checkout", "-q", "main");
  git(dir, "merge", "--no-ff", "-q", "docs", "-m", "Merge pull request #23 from dev/docs\n\nNotes");
  // #24: GitHub's merge option with the PR title as the message ("Title (#N)", two parents).
  shas.b24 = git(dir, "rev-parse", "HEAD");
  git(dir, "checkout", "-q", "-b", "titled");
  commit(dir, "Titled work", src("titled", 1));
  git(dir, "checkout", "-q", "main");
  git(dir, "merge", "--no-ff", "-q", "titled", "-m", "Make titled return one (#24)");
  // #25: a Node-style landing with a PR-URL trailer.
  shas.p25 = commit(dir, "lib: make trailer return one", { ...src("trailer", 1) });
  git(dir, "commit", "-q", "--amend", "-m", "lib: make trailer return one\n\nFixes: #9\nPR-URL: https://github.com/acme/pkg/pull/25\nReviewed-By: Someone <s@example.com>");
  shas.p25 = git(dir, "rev-parse", "HEAD");
  // #26: Bitbucket's merge commit; #27: GitLab's.
  git(dir, "checkout", "-q", "-b", "bb");
  commit(dir, "BB work", src("bitbucket", 1));
  git(dir, "checkout", "-q", "main");
  git(dir, "merge", "--no-ff", "-q", "bb", "-m", "Merged in feature/bb (pull request #26)\n\nBitbucket returns one\n\nApproved-by: Someone");
  git(dir, "checkout", "-q", "-b", "gl");
  commit(dir, "GL work", src("gitlab", 1));
  git(dir, "checkout", "-q", "main");
  git(dir, "merge", "--no-ff", "-q", "gl", "-m", "Merge branch 'gl' into 'main'\n\nGitLab returns one\n\nSee merge request acme/pkg!27");
  // #28: an octopus merge of two branches.
  for (const b of ["oct1", "oct2"]) {
    git(dir, "checkout", "-q", "-b", b, "main");
    commit(dir, `${b} work`, src(b, 1));
  }
  git(dir, "checkout", "-q", "main");
  git(dir, "merge", "--no-ff", "-q", "oct1", "oct2", "-m", "Merge pull request #28 from dev/octopus\n\nTwo at once");
  // #29: a revert of #21, merged as its own PR.
  git(dir, "revert", "--no-edit", shas.s21 as string);
  git(dir, "commit", "-q", "--amend", "-m", `Revert "Squashed change (#21)" (#29)\n\nThis reverts commit ${shas.s21}.`);
  shas.head = git(dir, "rev-parse", "HEAD");
  return shas;
}
