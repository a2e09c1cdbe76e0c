// Property-based fuzzing of every test-log parser: the log is written by the repository's own
// tests, so it is untrusted. Inputs are the real fixture logs cut, spliced and flooded. A parser
// must not throw (parseTestLog would hide it as a run with no evidence, losing the run), must
// finish quickly, and must only report statuses it knows.
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractMarked, parseTestLog, wrapWithMarkers, END_MARKER, START_MARKER, type Framework } from "../../sandbox/test-logs/index.js";
import { parseGoTest } from "../../sandbox/test-logs/go-test.js";
import { parseJestJson } from "../../sandbox/test-logs/jest.js";
import { parseJunitXml } from "../../sandbox/test-logs/junit.js";
import { parseMochaJson } from "../../sandbox/test-logs/mocha.js";
import { parsePytest } from "../../sandbox/test-logs/pytest.js";
import { parseTap } from "../../sandbox/test-logs/tap.js";
import { parseUnittest } from "../../sandbox/test-logs/unittest.js";
import { parseUvu } from "../../sandbox/test-logs/uvu.js";
import { floods, fragments, RUNS, timed } from "./bounded.js";

const fixtures = path.resolve("test/fixtures/test-logs");
const read = (name: string) => readFileSync(path.join(fixtures, name), "utf8");
const STATUSES = new Set(["PASSED", "FAILED", "SKIPPED", "ERROR", "XFAIL"]);
const ROOT = "/repo";

/** A real log, mangled: cut short, with text spliced in, a slice repeated. */
function mangled(seed: string, noise: string[]) {
  return fc
    .tuple(fc.nat(seed.length), fc.nat(seed.length), fc.oneof(fragments(noise, 20), fc.string({ unit: "grapheme", maxLength: 40 })), fc.nat(5), fc.boolean())
    .map(([a, b, insert, repeat, truncate]) => {
      const [from, to] = a < b ? [a, b] : [b, a];
      const body = seed.slice(0, from) + insert + seed.slice(from, to).repeat(repeat) + seed.slice(to);
      return truncate ? body.slice(0, to) : body;
    });
}

const parsers: { name: string; parse: (log: string) => ReturnType<typeof parsePytest>; seeds: string[]; noise: string[] }[] = [
  { name: "pytest", parse: parsePytest, seeds: [read("pytest-rA-v.txt"), read("pytest-collection-interrupted.txt")], noise: ["PASSED ", "FAILED ", "::", " - ", "=====", " short test summary info ", "\n", "[", "%]", "ERROR ", "XFAIL", " passed", " in 0.1s"] },
  { name: "unittest", parse: parseUnittest, seeds: [read("unittest-py311.txt")], noise: [" ... ok\n", " ... FAIL\n", "(", ")", "\n", "Ran 3 tests", "FAILED (failures=1)", "ERROR: ", "======"] },
  { name: "jest / vitest", parse: (l) => parseJestJson(l, ROOT), seeds: [read("jest.txt"), read("vitest.txt")], noise: ["{", "}", '"', '"testResults":[', '"status":"passed"', ",", "[", "]", "\\", "null"] },
  { name: "mocha", parse: (l) => parseMochaJson(l, ROOT), seeds: [read("mocha.txt")], noise: ["{", "}", '"', '"passes":[', '"fullTitle":', ",", "[", "]", "\\"] },
  { name: "TAP (node:test, ava, tap)", parse: (l) => parseTap(l, ROOT), seeds: [read("node-test.tap.txt"), read("ava.tap.txt"), read("node-tap.tap.txt")], noise: ["ok 1 - ", "not ok 2 - ", "# SKIP", "# TODO", "    ", "---\n", "...\n", "1..3\n", "# Subtest: ", "\n"] },
  { name: "uvu (printed output)", parse: (l) => parseUvu(l, ROOT), seeds: [read("uvu.txt")], noise: [" FAIL ", '"', "\u2022 ", "\u2718 ", "tests/a.js\n", "  Total:     3\n", "  Passed:    2\n", "\x1b[31m", "\n"] },
  { name: "TAP from the uvu preload", parse: (l) => parseTap(l, ROOT), seeds: [read("uvu-hook.tap.txt")], noise: ["ok 1 - ", "not ok 2 - ", " > ", "\\#", "1..3\n", "# pass 1\n", "\n"] },
  {
    name: "JUnit XML",
    parse: parseJunitXml,
    seeds: ['<?xml version="1.0"?>\n<testsuites><testsuite name="s" tests="3"><testcase classname="a.B" name="ok"/><testcase classname="a.B" name="bad"><failure message="x">trace</failure></testcase><testcase name="skip"><skipped/></testcase></testsuite></testsuites>\n'],
    noise: ["<testcase ", "name=", '"', "/>", "<failure>", "</testcase>", "<testsuite>", "<![CDATA[", "]]>", "&amp;", "&#", "<!DOCTYPE x [<!ENTITY a 'aaaa'>]>", "&a;", "<", ">"],
  },
  { name: "go test -json", parse: parseGoTest, seeds: [read("go-test.jsonl")], noise: ['{"Action":"pass","Test":"T"}\n', '{"Action":"', "}", "\n", '"Package":', "--- FAIL: ", "=== RUN"] },
];

describe.each(parsers)("the $name parser", ({ parse, seeds, noise }) => {
  const input = fc.oneof(
    fc.constantFrom(...seeds).chain((s) => mangled(s, noise)),
    fragments(noise),
    fc.string({ unit: "grapheme" }),
    floods([...noise, " ", "\n", "{", "["]),
  );
  it("never throws, finishes quickly and reports only known statuses", () => {
    fc.assert(
      fc.property(input, (log) => {
        const run = timed(() => parse(log));
        expect(typeof run.ran).toBe("boolean");
        for (const status of Object.values(run.statuses)) expect(STATUSES.has(status)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("the markers around a test run", () => {
  it("round-trip: the body and exit code a command printed come back, whatever it printed", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.string({ unit: "grapheme" }), fc.integer({ min: 0, max: 255 }), fc.string({ maxLength: 30 }), (id, body, code, before) => {
        const log = `${before}\n${START_MARKER(id)}\n${body}\n${END_MARKER(id, code)}\n`;
        const out = timed(() => extractMarked(log, id));
        expect(out).toEqual({ body, exitCode: code, complete: true });
        expect(wrapWithMarkers(id, "true")).toContain(START_MARKER(id));
      }),
      { numRuns: RUNS },
    );
  });
  it("parseTestLog never throws, even for a framework name from config that does not exist", () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom("pytest", "jest", "go-test", "tap", "uvu"), fc.string()), fc.string(), (framework, log) => {
        expect(typeof timed(() => parseTestLog(framework as Framework, log)).ran).toBe("boolean");
      }),
      { numRuns: RUNS },
    );
  });
});
