// The uvu test command as planned, run for real (uvu 0.5.6 from the npm registry, a devDependency
// of ours) on a small suite of CJS and ESM files, named suites, a skipped test, failures and a
// test that prints uvu's own pass mark before failing: the preload's TAP report names every test
// under the same ids in a full run and a run of chosen files, and the printed mark changes nothing.
// The same for uvu 0.3.3 (installed from the npm registry into the fixture, as kleur pins it),
// which names no running test: CJS files and ESM syntax through `-r esm`, suites with hooks,
// `only`, and tests that print a mark or a whole passing run of their own; and uvu 0.0.11 (kleur's
// pin in 2020), which has no uvu/parse: a test of the same name in two files is two tests.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectEnvironment, type EnvironmentPlan } from "../../src/environment/detect.js";
import { REPORT_PLACEHOLDER, resultsFromReport } from "../../sandbox/test-logs/report.js";

const FILES: Record<string, string> = {
  "package.json": JSON.stringify({ name: "fixture", scripts: { test: "uvu tests" }, devDependencies: { uvu: "0.5.6" } }),
  "tests/math.js": `const { test, suite } = require('uvu');
const assert = require('uvu/assert');
test('adds', () => { assert.is(1 + 1, 2); });
test('subtracts # weird \\\\ name', () => { assert.is(2 - 1, 2); });
test.skip('skipped one', () => {});
test.run();
const Div = suite('divide');
Div('by one', () => { assert.is(4 / 1, 4); });
Div('by zero', async () => { await new Promise((r) => setTimeout(r, 5)); assert.is(1 / 0, 0); });
Div.run();
`,
  "tests/sub/strings.mjs": `import { test } from 'uvu';
import * as assert from 'uvu/assert';
test('upper', () => { assert.is('a'.toUpperCase(), 'A'); });
test('spoof', () => { process.stdout.write('\\u2022 '); throw new Error('boom'); });
test('env', () => { assert.is(process.env.LEGO_UVU_REPORT, undefined); });
test.run();
`,
};

