// How Python prints a value that came from JSON: `f'{value}'` and `json.dumps(value)` as
// OpenHands' fn_call_converter writes tool-call parameters. JSON numbers are read with their
// text kept (lossless-json), because Python prints `30.0` where JavaScript would print `30`. Pure.
import { isLosslessNumber, LosslessNumber, parse } from "lossless-json";

/** A JSON value with its numbers as written. */
export type PyValue = string | boolean | null | LosslessNumber | PyValue[] | { [key: string]: PyValue };

/** Parses JSON keeping each number's text; throws SyntaxError as JSON.parse does. */
export function parseJsonExact(text: string): PyValue {
  return parse(text) as PyValue;
}

/** Values from JSON.parse (numbers already JavaScript numbers) in the same shape. */
export function fromJs(value: unknown): PyValue {
  if (typeof value === "number") return new LosslessNumber(jsNumberText(value));
  if (Array.isArray(value)) return value.map(fromJs);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJs(v)]));
  if (typeof value === "string" || typeof value === "boolean") return value;
  return null;
}

function jsNumberText(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? n.toFixed(0) : String(n);
}

/** Python's `f'{value}'` (str()) of the value json.loads gives. */
export function pyStr(value: PyValue): string {
  if (typeof value === "string") return value;
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (isLosslessNumber(value)) return pyNumber(value.toString(), false);
  return pyJsonDumps(value);
}

/** Python's `json.dumps(value)`: ", " and ": " separators, non-ASCII escaped. */
export function pyJsonDumps(value: PyValue): string {
  if (typeof value === "string") return pyJsonString(value);
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (isLosslessNumber(value)) return pyNumber(value.toString(), true);
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(", ")}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${pyJsonString(k)}: ${pyJsonDumps(v)}`)
    .join(", ")}}`;
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

function pyJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const code = s.charCodeAt(i);
    if (SHORT_ESCAPES[ch] !== undefined) out += SHORT_ESCAPES[ch];
    // UTF-16 code units: an astral character becomes its surrogate pair, as Python writes it.
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A JSON number's text as Python prints the int or float json.loads makes of it. */
function pyNumber(text: string, inJson: boolean): string {
  if (/^-?\d+$/.test(text)) return BigInt(text).toString();
  const x = Number(text);
  if (!Number.isFinite(x)) return inJson ? (x > 0 ? "Infinity" : "-Infinity") : x > 0 ? "inf" : "-inf";
  return pyFloatRepr(x);
}

/** Python's repr(float): the shortest round-trip digits, positional for exponents -4..15. */
function pyFloatRepr(x: number): string {
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa = "", expText = "0"] = x.toExponential().split("e");
  const exp = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    return `${sign}${whole}.${frac === "" ? "0" : frac}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}
