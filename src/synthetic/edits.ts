// Byte-range edits on source text: each replaces one span and leaves every other character of the
// file as it was, so a mutant's diff shows the bug and nothing else (no reformatting).

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** A span of the source: string offsets and the node's 1-based first and last lines. */
export interface Span {
  start: number;
  end: number;
  startLine: number;
  endLine: number;
}

/** Pure: the edits applied to `text`; overlapping edits are a programming error. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const ordered = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const e of ordered) {
    if (e.start < 0 || e.end < e.start || e.end > text.length) throw new RangeError(`edit [${e.start}, ${e.end}) is outside the text`);
    if (e.end > limit) throw new RangeError(`edits overlap at ${e.start}`);
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    limit = e.start;
  }
  return out;
}

/** The whitespace that starts the line holding `offset`. */
export function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? "";
}

/** True when only spaces or tabs stand between the start of its line and `offset`. */
export function startsLine(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*$/.test(text.slice(lineStart, offset));
}

/**
 * Deleting a statement: its whole lines when it stands alone on them (indentation and line break
 * too), else just its own span.
 */
export function removal(text: string, start: number, end: number): TextEdit {
  if (!startsLine(text, start)) return { start, end, text: "" };
  let after = end;
  while (after < text.length && (text[after] === " " || text[after] === "\t")) after++;
  if (after < text.length && text[after] !== "\n" && text[after] !== "\r") return { start, end, text: "" };
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const lineEnd = text.startsWith("\r\n", after) ? after + 2 : after < text.length ? after + 1 : after;
  return { start: lineStart, end: lineEnd, text: "" };
}

/**
 * `body` moved out by `by` characters of indentation: every line after the first loses that
 * much leading whitespace (the first line starts at the body's first character). Null when some
 * non-blank line is indented less, which would change its meaning.
 */
export function dedent(body: string, by: number): string | null {
  if (by <= 0) return body;
  const lines = body.split("\n");
  const out = [lines[0] as string];
  for (const line of lines.slice(1)) {
    const lead = /^[ \t]*/.exec(line)?.[0].length ?? 0;
    if (line.trim() === "") out.push(line.slice(Math.min(lead, by)));
    else if (lead < by) return null;
    else out.push(line.slice(by));
  }
  return out.join("\n");
}

/** 1-based line of a string offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
