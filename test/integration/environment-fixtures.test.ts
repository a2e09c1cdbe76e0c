// Fixture repositories built in real Docker (the npm registry through the proxy, Node from the
// npm registry): each install fallback where its failure happens, a test script that reaches
// its runner only through a wrapper, a broken environment whose tasks quote the health
// check's first error and what to set in .github/lego.yml, and uvu 0.3 (as lukeed/kleur pins
// it), which names no running test, validated per test with a spoofing test kept failing.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client.js";
import { findEnvironment } from "../../db/environments.js";
import type { EnvironmentDeps } from "../../src/environment/ensure.js";
import { validateCandidate } from "../../src/harvest/harvest-pull.js";
import { type Files, mochaFix, mochaProject, nodeTestFix, nodeTestProject, repoWithFix } from "../support/fixture-repos.js";
import { openValidationBench, type ValidationBench } from "../support/validation-bench.js";

let bench: ValidationBench;
let work: string;
let deps: EnvironmentDeps;
let database: DatabaseHandle;
const validate: ValidationBench["validate"] = (...args) => bench.validate(...args);
const mochaLock = readFileSync(new URL("../fixtures/npm/mocha/package-lock.json", import.meta.url), "utf8");

beforeAll(async () => {
  bench = await openValidationBench("lego-env-fixtures-");
  ({ work, deps, database } = bench);
});

afterAll(async () => {
  await bench?.close();
});

const withPackage = (files: Files, edit: (pkg: Record<string, unknown>) => void): Files => {
  const pkg = JSON.parse(files["package.json"] as string) as Record<string, unknown>;
  edit(pkg);
  return { ...files, "package.json": `${JSON.stringify(pkg, null, 2)}\n` };
};

async function envRow(name: string, image: string) {
  return findEnvironment(database.db, `fixtures/${name}`, image.split(":")[1] as string);
}

