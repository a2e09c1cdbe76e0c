// Writing git diffs: one from file contents before and after an edit, and the reverse of one.
// Synthetic tasks need both: the diff that injects a bug, and its reverse, the fix.
import { formatPatch, reversePatch, structuredPatch, type StructuredPatch } from "diff";
import { DiffFormatError, fileSections, structured } from "./parse.js";

/** One file's edit; `before: null` creates the file, `after: null` deletes it. */
export interface FileEdit {
  path: string;
  before: string | null;
  after: string | null;
}

/** git's default context, so the diff reads like one git wrote. */
const CONTEXT_LINES = 3;
const FILE_MODE = "100644";

/**
 * Pure: a unified diff in git's format (`a/` and `b/` prefixes, new and deleted files marked)
 * that `git apply` accepts; an edit that changes nothing adds nothing.
 */
export function createDiff(edits: FileEdit[]): string {
  return edits.map(filePatch).filter((p): p is StructuredPatch => p !== null).map((p) => formatPatch(p)).join("");
}

/** Pure: the diff that undoes `text`. Binary changes cannot be reversed from the text alone. */
export function reverseDiff(text: string): string {
  const binary = fileSections(text).find((s) => s.text.split("\n").includes("GIT binary patch"));
  if (binary) throw new DiffFormatError(`the diff changes the binary file ${binary.file.path}, which cannot be reversed from the diff alone`);
  const patches = structured(text);
  try {
    return reversePatch(patches).map((p) => formatPatch(p)).join("");
  } catch (error) {
    // jsdiff reads headers it cannot reverse (a git header with no file names) without complaint.
    throw new DiffFormatError(`the diff cannot be reversed: ${(error as Error).message}`);
  }
}

function filePatch(edit: FileEdit): StructuredPatch | null {
  if (edit.before === null && edit.after === null) throw new DiffFormatError(`the edit of ${edit.path} has neither a before nor an after`);
  if (edit.before === edit.after) return null;
  const oldName = edit.before === null ? "/dev/null" : `a/${edit.path}`;
  const newName = edit.after === null ? "/dev/null" : `b/${edit.path}`;
  const patch = structuredPatch(oldName, newName, edit.before ?? "", edit.after ?? "", undefined, undefined, { context: CONTEXT_LINES });
  return {
    ...patch,
    isGit: true,
    ...(edit.before === null ? { isCreate: true, newMode: FILE_MODE } : {}),
    ...(edit.after === null ? { isDelete: true, oldMode: FILE_MODE } : {}),
  };
}
