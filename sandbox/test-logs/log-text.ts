import type { RunBuilder } from "./run-builder.js";
import { DEFAULT_ROOT } from "./types.js";

// The line sandbox/output.ts puts where it dropped the middle of a capped log.
const TRUNCATION_LINE = /^\[\.\.\. (\d+) bytes truncated \.\.\.\]$/gm;
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/** Text without terminal colour and cursor sequences (pytest and uvu colour their output even in CI). */
export function stripAnsi(text: string): string {
  return text.includes("\x1b") ? text.replace(ANSI, "") : text;
}

/**
 * The body cut at truncation markers into the pieces that were kept, in order. Records the
 * truncation on the run, since a test missing from a cut log may simply have been dropped.
 */
export function splitAtTruncation(body: string, run: RunBuilder): string[] {
  const pieces: string[] = [];
  let from = 0;
  let dropped = 0;
  for (const m of body.matchAll(TRUNCATION_LINE)) {
    // The newlines around the marker line are the separator, not part of either piece.
    let end = m.index;
    if (body.startsWith("\n", end - 1)) end -= body.startsWith("\r\n", end - 2) ? 2 : 1;
    pieces.push(body.slice(from, Math.max(from, end)));
    dropped += Number(m[1]);
    from = m.index + m[0].length;
    if (body.startsWith("\r\n", from)) from += 2;
    else if (body.startsWith("\n", from)) from += 1;
  }
  pieces.push(body.slice(from));
  if (pieces.length > 1) {
    run.truncated = true;
    run.note(`log truncated: ${dropped} bytes dropped from the middle`);
  }
  return pieces;
}

/**
 * Lines of each kept piece, colours stripped. The line on either side of a cut is dropped:
 * it is usually a fragment, and a fragment can look like a result with the wrong test id.
 */
export function lineSegments(body: string, run: RunBuilder): string[][] {
  const pieces = splitAtTruncation(body, run);
  return pieces.map((piece, i) => {
    const text = piece.includes("\x1b") ? piece.replace(ANSI, "") : piece;
    const lines = text.split(/\r\n|\n|\r/);
    if (i > 0) lines.shift();
    if (i < pieces.length - 1) lines.pop();
    return lines;
  });
}

/** A test file path as the repository names it: relative to the sandbox's checkout. */
export function relativePath(path: string, root: string = DEFAULT_ROOT): string {
  const p = path.startsWith("file://") ? path.slice("file://".length) : path;
  const prefix = root.endsWith("/") ? root : `${root}/`;
  return p.startsWith(prefix) ? p.slice(prefix.length) : p;
}
