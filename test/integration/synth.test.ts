// Synthetic tasks on fixture repositories, end to end on the real database and Docker: bugs
// injected, validated on their covering tests and confirmed on the full suite; coverage-targeted
// and full-suite validation agree; a stored task's bug_patch makes exactly its FAIL_TO_PASS fail
// (the `lego validate` path, on the one-commit buggy tree) and its patch makes them pass; issue
// text passes the leak check; a rollout on a synthetic task is graded by its tests.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { createDocker } from "../../sandbox/docker.js";
import { gradedRollout } from "../../src/fix/graded-rollout.js";
import { validateCandidate } from "../../src/harvest/harvest-pull.js";
import { createLogger } from "../../src/logger.js";
import { leakReason } from "../../src/synthetic/issue-text.js";
import { type SynthOptions, type SynthReport, synthesize } from "../../src/synthetic/synthesize.js";
import { fromSweBench, taskInstanceSchema, toSweBench } from "../../src/tasks/swebench.js";
import { startModelDouble, type ModelDouble } from "../support/model-double.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { TEST_BASE_IMAGE, TEST_CACHE_DIR } from "../support/services.js";
import { nodeSynthProject, pythonSynthProject, pythonUnittestSynthProject, synthRepo } from "../support/synth-fixtures.js";

let temp: TempDatabase;
let database: DatabaseHandle;
let model: ModelDouble;
const work = mkdtempSync(path.join(os.tmpdir(), "lego-synth-"));
const docker = createDocker();
const limits = { cpus: 1, memoryMb: 1024, pids: 256 };
const envDeps = () => ({ db: database.db, docker, baseImage: TEST_BASE_IMAGE, dataDir: work, cacheDir: TEST_CACHE_DIR, buildTimeoutMs: 300_000, limits, log: createLogger("silent") });
const options = (o: Partial<SynthOptions> = {}): SynthOptions => ({ strategies: ["ast"], max: 4, maxCandidates: 8, seed: 5, runs: 1, timeoutMs: 120_000, validation: "coverage", writer: null, ...o });

beforeAll(async () => {
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  model = await startModelDouble({ models: ["policy"] });
});

afterAll(async () => {
  await database?.close();
  await temp?.drop();
  await model?.close();
  rmSync(work, { recursive: true, force: true });
});

const verdicts = (r: SynthReport) => Object.fromEntries(r.outcomes.map((o) => [o.row.instanceId, { status: o.row.status, f2p: o.row.failToPass ?? [], p2p: o.row.passToPass ?? [] }]));

describe.each([
  ["python", pythonSynthProject, "local/synth-py"],
  ["javascript", nodeSynthProject, "local/synth-js"],
])("synthetic tasks in %s", (_language, files, repo) => {
  const dir = path.join(work, repo.replace("/", "-"));
  let commit: string;
  let coverage: SynthReport;

  beforeAll(() => {
    commit = synthRepo(dir, files);
  });

  it("keeps bugs the covering tests catch, each a valid task with evidence and leak-free issue text", async () => {
    coverage = await synthesize({ envDeps: envDeps(), db: database.db, scratch: work }, { repo, cloneDir: dir, commit }, options());
    expect(coverage.error).toBeNull();
    expect(coverage.coverage).toMatchObject({ reused: false });
    const valid = coverage.outcomes.filter((o) => o.row.status === "valid");
    expect(valid.length).toBeGreaterThan(0);
    for (const o of valid) {
      expect(o.row).toMatchObject({ kind: "synthetic", baseCommit: commit, testPatch: "", strategy: expect.stringMatching(/^ast:/) });
      expect(o.row.failToPass!.length).toBeGreaterThan(0);
      expect(o.row.passToPass!.length).toBeGreaterThan(0);
      // Coverage targeting: every FAIL_TO_PASS test is one the coverage map said can see the bug.
      for (const t of o.row.failToPass!) expect(o.candidate.tests).toContain(t);
      expect(o.fast?.failing).toEqual(o.row.failToPass);
      expect(leakReason(o.row.problemStatement!, { bugPatch: o.row.bugPatch!, fixPatch: o.row.patch!, failToPass: o.row.failToPass!, symbol: o.candidate.symbol })).toBeNull();
    }
    // The tests the mutated function is not covered by never enter a verdict.
    expect(coverage.outcomes.every((o) => !o.row.failToPass?.some((t) => /unrelated/.test(t)))).toBe(true);
  }, 600_000);

  it("gives the verdicts a full-suite run of every candidate gives, with the coverage map reused", async () => {
    const full = await synthesize({ envDeps: envDeps(), db: database.db, scratch: work }, { repo, cloneDir: dir, commit }, options({ validation: "full" }));
    expect(full.coverage).toMatchObject({ reused: true });
    expect(Object.keys(verdicts(full)).sort()).toEqual(Object.keys(verdicts(coverage)).sort());
    for (const [id, v] of Object.entries(verdicts(coverage))) {
      const other = verdicts(full)[id]!;
      expect(other.status).toBe(v.status);
      if (v.status === "valid") expect(other).toEqual(v);
    }
  }, 600_000);

  it("stores a task whose bug_patch fails exactly its FAIL_TO_PASS and whose patch makes them pass (lego validate on the one-commit buggy tree)", async () => {
    const stored = coverage.outcomes.find((o) => o.row.status === "valid")!.row;
    const line = JSON.parse(JSON.stringify(toSweBench(stored)));
    expect(line.bug_patch).toBe(stored.bugPatch);
    const again = await validateCandidate(fromSweBench(taskInstanceSchema.parse(line)), dir, envDeps(), { runs: 1, scope: "all", timeoutMs: 120_000 });
    expect(again.statusReason).toBeNull();
    expect(again.failToPass).toEqual(stored.failToPass);
    expect(again.passToPass).toEqual(stored.passToPass);
  }, 600_000);
});

