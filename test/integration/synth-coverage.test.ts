// The per-test coverage map of a Python environment made by coverage.py (which the environment plan
// installs beside pytest), in a real container: line level, and agreeing with the sys.settrace
// fallback on which tests execute each function, while finer than it inside a function; the
// repository's own coverage settings and warnings-as-errors change nothing.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { createDocker } from "../../sandbox/docker.js";
import { prepareRepoAtBase } from "../../sandbox/git-history.js";
import { ensureEnvironment } from "../../src/environment/ensure.js";
import { createLogger } from "../../src/logger.js";
import { type CoverageMap, testsCovering } from "../../src/synthetic/coverage.js";
import { listFunctions } from "../../src/synthetic/functions.js";
import { SynthSandbox } from "../../src/synthetic/sandbox.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { TEST_BASE_IMAGE, TEST_CACHE_DIR } from "../support/services.js";
import { pythonSynthProject, pythonUnittestSynthProject, synthRepo } from "../support/synth-fixtures.js";

let temp: TempDatabase;
let database: DatabaseHandle;
const work = mkdtempSync(path.join(os.tmpdir(), "lego-synth-cov-"));
const docker = createDocker();
let byCoverage: CoverageMap;
let bySettrace: CoverageMap;
let cpu: { before: number | null; after: number | null };
const dir = path.join(work, "shop");

beforeAll(async () => {
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  // As pallets/itsdangerous: warnings are errors, and the repository's own coverage settings name
  // another package (its source list must not narrow our map, nor coverage's warning fail the run).
  const pyproject = `${pythonSynthProject["pyproject.toml"]}filterwarnings = ["error"]\n\n[tool.coverage.run]\nsource = ["elsewhere", "tests"]\n`;
  const commit = synthRepo(dir, { ...pythonSynthProject, "pyproject.toml": pyproject });
  const envDeps = { db: database.db, docker, baseImage: TEST_BASE_IMAGE, dataDir: work, cacheDir: TEST_CACHE_DIR, buildTimeoutMs: 300_000, limits: { cpus: 1, memoryMb: 1024, pids: 256 }, log: createLogger("silent") };
  const env = await ensureEnvironment(envDeps, { repo: "local/synth-cov", cloneDir: dir, commit });
  if (!env.ok) throw new Error(env.reason);
  const repoDir = path.join(work, "tree");
  await prepareRepoAtBase(dir, commit, repoDir, "single-commit");
  const box = await SynthSandbox.open(docker, { image: env.image, plan: env.plan, repoDir, limits: envDeps.limits });
  try {
    const before = await box.cpuMs();
    const a = await box.coverage(120_000, ["tests/test_cart.py"]);
    const b = await box.coverage(120_000, ["tests/test_cart.py"], { pythonTool: "settrace" });
    const after = await box.cpuMs();
    cpu = { before, after };
    if (!("map" in a) || !("map" in b)) throw new Error(`no coverage map: ${JSON.stringify([a, b])}`);
    byCoverage = a.map;
    bySettrace = b.map;
  } finally {
    await box.close();
  }
}, 900_000);

afterAll(async () => {
  await database?.close();
  await temp?.drop();
  rmSync(work, { recursive: true, force: true });
});

const T = (name: string) => `tests/test_cart.py::${name}`;
const lineOf = (text: string, root = dir) => readFileSync(path.join(root, "shop/cart.py"), "utf8").split("\n").findIndex((l) => l.includes(text)) + 1;

