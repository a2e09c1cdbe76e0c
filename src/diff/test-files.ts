// Which files are tests: the split between a task's `patch` and `test_patch`, the tests a
// validation runs, and the files a patch may not touch.
import { fileSections } from "./parse.js";

const TEST_DIR = /(^|\/)(tests?|__tests__|spec|specs|testing)\//i;
// `test.py` / `tests.py` (a single-module suite: python-slugify, Django apps) and `test.js` count too.
const TEST_NAME = /(^|\/)(test_[^/]*\.py|[^/]*_test\.(py|go)|[^/]*\.(test|spec)\.[cm]?[jt]sx?|conftest\.py|tests?\.py|tests?\.[cm]?[jt]sx?)$/i;

export function isTestFile(path: string): boolean {
  return TEST_DIR.test(path) || TEST_NAME.test(path);
}

/** Pure: a unified git diff split per file into non-test (patch) and test (test_patch) parts. */
export function splitDiff(diffText: string): { patch: string; testPatch: string; files: { path: string; test: boolean }[] } {
  const files: { path: string; test: boolean }[] = [];
  let patch = "";
  let testPatch = "";
  for (const { text, file } of fileSections(diffText)) {
    const test = isTestFile(file.path) || isTestFile(file.oldPath);
    files.push({ path: file.path, test });
    if (test) testPatch += text;
    else patch += text;
  }
  return { patch, testPatch, files };
}

/** Pure: the test files a test_patch leaves in place (added or modified, not deleted), in order. */
export function touchedTestFiles(testPatch: string): string[] {
  const out: string[] = [];
  for (const { file } of fileSections(testPatch)) {
    if (file.kind === "deleted") continue;
    if (isTestFile(file.path) && !out.includes(file.path)) out.push(file.path);
  }
  return out;
}
