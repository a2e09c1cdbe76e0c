// The normalised gold-patch hash the held-out matcher compares: the same fix harvested twice
// (another fork, another context size, other index lines, files in another order, trailing
// whitespace or CRLF changed) hashes the same. Only what the patch changes counts: per file, by
// path, its removed and added lines in order. Pure.
import { createHash } from "node:crypto";

const GIT_HEADER = /^diff --git a\/(.+?) b\/(.+)$/;

/** Null for a patch that changes no line. */
export function normalizedPatchHash(patch: string): string | null {
  const files = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const raw of patch.split("\n")) {
    const line = raw.replace(/\s+$/, "");
    const header = GIT_HEADER.exec(line);
    if (header) {
      const path = header[2] as string;
      current = files.get(path) ?? [];
      files.set(path, current);
      continue;
    }
    if (!current || line.startsWith("+++ ") || line.startsWith("--- ") || line === "+++" || line === "---") continue;
    if (line.startsWith("+") || line.startsWith("-")) current.push(line);
  }
  const changed = [...files.entries()].filter(([, lines]) => lines.length > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (changed.length === 0) return null;
  const hash = createHash("sha256");
  for (const [path, lines] of changed) hash.update(`file ${path}\n${lines.join("\n")}\n`);
  return hash.digest("hex");
}