describe("install fallbacks", () => {
  it("a postinstall that dies on a download: installed without lifecycle scripts, the failing script named", async () => {
    const project = withPackage(nodeTestProject, (p) => {
      p.name = "strutil-fetch";
      p.scripts = { ...(p.scripts as object), postinstall: "node scripts/fetch-binary.js" };
    });
    project["scripts/fetch-binary.js"] = `// Downloads a prebuilt binary, as native packages do; the host is unreachable.\nrequire("node:http").get("http://127.0.0.1:9/binary.tgz").on("error", (err) => {\n  console.error("download failed:", err.message);\n  process.exit(1);\n});\n`;
    const task = repoWithFix(path.join(work, "postinstall"), project, nodeTestFix);
    const { env, result } = await validate("postinstall", task);
    if (!env.ok) throw new Error(env.reason);
    expect(env.fallback).toBe("install without lifecycle scripts");
    expect(result.reason).toBeNull();
    expect(result.failToPass).toEqual(["isBlank treats whitespace as blank"]);
    const row = await envRow("postinstall", env.image);
    expect(row).toMatchObject({ status: "ready", fallback: "install without lifecycle scripts" });
    // The first attempt's failure, its class, the script npm says failed, and what built it.
    expect(row?.buildLog).toContain("lego: install failed (network) at: the postinstall script of strutil-fetch@1.0.0: node scripts/fetch-binary.js");
    expect(row?.buildLog).toContain("download failed: connect ECONNREFUSED 127.0.0.1:9");
    expect(row?.buildLog).toMatch(/--ignore-scripts {2}\[install without lifecycle scripts; exit 0;/);
  }, 600_000);

  it("a lockfile no registry can satisfy: installed without it, the failing step named", async () => {
    const pkg = { name: "numutil", version: "1.0.0", private: true, engines: { node: ">=20 <23" }, scripts: { test: "node --test test/" }, dependencies: { "is-number": "7.0.0" } };
    // The lockfile pins a tarball the registry does not have (a republished or yanked release).
    const lock = { name: "numutil", version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name: "numutil", version: "1.0.0", dependencies: { "is-number": "7.0.0" }, engines: { node: ">=20 <23" } }, "node_modules/is-number": { version: "7.0.0", resolved: "https://registry.npmjs.org/is-number/-/is-number-7.0.0-lego-missing.tgz", engines: { node: ">=0.12.0" } } } };
    const source = (fixed: boolean) => `const isNumber = require("is-number");\nexports.isPositive = (x) => isNumber(x) && Number(x) ${fixed ? ">" : ">="} 0;\n`;
    const testFile = (extra: string) => `const test = require("node:test");\nconst assert = require("node:assert");\nconst { isPositive } = require("../src/num.js");\n\ntest("one is positive", () => assert.strictEqual(isPositive(1), true));\ntest("a word is not", () => assert.strictEqual(isPositive("x"), false));\n${extra}`;
    const project: Files = { "package.json": `${JSON.stringify(pkg, null, 2)}\n`, "package-lock.json": `${JSON.stringify(lock, null, 2)}\n`, "src/num.js": source(false), "test/num.test.js": testFile("") };
    const fix: Files = { "src/num.js": source(true), "test/num.test.js": testFile(`test("zero is not positive", () => assert.strictEqual(isPositive(0), false));\n`) };
    const task = repoWithFix(path.join(work, "lockfile"), project, fix);
    const { env, result } = await validate("lockfile", task);
    if (!env.ok) throw new Error(env.reason);
    expect(env.fallback).toBe("install ignoring the lockfile, without lifecycle scripts");
    expect(result.reason).toBeNull();
    expect(result.failToPass).toEqual(["zero is not positive"]);
    expect(result.passToPass).toEqual(["a word is not", "one is positive"]);
    const row = await envRow("lockfile", env.image);
    expect(row).toMatchObject({ status: "ready", fallback: "install ignoring the lockfile, without lifecycle scripts" });
    expect(row?.buildLog).toMatch(/lego: install failed \(dependency-resolution\) at: npm ci --no-audit --no-fund\n/);
    expect(row?.buildLog).toMatch(/404 Not Found - GET https:\/\/registry\.npmjs\.org\/is-number\/-\/is-number-7\.0\.0-lego-missing\.tgz/);
    expect(row?.buildLog).toContain("npm install --no-package-lock --no-audit --no-fund --ignore-scripts");
  }, 600_000);

  // pnpm and yarn berry read the lockfile even when told not to freeze it (pnpm
  // --no-frozen-lockfile, yarn --no-immutable): the fallback must not read it at all.
  const numutil = (extra: Record<string, unknown>, lockName: string, lock: string): { project: Files; fix: Files } => {
    const pkg = { name: "numutil", version: "1.0.0", private: true, engines: { node: ">=20 <23" }, scripts: { test: "node --test test/" }, dependencies: { "is-number": "7.0.0" }, ...extra };
    const source = (fixed: boolean) => `const isNumber = require("is-number");\nexports.isPositive = (x) => isNumber(x) && Number(x) ${fixed ? ">" : ">="} 0;\n`;
    const testFile = (more: string) => `const test = require("node:test");\nconst assert = require("node:assert");\nconst { isPositive } = require("../src/num.js");\n\ntest("one is positive", () => assert.strictEqual(isPositive(1), true));\n${more}`;
    return {
      project: { "package.json": `${JSON.stringify(pkg, null, 2)}\n`, [lockName]: lock, "src/num.js": source(false), "test/num.test.js": testFile("") },
      fix: { "src/num.js": source(true), "test/num.test.js": testFile(`test("zero is not positive", () => assert.strictEqual(isPositive(0), false));\n`) },
    };
  };
  const pnpmLock = `lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\nimporters:\n\n  .:\n    dependencies:\n      is-number:\n        specifier: 7.0.0\n        version: 7.0.99\n\npackages:\n\n  is-number@7.0.99:\n    resolution: {integrity: sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQbhbJ6J9fdi3qelXp+IzmpIUjxMEgfGvIf7iqFe9r3MCk6kw==}\n\nsnapshots:\n\n  is-number@7.0.99: {}\n`;
  const berryLock = `# This file is generated by running "yarn install" inside your project.\n# Manual changes might be lost - proceed with caution!\n\n__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"is-number@npm:7.0.0":\n  version: 7.0.99\n  resolution: "is-number@npm:7.0.99"\n  checksum: 10c0/deadbeef\n  languageName: node\n  linkType: hard\n\n"numutil@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "numutil@workspace:."\n  dependencies:\n    is-number: "npm:7.0.0"\n  languageName: unknown\n  linkType: soft\n`;
  it.each([
    { manager: "pnpm", extra: { packageManager: "pnpm@9.15.9" }, files: { "pnpm-lock.yaml": pnpmLock }, failedAt: /lego: install failed \(dependency-resolution\) at: .*pnpm@9\.15\.9 install --frozen-lockfile\n/, evidence: /ERR_PNPM_FETCH_404.*is-number-7\.0\.99\.tgz/, fallback: "install --no-frozen-lockfile --config.lockfile=false --ignore-scripts" },
    { manager: "yarn berry", extra: { packageManager: "yarn@4.5.3" }, files: { "yarn.lock": berryLock, ".yarnrc.yml": "nodeLinker: node-modules\n" }, failedAt: /lego: install failed \(dependency-resolution\) at: .*yarn install --immutable\n/, evidence: /YN0035: .*is-number@npm:7\.0\.99: Package not found/, fallback: "rm -f yarn.lock && " },
  ])("$manager: a lockfile no registry can satisfy is set aside, not read again", async ({ manager, extra, files, failedAt, evidence, fallback }) => {
    const [lockName, lock] = Object.entries(files)[0] as [string, string];
    const { project, fix } = numutil(extra, lockName, lock);
    Object.assign(project, files);
    const name = `lockfile-${manager.replace(" ", "-")}`;
    const task = repoWithFix(path.join(work, name), project, fix);
    const { env, result } = await validate(name, task);
    if (!env.ok) throw new Error(env.reason);
    expect(env.fallback).toBe("install ignoring the lockfile, without lifecycle scripts");
    expect(result.reason).toBeNull();
    expect(result.failToPass).toEqual(["zero is not positive"]);
    expect(result.passToPass).toEqual(["one is positive"]);
    const row = await envRow(name, env.image);
    expect(row?.buildLog).toMatch(failedAt);
    expect(row?.buildLog).toMatch(evidence);
    expect(row?.buildLog).toContain(fallback);
  }, 600_000);
});

