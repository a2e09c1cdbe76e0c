// The normalised gold-patch hash the held-out matcher compares: the same fix harvested twice
// (another fork, another context size, other index lines or hunk offsets, files in another
// order, trailing whitespace or CRLF changed) hashes the same. Only what the patch changes
// counts: per file, by path, its removed and its added lines in order. Pure.
import { createHash } from "node:crypto";
import { DiffFormatError, parseDiff } from "../src/diff/index.js";

const norm = (line: string) => line.replace(/\s+$/, "");

/** Null for a patch that changes no line, or one that cannot be read as a diff. */
export function normalizedPatchHash(patch: string): string | null {
  let files;
  try {
    files = parseDiff(patch.replace(/\r\n/g, "\n"));
  } catch (error) {
    if (error instanceof DiffFormatError) return null;
    throw error;
  }
  const changed = files
    .filter((f) => f.addedLines.length + f.removedLines.length > 0)
    .map((f) => `file ${f.path}\n${f.removedLines.map((l) => `-${norm(l)}`).join("\n")}\n${f.addedLines.map((l) => `+${norm(l)}`).join("\n")}\n`)
    .sort();
  if (changed.length === 0) return null;
  const hash = createHash("sha256");
  for (const file of changed) hash.update(file);
  return hash.digest("hex");
}