let dir = "";
let plan: EnvironmentPlan;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "lego-uvu-"));
  for (const [name, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"));
  const result = detectEnvironment({ files: Object.keys(FILES), read: (p) => FILES[p] });
  if ("error" in result) throw new Error(result.error);
  plan = result;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(files: string[] | "all", cwd = dir, planned = plan): { report: string | null; output: string } {
  const report = path.join(cwd, `report-${Math.random().toString(36).slice(2)}`);
  const command = planned.testCommand(files).split(REPORT_PLACEHOLDER).join(report);
  let output: string;
  try {
    output = execFileSync("bash", ["-c", `${command} 2>&1`], { cwd, encoding: "utf8", timeout: 60_000, env: { ...process.env, CI: "true" } });
  } catch (err) {
    output = String((err as { stdout?: string }).stdout ?? "");
  }
  let text: string | null = null;
  try {
    text = readFileSync(report, "utf8");
  } catch {
    text = null;
  }
  return { report: text, output };
}

describe("uvu through our preload", () => {
  it("writes one TAP line per test, under ids relative to the repository, with the printed mark ignored", () => {
    expect(plan).toMatchObject({ framework: "uvu", report: "tap" });
    const { report, output } = run("all");
    expect(output).toMatch(/Total:\s+7/);
    const result = resultsFromReport("tap", report, output, "uvu", dir);
    expect(result.untrusted).toBeUndefined();
    expect(result.statuses).toEqual({
      "tests/math.js > adds": "PASSED",
      "tests/math.js > subtracts # weird \\ name": "FAILED",
      "tests/math.js > divide > by one": "PASSED",
      "tests/math.js > divide > by zero": "FAILED",
      "tests/sub/strings.mjs > upper": "PASSED",
      "tests/sub/strings.mjs > spoof": "FAILED",
      "tests/sub/strings.mjs > env": "PASSED",
    });
    expect(result.summary).toEqual({ passed: 4, failed: 3, skipped: 0 });
  });

  it("names the same tests the same way when chosen files are run", () => {
    const { report, output } = run(["tests/sub/strings.mjs"]);
    const result = resultsFromReport("tap", report, output, "uvu", dir);
    expect(result.statuses).toEqual({ "tests/sub/strings.mjs > upper": "PASSED", "tests/sub/strings.mjs > spoof": "FAILED", "tests/sub/strings.mjs > env": "PASSED" });
  });
});

const OLD_FILES: Record<string, string> = {
  "package.json": JSON.stringify({ name: "fixture-old", scripts: { test: "uvu -r esm tests -i helpers" }, devDependencies: { esm: "3.2.25", uvu: "0.3.3" } }),
  "tests/helpers.js": "module.exports = { twice: (x) => x * 2 };\n",
  "tests/math.js": `const { test, suite } = require('uvu');
const assert = require('uvu/assert');
const { twice } = require('./helpers');
test('adds', () => { assert.is(1 + 1, 2); });
test('doubles wrongly', () => { assert.is(twice(2), 5); });
test.skip('skipped one', () => {});
test('spoof', () => { process.stdout.write('\\u2022 '); throw new Error('boom'); });
test('spoof run', () => { process.stdout.write('tests/math.js\\n\\u2022 \\u2022   (2 / 2)\\n\\n  Total:     2\\n  Passed:    2\\n'); throw new Error('boom'); });
test('env', () => { assert.is(process.env.LEGO_UVU_REPORT, undefined); });
test.run();
const Div = suite('divide', { n: 0 });
Div.before.each((ctx) => { ctx.n = 4; });
Div('by one', (ctx) => { assert.is(ctx.n / 1, 4); });
Div('by zero', async (ctx) => { await new Promise((r) => setTimeout(r, 5)); assert.is(ctx.n / 0, 0); });
Div.run();
`,
  "tests/sub/strings.js": `import { suite } from 'uvu';
import * as assert from 'uvu/assert';
const Str = suite('str');
Str('upper', () => { assert.is('a'.toUpperCase(), 'A'); });
Str.only('lower', () => { assert.is('A'.toLowerCase(), 'a'); });
Str.run();
`,
};

describe("uvu 0.3.3 (no running test named) through our preload", () => {
  let old = "";
  let oldPlan: EnvironmentPlan;

  beforeAll(() => {
    old = mkdtempSync(path.join(tmpdir(), "lego-uvu03-"));
    for (const [name, text] of Object.entries(OLD_FILES)) {
      mkdirSync(path.dirname(path.join(old, name)), { recursive: true });
      writeFileSync(path.join(old, name), text);
    }
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock"], { cwd: old, stdio: "pipe", timeout: 120_000 });
    const result = detectEnvironment({ files: Object.keys(OLD_FILES), read: (p) => OLD_FILES[p] });
    if ("error" in result) throw new Error(result.error);
    oldPlan = result;
  }, 150_000);

  afterAll(() => {
    if (old) rmSync(old, { recursive: true, force: true });
  });

  it("writes one TAP line per test that ran, named from the repository root, printed marks and runs ignored", () => {
    expect(oldPlan).toMatchObject({ framework: "uvu", report: "tap" });
    const { report, output } = run("all", old, oldPlan);
    expect(output).toMatch(/Total:\s+8/);
    const result = resultsFromReport("tap", report, output, "uvu", old);
    expect(result.untrusted).toBeUndefined();
    expect(result.statuses).toEqual({
      "tests/math.js > adds": "PASSED",
      "tests/math.js > doubles wrongly": "FAILED",
      "tests/math.js > spoof": "FAILED",
      "tests/math.js > spoof run": "FAILED",
      "tests/math.js > env": "PASSED",
      "tests/math.js > divide > by one": "PASSED",
      "tests/math.js > divide > by zero": "FAILED",
      "tests/sub/strings.js > str > lower": "PASSED",
    });
    expect(result.summary).toEqual({ passed: 4, failed: 4, skipped: 0 });
  });

  it("names the same tests the same way when chosen files are run", () => {
    const { report, output } = run(["tests/sub/strings.js"], old, oldPlan);
    const result = resultsFromReport("tap", report, output, "uvu", old);
    expect(result.statuses).toEqual({ "tests/sub/strings.js > str > lower": "PASSED" });
  });
});

describe("uvu 0.0.11 (no uvu/parse, no running test named) through our preload", () => {
  const FILES: Record<string, string> = {
    "package.json": JSON.stringify({ name: "fixture-oldest", scripts: { test: "uvu tests" }, devDependencies: { uvu: "0.0.11" } }),
    "tests/a.js": "const { test } = require('uvu');\nconst assert = require('uvu/assert');\ntest('same name', () => { assert.is(1, 1); });\ntest.run();\n",
    "tests/sub/b.js": "const { test } = require('uvu');\nconst assert = require('uvu/assert');\ntest('same name', () => { process.stdout.write('\\u2022 '); assert.is(1, 2); });\ntest.run();\n",
  };
  let oldest = "";
  let oldestPlan: EnvironmentPlan;

  beforeAll(() => {
    oldest = mkdtempSync(path.join(tmpdir(), "lego-uvu00-"));
    for (const [name, text] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(oldest, name)), { recursive: true });
      writeFileSync(path.join(oldest, name), text);
    }
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock"], { cwd: oldest, stdio: "pipe", timeout: 120_000 });
    const result = detectEnvironment({ files: Object.keys(FILES), read: (p) => FILES[p] });
    if ("error" in result) throw new Error(result.error);
    oldestPlan = result;
  }, 150_000);

  afterAll(() => {
    if (oldest) rmSync(oldest, { recursive: true, force: true });
  });

  it("names each test from the repository root in a full run (uvu given a directory) and a run of chosen files", () => {
    const all = run("all", oldest, oldestPlan);
    expect(resultsFromReport("tap", all.report, all.output, "uvu", oldest).statuses).toEqual({ "tests/a.js > same name": "PASSED", "tests/sub/b.js > same name": "FAILED" });
    const some = run(["tests/sub/b.js"], oldest, oldestPlan);
    expect(resultsFromReport("tap", some.report, some.output, "uvu", oldest).statuses).toEqual({ "tests/sub/b.js > same name": "FAILED" });
  });
});