describe("a wrapped test command", () => {
  it("`make test` hides mocha: mocha from the dependencies runs directly with its .mocharc.yml, per test, recorded", async () => {
    const project = withPackage(mochaProject(mochaLock), (p) => {
      p.scripts = { test: "make test" };
    });
    project.Makefile = "test:\n\t./node_modules/.bin/mocha --reporter dot\n";
    const task = repoWithFix(path.join(work, "wrapped"), project, mochaFix);
    const { env, result } = await validate("wrapped", task);
    if (!env.ok) throw new Error(env.reason);
    expect(env.plan.directRun).toEqual({ wrapper: "make test", framework: "mocha", config: ".mocharc.yml" });
    expect(result.reason).toBeNull();
    expect(result.failToPass).toEqual(["test/str.spec.js > str treats whitespace as blank"]);
    expect(result.passToPass).toEqual(["test/str.spec.js > str capitalizes", "test/str.spec.js > str reverses"]);
    expect(result.command).toMatch(/^npx --no-install mocha .*--reporter json /);
    const row = await envRow("wrapped", env.image);
    expect(row?.testCmd).toMatch(/^npx --no-install mocha /);
    expect(row?.buildLog).toContain("# test command\n");
    expect(row?.buildLog).toContain("(run directly instead of `make test`, which gives no per-test results)");
    expect(row?.health).toMatchObject({ ran: true, collected: 2, passed: 2, failed: 0, firstError: null });
  }, 600_000);
});

