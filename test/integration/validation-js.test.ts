// Environment construction and validation on real JavaScript projects: node:test (a Node
// runtime from the npm registry), mocha (dependencies from the npm registry, npm ci) and uvu
// (npm install; per-test results from our preload's report).
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client.js";
import { findEnvironment } from "../../db/environments.js";
import { ensureEnvironment, type EnvironmentDeps } from "../../src/environment/ensure.js";
import { mochaFix, mochaProject, nodeTestFix, nodeTestProject, repoWithFix, uvuFix, uvuProject } from "../support/fixture-repos.js";
import { openValidationBench, type ValidationBench } from "../support/validation-bench.js";

let bench: ValidationBench;
let work: string;
let deps: EnvironmentDeps;
let database: DatabaseHandle;
const validate: ValidationBench["validate"] = (...args) => bench.validate(...args);

beforeAll(async () => {
  bench = await openValidationBench("lego-val-js-");
  ({ work, deps, database } = bench);
});

afterAll(async () => {
  await bench?.close();
});

describe("JavaScript projects", () => {
  it("node:test with a Node runtime from the npm registry", async () => {
    const task = repoWithFix(path.join(work, "nodetest"), nodeTestProject, nodeTestFix);
    const { env, result } = await validate("nodetest", task);
    expect(env.ok && env.plan).toMatchObject({ framework: "node-test", nodeVersion: "20" });
    expect(result.reason).toBeNull();
    expect(result.failToPass).toEqual(["isBlank treats whitespace as blank"]);
    expect(result.passToPass).toEqual(["capitalize", "reverse"]);
  }, 300_000);

  it("mocha installed with npm ci from the lockfile", async () => {
    const lock = readFileSync(new URL("../fixtures/npm/mocha/package-lock.json", import.meta.url), "utf8");
    const task = repoWithFix(path.join(work, "mocha"), mochaProject(lock), mochaFix);
    const { env, result } = await validate("mocha", task);
    expect(env.ok && env.plan).toMatchObject({ framework: "mocha", packageManager: "npm" });
    expect(result.reason).toBeNull();
    expect(result.failToPass).toEqual(["test/str.spec.js > str treats whitespace as blank"]);
    expect(result.passToPass).toEqual(["test/str.spec.js > str capitalizes", "test/str.spec.js > str reverses"]);
    const row = await findEnvironment(database.db, "fixtures/mocha", env.ok ? (env.image.split(":")[1] as string) : "");
    expect(row).toMatchObject({ status: "ready", fallback: null });
    expect(row?.buildLog).toContain("npm ci");
  }, 300_000);

  it("uvu installed from the npm registry, per test through our preload", async () => {
    const task = repoWithFix(path.join(work, "uvu"), uvuProject, uvuFix);
    const { env, result } = await validate("uvu", task);
    expect(env.ok && env.plan).toMatchObject({ framework: "uvu", report: "tap" });
    expect(result.reason).toBeNull();
    expect(result.failToPass).toEqual(["tests/str.js > str > treats whitespace as blank"]);
    expect(result.passToPass).toEqual(["tests/str.js > str > capitalizes", "tests/str.js > str > reverses"]);
  }, 300_000);

  it("reports a repository that does not build, with the failure class and evidence", async () => {
    // No registry can satisfy it with or without the lockfile: the lockfile fallback must fail too.
    const lock = '{"name":"strutil-mocha","lockfileVersion":3,"requires":true,"packages":{"":{"name":"strutil-mocha","devDependencies":{"mocha":"0.0.0-does-not-exist"}},"node_modules/mocha":{"version":"0.0.0-does-not-exist"}}}\n';
    const project = mochaProject(lock);
    const broken = { ...project, "package.json": (project["package.json"] as string).replace('"mocha": "10.8.2"', '"mocha": "0.0.0-does-not-exist"') };
    const task = repoWithFix(path.join(work, "broken"), broken, mochaFix);
    const env = await ensureEnvironment(deps, { repo: "fixtures/broken", cloneDir: task.dir, commit: task.base });
    expect(env.ok).toBe(false);
    if (env.ok) return;
    expect(env.failureClass).toBe("dependency-resolution");
    expect(env.reason).toMatch(/^environment build failed \(dependency-resolution\)/);
    // Not rebuilt on the next task: the same dependency files fail the same way.
    const again = await ensureEnvironment(deps, { repo: "fixtures/broken", cloneDir: task.dir, commit: task.base });
    expect(again).toMatchObject({ ok: false, environmentId: env.environmentId });
  }, 300_000);
});
