// Grouped confirmation on a real sandbox: survivors of their covering tests whose covering tests
// are disjoint share one full-suite run, split back per bug; the verdicts are those of one full
// run per bug (group 1) and of one full run per candidate (validation "full").
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { createDocker } from "../../sandbox/docker.js";
import { createLogger } from "../../src/logger.js";
import { type SynthOptions, type SynthReport, synthesize } from "../../src/synthetic/synthesize.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { TEST_BASE_IMAGE, TEST_CACHE_DIR } from "../support/services.js";
import { modulesProject, synthRepo } from "../support/synth-fixtures.js";

let temp: TempDatabase;
let database: DatabaseHandle;
const work = mkdtempSync(path.join(os.tmpdir(), "lego-synth-group-"));
const docker = createDocker();
const envDeps = () => ({ db: database.db, docker, baseImage: TEST_BASE_IMAGE, dataDir: work, cacheDir: TEST_CACHE_DIR, buildTimeoutMs: 300_000, limits: { cpus: 1, memoryMb: 1024, pids: 256 }, log: createLogger("silent") });
const options = (o: Partial<SynthOptions>): SynthOptions => ({ strategies: ["ast"], max: 100, maxCandidates: 14, seed: 11, runs: 2, timeoutMs: 120_000, validation: "coverage", writer: null, ...o });
/** As bench/synth.ts compares them: a valid task's FAIL_TO_PASS and PASS_TO_PASS, or invalid (the fast path stops before the lists exist). */
const verdicts = (r: SynthReport) => Object.fromEntries(r.outcomes.map((o) => [o.row.instanceId, o.row.status === "valid" ? { status: "valid", f2p: o.row.failToPass, p2p: o.row.passToPass } : { status: o.row.status }]));
const valid = (r: SynthReport) => Object.values(verdicts(r)).filter((v) => v.status === "valid").length;

beforeAll(async () => {
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
});

afterAll(async () => {
  await database?.close();
  await temp?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe("survivors confirmed together", () => {
  const dir = path.join(work, "modules");
  const input = () => ({ repo: "local/synth-modules", cloneDir: dir, commit: synthRepo(dir, modulesProject({ modules: 4, perModule: 10, workMs: 0 })) });

  it("share full-suite runs and reach the verdicts of one run per bug and of the full suite per candidate", async () => {
    const at = input();
    const grouped = await synthesize({ envDeps: envDeps(), db: database.db, scratch: work }, at, options({ group: 16 }));
    expect(grouped.error).toBeNull();
    const alone = await synthesize({ envDeps: envDeps(), db: database.db, scratch: work }, at, options({ group: 1 }));
    const full = await synthesize({ envDeps: envDeps(), db: database.db, scratch: work }, at, options({ validation: "full" }));
    expect(Object.keys(verdicts(grouped)).length).toBe(14);
    expect(verdicts(grouped)).toEqual(verdicts(alone));
    expect(verdicts(grouped)).toEqual(verdicts(full));
    expect(valid(grouped)).toBeGreaterThan(3);

    // One run per bug without grouping; far fewer with it, each bug confirmed once.
    const survivors = grouped.outcomes.filter((o) => o.fullMs !== undefined).length;
    expect(alone.confirmations).toEqual({ groups: survivors, bugs: survivors, splits: [] });
    expect(grouped.confirmations.bugs).toBe(survivors);
    expect(grouped.confirmations.groups).toBeLessThan(survivors / 2);
    expect(full.confirmations.groups).toBe(14);
    expect(grouped.timings.phases.full.n).toBe(2 * grouped.confirmations.groups);
    const shared = grouped.outcomes.filter((o) => (o.groupSize ?? 0) > 1);
    expect(shared.length).toBeGreaterThan(1);
    for (const o of shared.filter((x) => x.row.status === "valid")) {
      expect(o.row.evidence).toMatchObject({ confirmedWith: (o.groupSize ?? 0) - 1 });
      // Each bug's FAIL_TO_PASS are its own covering tests' failures, none of another bug's.
      expect(o.row.failToPass).toEqual(o.fast?.failing);
      expect(o.row.problemStatement).toBeTruthy();
    }
  }, 900_000);

  it("splits a group whose run shows a failure no bug's coverage explains, and reaches the verdict of one run per bug", async () => {
    // remember() changes module state a later test reads without calling it: a bug in its body
    // fails test_b too, which coverage cannot tie to it.
    const files = {
      ...modulesProject({ modules: 2, perModule: 10, workMs: 0 }),
      "pkg/cache.py": "CACHE = {}\n\n\ndef remember(key, value):\n    CACHE[key] = value\n    return CACHE[key]\n",
      "tests/test_cache.py": "from pkg import cache\n\n\ndef test_a_remember():\n    assert cache.remember('x', 1) == 1\n    assert cache.CACHE['x'] == 1\n\n\ndef test_b_remembered():\n    assert cache.CACHE.get('x') == 1\n",
    };
    const escapeDir = path.join(work, "escape");
    const at = { repo: "local/synth-escape", cloneDir: escapeDir, commit: synthRepo(escapeDir, files) };
    const opts = { maxCandidates: 40, runs: 1 };
    const grouped = await synthesize({ envDeps: envDeps(), db: database.db, scratch: work }, at, options({ ...opts, group: 16 }));
    const alone = await synthesize({ envDeps: envDeps(), db: database.db, scratch: work }, at, options({ ...opts, group: 1 }));
    expect(grouped.error).toBeNull();
    expect(verdicts(grouped)).toEqual(verdicts(alone));
    const remembered = grouped.outcomes.find((o) => o.candidate.symbol === "remember" && o.row.status === "valid");
    expect(remembered?.row.failToPass).toContain("tests/test_cache.py::test_b_remembered");
    expect(remembered?.groupSize).toBe(1);
    expect(grouped.confirmations.splits.some((s) => s.includes("tests/test_cache.py::test_b_remembered does not pass with the group and covers none of its bugs"))).toBe(true);
    expect(grouped.confirmations.groups).toBeLessThan(alone.confirmations.groups);
  }, 900_000);
});
