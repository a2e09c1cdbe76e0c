// Reading unified git diffs: the files a diff touches, what happened to each, and its changed
// lines. The format itself is parsed by jsdiff (`diff`), which knows git's extended headers,
// quoted paths and hunkless changes; this module only shapes its answer for the factory.
import { parsePatch, type StructuredPatch } from "diff";

export type ChangeKind = "added" | "deleted" | "modified" | "renamed" | "copied";

/** The lines one hunk replaces: `oldLines` lines from `oldStart` become `newLines` from `newStart` (1-based). */
export interface LineRange {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
}

export interface DiffFile {
  /** The path after the change; a deleted file keeps the path it had. */
  path: string;
  /** The path before the change; a new file has its own path here. */
  oldPath: string;
  kind: ChangeKind;
  additions: number;
  deletions: number;
  /** Added lines without their `+`, in order. */
  addedLines: string[];
  /** Removed lines without their `-`, in order. */
  removedLines: string[];
  /** One range per hunk, in order. */
  ranges: LineRange[];
}

export class DiffFormatError extends Error {
  readonly code = "diff_malformed";
}

const GIT_HEADER = "diff --git ";

/** Pure: the files of a unified diff, in order. Throws DiffFormatError when the diff cannot be read. */
export function parseDiff(text: string): DiffFile[] {
  return structured(text).map(toFile);
}

/** Pure: every path a diff touches, both sides, so a rename counts twice; in order, no repeats. */
export function changedPaths(text: string): string[] {
  return [...new Set(parseDiff(text).flatMap((f) => [f.oldPath, f.path]))];
}

/** Pure: added plus removed lines of a diff (headers and context excluded). */
export function changedLineCount(text: string): number {
  return parseDiff(text).reduce((n, f) => n + f.additions + f.deletions, 0);
}

/**
 * Pure: a git diff cut into one piece of text per file, each exactly as it stands (binary
 * patches and extended headers included), with what it changes. Text before the first file
 * is dropped. A line that starts a file cannot occur inside a hunk, where every line has a
 * one-character prefix, so cutting at those lines never splits a file.
 */
export function fileSections(text: string): { text: string; file: DiffFile }[] {
  const sections: string[] = [];
  for (const line of text.split(/(?<=\n)/)) {
    if (line.startsWith(GIT_HEADER)) sections.push(line);
    else if (sections.length > 0) sections[sections.length - 1] += line;
  }
  return sections.map((section) => {
    const [file] = parseDiff(section);
    if (!file) throw new DiffFormatError(`the diff has a file header it cannot read: ${firstLine(section)}`);
    return { text: section, file };
  });
}

/** jsdiff's structured patches; shared with the writers in create.ts. */
export function structured(text: string): StructuredPatch[] {
  if (!text.trim()) return [];
  try {
    return parsePatch(text);
  } catch (error) {
    throw new DiffFormatError(`the diff is malformed: ${(error as Error).message}`);
  }
}

function toFile(p: StructuredPatch): DiffFile {
  const oldSide = sidePath(p.oldFileName, "a/");
  const newSide = sidePath(p.newFileName, "b/");
  const path = (p.isDelete ? oldSide : newSide) ?? oldSide ?? "";
  const oldPath = (p.isCreate ? newSide : oldSide) ?? path;
  const lines = p.hunks.flatMap((h) => h.lines);
  const addedLines = lines.filter((l) => l.startsWith("+")).map((l) => l.slice(1));
  const removedLines = lines.filter((l) => l.startsWith("-")).map((l) => l.slice(1));
  return {
    path,
    oldPath,
    kind: kindOf(p, oldSide, newSide),
    additions: addedLines.length,
    deletions: removedLines.length,
    addedLines,
    removedLines,
    ranges: p.hunks.map(({ oldStart, oldLines, newStart, newLines }) => ({ oldStart, oldLines, newStart, newLines })),
  };
}

function kindOf(p: StructuredPatch, oldSide: string | null, newSide: string | null): ChangeKind {
  if (p.isCreate || oldSide === null) return "added";
  if (p.isDelete || newSide === null) return "deleted";
  if (p.isRename) return "renamed";
  if (p.isCopy) return "copied";
  return "modified";
}

/** A header path without git's side prefix; null for /dev/null (the side does not exist). */
function sidePath(name: string | undefined, prefix: "a/" | "b/"): string | null {
  if (name === undefined || name === "/dev/null") return null;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}
