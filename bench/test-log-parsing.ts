// Test-log parsing speed: each framework's parser on a ~20 MB log, beside the floor any reader
// pays on the same text (decoding it from the container's UTF-8 bytes), in one run. Timing claims live here, not in
// tests, where a loaded machine makes them fail.
//
//   npx tsx bench/test-log-parsing.ts [--mb 20] [--rounds 3]
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { type Framework, parseTestLog } from "../sandbox/test-logs/index.js";

const { values } = parseArgs({ options: { mb: { type: "string", default: "20" }, rounds: { type: "string", default: "3" } } });
const size = Number(values.mb) * 1_000_000;
const rounds = Number(values.rounds);
const big = (unit: string): string => unit.repeat(Math.ceil(size / unit.length));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function jestLog(): string {
  const testResults = [];
  const perFile = 250;
  for (let f = 0; testResults.length * perFile * 165 < size; f++) {
    const assertionResults = Array.from({ length: perFile }, (_, t) => ({ ancestorTitles: ["Widget", `group ${t % 3}`], duration: 3, failureMessages: [], fullName: `Widget renders ${t}`, status: t % 17 ? "passed" : "failed", title: `renders variant ${t} with "quotes"` }));
    testResults.push({ assertionResults, name: `/repo/src/feature${f}/widget.test.ts`, status: "passed", message: "" });
  }
  return `PASS src/feature0/widget.test.ts\n${JSON.stringify({ numTotalTests: 0, success: false, testResults })}\n`;
}

function mochaLog(): string {
  const tests = [];
  for (let i = 0; tests.length * 200 < size; i++) tests.push({ title: `does thing ${i}`, fullTitle: `suite does thing ${i}`, file: "/repo/test/a.spec.js", duration: 1, err: {} });
  return JSON.stringify({ stats: { tests: tests.length, passes: tests.length, failures: 0, pending: 0 }, tests, passes: tests, failures: [], pending: [] });
}

const logs: [Framework, string][] = [
  ["pytest", big("tests/test_big.py::test_case[some long parameter id] PASSED                 [ 42%]\n")],
  ["unittest", big("test_view (app.tests.ViewTests.test_view) ... ok\nprinted output from the test\n")],
  ["jest", jestLog()],
  ["mocha", mochaLog()],
  ["node-test", big("# Subtest: a\n    # Subtest: b\n    ok 1 - b\n      ---\n      duration_ms: 0.1\n      ...\nok 1 - a\n")],
  ["go-test", big('{"Action":"pass","Package":"example.com/m","Test":"TestX/sub","Elapsed":0}\n')],
];

console.log(`framework   MB     parse ms  decode ms  ratio  tests`);
for (const [framework, log] of logs) {
  const parse: number[] = [];
  const floor: number[] = [];
  let tests = 0;
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    tests = Object.keys(parseTestLog(framework, log).statuses).length;
    parse.push(performance.now() - t);
    const bytes = Buffer.from(log, "utf8");
    t = performance.now();
    bytes.toString("utf8");
    floor.push(performance.now() - t);
  }
  const p = median(parse);
  const f = median(floor);
  console.log(`${framework.padEnd(10)} ${(log.length / 1e6).toFixed(1).padStart(5)} ${p.toFixed(0).padStart(10)} ${f.toFixed(0).padStart(10)} ${(p / f).toFixed(1).padStart(6)}x ${String(tests).padStart(6)}`);
}
