// The one home for unified diffs: reading them, writing them, and telling test files apart.
export { type FileEdit, createDiff, reverseDiff } from "./create.js";
export { type ChangeKind, type DiffFile, DiffFormatError, type LineRange, changedLineCount, changedPaths, fileSections, parseDiff } from "./parse.js";
export { isTestFile, splitDiff, touchedTestFiles } from "./test-files.js";