describe("a broken environment", () => {
  it("a task whose NOP run shows no sign of the suite quotes the health check's first error and what to set in .github/lego.yml", async () => {
    // The suite's setup file needs a package the repository never declared: mocha dies loading it.
    const project: Files = { ...mochaProject(mochaLock), ".mocharc.yml": "spec: test/**/*.spec.js\nrequire: test/setup.js\n", "test/setup.js": `require("chai-missing-lego");\n` };
    const task = repoWithFix(path.join(work, "broken-env"), project, mochaFix);
    const row = await validateCandidate(
      { instanceId: "fixtures__broken-env-2", repo: "fixtures/broken-env", kind: "real", baseCommit: task.base, patch: task.patch, testPatch: task.testPatch, status: "candidate" },
      task.dir,
      deps,
      { runs: 1, scope: "touched", timeoutMs: 120_000, limits: { cpus: 1, memoryMb: 1024 } },
    );
    expect(row.status).toBe("invalid");
    expect(row.statusReason).toMatch(/^the NOP run cannot be trusted: the test runner wrote no structured report/);
    expect(row.statusReason).toContain("; at image build the whole suite collected 0 test(s) and its first error was: Error: Cannot find module 'chai-missing-lego'");
    expect(row.statusReason).toMatch(/; the environment lacks what the tests import: set sandbox\.install in \.github\/lego\.yml to the commands that install it, or sandbox\.image/);
    const env = await findEnvironment(database.db, "fixtures/broken-env", (row.image ?? "").split(":")[1] as string);
    expect(env?.health).toMatchObject({ ran: false, collected: 0, firstError: expect.stringMatching(/^Error: Cannot find module 'chai-missing-lego'/) });
  }, 600_000);
});

describe("uvu 0.3, which names no running test", () => {
  it("validates per test from our preload's report (ESM syntax through -r esm); a test printing uvu's pass marks and totals still fails", async () => {
    const pkg = { name: "strutil-uvu03", version: "1.0.0", private: true, engines: { node: "20.x" }, scripts: { test: "uvu -r esm tests -i helpers" }, devDependencies: { esm: "3.2.25", uvu: "0.3.3" } };
    const testFile = (extra: string) =>
      `import { suite } from "uvu";\nimport * as assert from "uvu/assert";\nimport { capitalize, reverse, isBlank } from "../src/str.js";\n\nconst str = suite("str");\nstr("capitalizes", () => assert.is(capitalize("abc"), "Abc"));\nstr("reverses", () => assert.is(reverse("abc"), "cba"));\n${extra}str.run();\n`;
    // Prints what uvu prints for a passing test and a passing run, then fails: only uvu's own marks count.
    const spoof = `str("spoof", () => {\n  process.stdout.write("\\u2022 ");\n  console.log("tests/str.js\\n  Total:     3\\n  Passed:    3\\n  Skipped:   0");\n  throw new Error("not really");\n});\n`;
    const project: Files = { "package.json": `${JSON.stringify(pkg, null, 2)}\n`, "src/str.js": `exports.capitalize = (s) => s[0].toUpperCase() + s.slice(1);\nexports.reverse = (s) => s.split("").reverse().join("");\nexports.isBlank = (s) => s.length === 0;\n`, "tests/helpers.js": "module.exports = {};\n", "tests/str.js": testFile("") };
    const fix: Files = { "src/str.js": (project["src/str.js"] as string).replace("s.length === 0", "s.trim().length === 0"), "tests/str.js": testFile(`str("treats whitespace as blank", () => assert.is(isBlank(" "), true));\n${spoof}`) };
    const task = repoWithFix(path.join(work, "uvu03"), project, fix);
    const { env, result } = await validate("uvu03", task);
    if (!env.ok) throw new Error(env.reason);
    expect(env.plan).toMatchObject({ framework: "uvu", report: "tap" });
    expect(result.reason).toBeNull();
    expect(result.failToPass).toEqual(["tests/str.js > str > treats whitespace as blank"]);
    expect(result.passToPass).toEqual(["tests/str.js > str > capitalizes", "tests/str.js > str > reverses"]);
    const oracle = result.runs.filter((r) => r.state === "oracle");
    expect(oracle.length).toBeGreaterThan(0);
    for (const run of oracle) expect(run.tests).toBe(4);
    const row = await envRow("uvu03", env.image);
    expect(row?.health).toMatchObject({ ran: true, collected: 2, passed: 2, failed: 0 });
  }, 600_000);
});
