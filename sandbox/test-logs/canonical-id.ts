// One id per test, the same on every run and machine: a status map's ids are made canonical
// after parsing, whatever framework wrote them. Absolute checkout paths, durations and memory
// addresses (random per run) are taken out; a jest/vitest id without its file, when the same
// test also appears with it, is folded into that one; an id that is not valid UTF-8 is dropped
// with a note, because it can never be matched reliably against a stored task; a NUL is
// written out as `\u0000`, since the database cannot store it.
import type { ParsedRun, TestStatus, TestStatusMap } from "./types.js";

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
const DURATION = /\s+(?:\(\s*\d+(?:\.\d+)?\s*(?:ms|s|sec|seconds?)\s*\)|\[\s*\d+(?:\.\d+)?\s*(?:ms|s)\s*\])$/;
const ADDRESS = /\b0x[0-9a-fA-F]{6,16}\b/g;
const SEPARATOR = " > ";
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** How bad a status is: a merge of two ids keeps the worse one. */
const RANK: Record<TestStatus, number> = { PASSED: 0, XFAIL: 1, SKIPPED: 2, FAILED: 3, ERROR: 4 };

/** Pure: the canonical form of one id, or null when it cannot be one (not valid UTF-8, empty). */
export function canonicalTestId(id: string, root: string): string | null {
  if (id.includes("\uFFFD") || LONE_SURROGATE.test(id)) return null;
  const prefix = root.endsWith("/") ? root : `${root}/`;
  let out = id.replace(ANSI, "").split(`file://${prefix}`).join("").split(prefix).join("");
  out = out.replace(DURATION, "").replace(ADDRESS, "0x…").trim();
  // PostgreSQL text and jsonb cannot hold NUL (a test named for a `/foo\0` input crashed a
  // harvest's insert): written as the six characters `\u0000`, the same on every run.
  out = out.replace(/\0/g, "\\u0000");
  return out === "" ? null : out;
}

/** Pure: the run with canonical ids; merged and dropped ids are said in `notes`. */
export function canonicalRun(run: ParsedRun, root: string): ParsedRun {
  const statuses = Object.create(null) as TestStatusMap;
  let dropped = 0;
  const put = (id: string, status: TestStatus) => {
    const previous = statuses[id];
    statuses[id] = previous === undefined || RANK[status] > RANK[previous] ? status : previous;
  };
  for (const [raw, status] of Object.entries(run.statuses)) {
    const id = canonicalTestId(raw, root);
    if (id === null) dropped++;
    else put(id, status);
  }
  const notes = [...run.notes];
  const merged = foldFilelessIds(statuses, put);
  if (merged > 0) notes.push(`${merged} test ids listed both with and without their file were merged`);
  if (dropped > 0) notes.push(`${dropped} test ids with bytes that are not UTF-8 (or empty) were dropped: they cannot be matched across runs`);
  return { ...run, statuses, notes };
}

/** `suite > name` next to `file > suite > name`: the file-less one is the same test. */
function foldFilelessIds(statuses: TestStatusMap, put: (id: string, s: TestStatus) => void): number {
  const byTail = new Map<string, string[]>();
  for (const id of Object.keys(statuses)) {
    const at = id.indexOf(SEPARATOR);
    if (at > 0 && looksLikeFile(id.slice(0, at))) {
      const tail = id.slice(at + SEPARATOR.length);
      byTail.set(tail, [...(byTail.get(tail) ?? []), id]);
    }
  }
  let merged = 0;
  for (const id of Object.keys(statuses)) {
    const owners = byTail.get(id);
    // Only when exactly one file has that test: two files with the same suite and name are two tests.
    if (!owners || owners.length !== 1 || looksLikeFile(id.split(SEPARATOR)[0] ?? "")) continue;
    put(owners[0] as string, statuses[id] as TestStatus);
    delete statuses[id];
    merged++;
  }
  return merged;
}

function looksLikeFile(part: string): boolean {
  return /\.[cm]?[jt]sx?$/.test(part) || /\.(py|go|mjs|cjs)$/.test(part);
}
