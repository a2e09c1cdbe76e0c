// Reading stored synthetic tasks back into what the strategies take.
import { parseDiff } from "../diff/index.js";

/** The file a single-file bug patch changes (the first, for a multi-file one). */
export function bugFile(bugPatch: string): string {
  return parseDiff(bugPatch)[0]?.path ?? "";
}
