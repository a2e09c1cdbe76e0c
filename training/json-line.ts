// `JSON.parse(line.toString("utf8"))` for a `lego rollout` line, without ever building a string
// as long as the line: V8 puts a string over ~128 KB in its large-object space, freshly mapped and
// page-faulted each time, and decoding a ~350 KB trajectory line cost more than parsing it (see
// bench/export.ts). The top-level object is split at its members and an array member at its
// elements (the messages, the steps), each decoded and parsed on its own. The value is the same,
// keys in the same order; whatever this does not follow (not an object, bad structure, anything
// JSON.parse refuses in a piece) goes to JSON.parse whole, so errors are JSON.parse's own. Pure.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(buf: Buffer, i: number): number {
  while (isSpace(buf[i])) i++;
  return i;
}

/** The index after the string that opens at `i`, or -1. */
function stringEnd(buf: Buffer, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, from);
    if (q === -1) return -1;
    let k = q - 1;
    while (buf[k] === BACKSLASH) k--;
    // An even run of backslashes escapes itself, not the quote.
    if ((q - 1 - k) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** The index after the value that starts at `i` (its extent only: JSON.parse checks it), or -1. */
function valueEnd(buf: Buffer, i: number): number {
  const c = buf[i];
  if (c === QUOTE) return stringEnd(buf, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; j < buf.length; ) {
      const d = buf[j] as number;
      if (d === QUOTE) {
        j = stringEnd(buf, j);
        if (j === -1) return -1;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return -1;
  }
  let j = i;
  while (j < buf.length && !isSpace(buf[j]) && buf[j] !== 0x2c && buf[j] !== 0x7d && buf[j] !== 0x5d) j++;
  return j > i ? j : -1;
}

const parsePiece = (buf: Buffer, from: number, to: number): unknown => JSON.parse(buf.toString("utf8", from, to));

/** The line's object parsed in pieces; null when it is not an object this follows; throws when a piece is not JSON. Exported for the tests. */
export function inPieces(buf: Buffer): Record<string, unknown> | null {
  let i = skipSpace(buf, 0);
  if (buf[i] !== 0x7b) return null;
  const out: Record<string, unknown> = {};
  i = skipSpace(buf, i + 1);
  if (buf[i] === 0x7d) return skipSpace(buf, i + 1) === buf.length ? out : null;
  for (;;) {
    if (buf[i] !== QUOTE) return null;
    const keyEnd = stringEnd(buf, i);
    if (keyEnd === -1) return null;
    const key = parsePiece(buf, i, keyEnd) as string;
    i = skipSpace(buf, keyEnd);
    if (buf[i] !== 0x3a) return null;
    i = skipSpace(buf, i + 1);
    let value: unknown;
    if (buf[i] === 0x5b) {
      const list: unknown[] = [];
      i = skipSpace(buf, i + 1);
      if (buf[i] === 0x5d) i++;
      else {
        for (;;) {
          const end = valueEnd(buf, i);
          if (end === -1) return null;
          list.push(parsePiece(buf, i, end));
          i = skipSpace(buf, end);
          if (buf[i] === 0x2c) {
            i = skipSpace(buf, i + 1);
            continue;
          }
          if (buf[i] !== 0x5d) return null;
          i++;
          break;
        }
      }
      value = list;
    } else {
      const end = valueEnd(buf, i);
      if (end === -1) return null;
      value = parsePiece(buf, i, end);
      i = end;
    }
    // An own property, as JSON.parse makes it, even when it is named __proto__.
    if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
    i = skipSpace(buf, i);
    if (buf[i] === 0x2c) {
      i = skipSpace(buf, i + 1);
      continue;
    }
    if (buf[i] !== 0x7d) return null;
    return skipSpace(buf, i + 1) === buf.length ? out : null;
  }
}

export function parseJsonLine(buf: Buffer): unknown {
  let value: Record<string, unknown> | null = null;
  try {
    value = inPieces(buf);
  } catch {
    // JSON.parse below says what is wrong, as it would have.
  }
  return value ?? JSON.parse(buf.toString("utf8"));
}