describe("synthetic task rollouts", () => {
  it("grades a rollout on a synthetic task by its tests, in a sandbox holding one commit", async () => {
    const dir = path.join(work, "rollout-py");
    const commit = synthRepo(dir, pythonSynthProject);
    const report = await synthesize({ envDeps: envDeps(), db: database.db, scratch: work }, { repo: "local/rollout-py", cloneDir: dir, commit }, options({ max: 1 }));
    const row = report.outcomes.find((o) => o.row.status === "valid")!.row;
    const task = toSweBench(row);
    const fix = task.patch;
    model.reset();
    model.respondWith((req) => {
      const turn = req.messages.filter((m) => m.role === "assistant").length;
      const steps = [
        { name: "execute_bash", arguments: { command: "git rev-list --count HEAD; git log --format=%s" } },
        { name: "execute_bash", arguments: { command: `cat > /tmp/fix.diff <<'LEGO_EOF'\n${fix}LEGO_EOF\ngit apply /tmp/fix.diff && git status --short` } },
        { name: "finish", arguments: { message: "fixed" } },
      ];
      return { toolCalls: [steps[Math.min(turn, steps.length - 1)]!] };
    });
    const graded = await gradedRollout(
      { docker, envDeps: envDeps(), limits, testTimeoutMs: 120_000, scratch: work, cloneOf: async () => dir },
      task,
      "synth-rollout-1",
      { client: new OpenAI({ baseURL: model.baseURL, apiKey: "k", maxRetries: 0 }), model: "policy", mode: "tools", maxTurns: 5 },
    );
    expect(graded.outcome).toBe("resolved");
    const first = graded.trajectory.steps[0]!;
    expect(first.observation).toMatch(/^1\s*\nInitial commit/m);
  }, 600_000);

  it("says why when the repository has no tests", async () => {
    const dir = path.join(work, "no-tests");
    const commit = synthRepo(dir, { "pyproject.toml": pythonSynthProject["pyproject.toml"]!, "shop/__init__.py": "", "shop/cart.py": pythonSynthProject["shop/cart.py"]! });
    const report = await synthesize({ envDeps: envDeps(), db: database.db, scratch: work }, { repo: "local/no-tests", cloneDir: dir, commit }, options());
    expect(report.error).toMatch(/no passing tests/);
    expect(report.outcomes).toEqual([]);
  }, 600_000);
});

// A unittest suite: the map from our unittest runner, each candidate's covering tests run by id
// through it; the verdicts are the full suite's.
describe("synthetic tasks in a unittest suite", () => {
  it("keeps bugs the covering tests catch, with the verdicts a full-suite run gives", async () => {
    const dir = path.join(work, "synth-py-unittest");
    const commit = synthRepo(dir, pythonUnittestSynthProject);
    const target = { repo: "local/synth-py-unittest", cloneDir: dir, commit };
    const coverage = await synthesize({ envDeps: envDeps(), db: database.db, scratch: work }, target, options());
    expect(coverage.error).toBeNull();
    const valid = coverage.outcomes.filter((o) => o.row.status === "valid");
    expect(valid.length).toBeGreaterThan(0);
    for (const o of valid) {
      expect(o.row.testCmd).toContain("lego-unittest-runner.py");
      for (const t of o.row.failToPass!) expect(t).toMatch(/^tests\.test_cart\.(CartTest|ClampTest)\.test_\w+$/);
      expect(o.fast?.failing).toEqual(o.row.failToPass);
      expect(o.row.passToPass!.length).toBeGreaterThan(0);
    }
    const full = await synthesize({ envDeps: envDeps(), db: database.db, scratch: work }, target, options({ validation: "full" }));
    expect(full.coverage).toMatchObject({ reused: true });
    expect(verdicts(full)).toEqual(verdicts(coverage));
  }, 600_000);
});
