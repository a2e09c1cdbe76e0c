import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inPieces, parseJsonLine } from "../../../training/json-line.js";

/** What JSON.parse gives for the text, or the error it throws. */
function reference(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function ours(buf: Buffer): { value: unknown } | { error: string } {
  try {
    return { value: parseJsonLine(buf) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function same(buf: Buffer): void {
  const want = reference(buf.toString("utf8"));
  const got = ours(buf);
  expect(got).toStrictEqual(want);
  // toStrictEqual ignores key order; the text does not.
  if ("value" in want) expect(JSON.stringify((got as { value: unknown }).value)).toBe(JSON.stringify(want.value));
}

// Records shaped like `lego rollout` lines, and anything else JSON can be.
const line = fc.oneof(
  fc.record({ instance_id: fc.string(), rollout: fc.integer(), messages: fc.array(fc.record({ role: fc.string(), content: fc.oneof(fc.string({ unit: "binary" }), fc.constant(null)) })), steps: fc.array(fc.jsonValue()), outcome: fc.string() }),
  fc.dictionary(fc.string(), fc.jsonValue()),
  fc.jsonValue(),
);
const spacing = fc.constantFrom(undefined, 0, 1, 2, "\t", " \r\n");

describe("parseJsonLine", () => {
  it("gives what JSON.parse gives, keys in the same order, however the line is spaced", () => {
    fc.assert(
      fc.property(line, spacing, fc.constantFrom("", " ", "\n ", "\t"), (value, space, pad) => {
        const buf = Buffer.from(`${pad}${JSON.stringify(value, null, space as never)}${pad}`);
        same(buf);
        // An object is read in pieces, not handed to JSON.parse whole.
        if (typeof value === "object" && value !== null && !Array.isArray(value)) expect(inPieces(buf)).not.toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it("fails as JSON.parse fails, or succeeds as it does, on cut, altered and odd lines", () => {
    fc.assert(
      fc.property(line, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (value, at, byte, cut) => {
        const text = Buffer.from(JSON.stringify(value));
        const broken = Buffer.from(text);
        if (broken.length === 0) return;
        if (cut) same(broken.subarray(0, at % broken.length));
        else {
          broken[at % broken.length] = byte;
          same(broken);
        }
      }),
      { numRuns: 1000 },
    );
    for (const odd of ['{"__proto__": {"x": 1}, "a": [1, {"__proto__": 2}]}', '{"a": 1, "a": [2], "b": 3, "a": 4}', '{"a": [1,]}', '{"a": [1 2]}', '{"a": "\\""}', '{"a": "\\\\"}', '{"a" 1}', '{}', '{} x', '\ufeff{"a": 1}', '{"a": [[], {}, "]", "}"]}', '{"a": -0, "b": 1e400}', '{"k":"\u2028"}']) {
      same(Buffer.from(odd));
    }
    same(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0x22, 0x7d])); // a truncated UTF-8 sequence in a string
    expect(Object.getPrototypeOf(parseJsonLine(Buffer.from('{"__proto__": {"x": 1}}')))).toBe(Object.prototype);
  });
});