describe("coverage.py per-test map", () => {
  it("the sandbox reports the CPU time its runs used (what the benchmark counts under load)", () => {
    expect(cpu.before).toBeGreaterThan(0);
    expect(cpu.after).toBeGreaterThan((cpu.before ?? 0) + 100);
  });

  it("is made by coverage.py, per test", () => {
    expect(byCoverage.tool).toBe("coverage.py");
    expect(byCoverage.granularity).toBe("per-test");
    expect(bySettrace.tool).toBe("settrace");
    expect([...byCoverage.tests].sort()).toEqual([T("test_clamp"), T("test_discount"), T("test_merge"), T("test_total"), T("test_unrelated")]);
  });

  it("is line level: a line only the tests that reach it execute", () => {
    const merge = lineOf("existing.qty += item.qty");
    const discount = lineOf("subtotal = subtotal - subtotal * discount / 100");
    const low = lineOf("return low");
    expect(testsCovering(byCoverage, "shop/cart.py", merge, merge)).toEqual([T("test_merge")]);
    expect(testsCovering(byCoverage, "shop/cart.py", discount, discount)).toEqual([T("test_discount")]);
    expect(testsCovering(byCoverage, "shop/cart.py", low, low)).toEqual([T("test_clamp")]);
    // settrace credits every line of a called function to the test.
    expect(testsCovering(bySettrace, "shop/cart.py", merge, merge)).toEqual([T("test_discount"), T("test_merge"), T("test_total")]);
  });

  it("agrees with the settrace map on which tests execute each function, and never names a test settrace did not", async () => {
    const text = readFileSync(path.join(dir, "shop/cart.py"), "utf8");
    const fns = await listFunctions(text, "python");
    expect(fns.length).toBeGreaterThanOrEqual(7);
    for (const fn of fns) {
      const a = testsCovering(byCoverage, "shop/cart.py", fn.startLine + 1, fn.endLine);
      const b = testsCovering(bySettrace, "shop/cart.py", fn.startLine + 1, fn.endLine);
      expect({ fn: fn.symbol, tests: a }).toEqual({ fn: fn.symbol, tests: b });
    }
    expect(testsCovering(byCoverage, "shop/cart.py", lineOf("def unused"), lineOf("return x * 3"))).toEqual([]);
    for (const [file, lines] of Object.entries(byCoverage.files)) {
      for (const [line, idx] of Object.entries(lines)) {
        const named = idx.map((i) => byCoverage.tests[i]);
        const traced = (bySettrace.files[file]?.[line] ?? []).map((i) => bySettrace.tests[i]);
        for (const t of named) expect({ file, line, t, traced: traced.includes(t) }).toEqual({ file, line, t, traced: true });
      }
    }
  });
});

// A unittest project (more-itertools runs its 900 tests so): our unittest runner drives the same
// measuring module when LEGO_COVERAGE_OUT is set, with ids as validation names them, so the
// covering tests run by id through the runner's id file.
describe("coverage.py per-test map of a unittest suite (our runner)", () => {
  const U = (cls: string, name: string) => `tests.test_cart.${cls}.${name}`;
  let map: CoverageMap;
  const udir = path.join(work, "shop-unittest");

  beforeAll(async () => {
    const commit = synthRepo(udir, pythonUnittestSynthProject);
    const envDeps = { db: database.db, docker, baseImage: TEST_BASE_IMAGE, dataDir: work, cacheDir: TEST_CACHE_DIR, buildTimeoutMs: 300_000, limits: { cpus: 1, memoryMb: 1024, pids: 256 }, log: createLogger("silent") };
    const env = await ensureEnvironment(envDeps, { repo: "local/synth-cov-unittest", cloneDir: udir, commit });
    if (!env.ok) throw new Error(env.reason);
    expect(env.plan.framework).toBe("unittest");
    const repoDir = path.join(work, "tree-unittest");
    await prepareRepoAtBase(udir, commit, repoDir, "single-commit");
    const box = await SynthSandbox.open(docker, { image: env.image, plan: env.plan, repoDir, limits: envDeps.limits });
    try {
      const made = await box.coverage(120_000, ["tests/test_cart.py"]);
      if (!("map" in made)) throw new Error(made.error);
      map = made.map;
      // The covering tests of one line, run by id as a candidate's fast check runs them.
      const merge = lineOf("existing.qty += item.qty", udir);
      const covering = testsCovering(map, "shop/cart.py", merge, merge);
      const run = await box.run(env.plan.selectTests!(covering, env.plan.testCommand("all")), 120_000);
      expect(run.parsed.statuses).toEqual({ [U("CartTest", "test_merge")]: "PASSED" });
    } finally {
      await box.close();
    }
  }, 900_000);

  it("is line level, per test, with the ids validation uses", () => {
    expect(map).toMatchObject({ tool: "coverage.py", granularity: "per-test" });
    expect([...map.tests].sort()).toEqual([U("CartTest", "test_discount"), U("CartTest", "test_merge"), U("CartTest", "test_total"), U("ClampTest", "test_clamp"), U("ClampTest", "test_unrelated")]);
    const at = (text: string) => testsCovering(map, "shop/cart.py", lineOf(text, udir), lineOf(text, udir));
    expect(at("existing.qty += item.qty")).toEqual([U("CartTest", "test_merge")]);
    expect(at("subtotal = subtotal - subtotal * discount / 100")).toEqual([U("CartTest", "test_discount")]);
    expect(at("return low")).toEqual([U("ClampTest", "test_clamp")]);
    expect(testsCovering(map, "shop/cart.py", lineOf("def unused", udir), lineOf("return x * 3", udir))).toEqual([]);
  });
});
