// Synthetic tasks on a TypeScript project tested by vitest 3 (from the npm registry, default `forks`
// pool), end to end in a real container: the V8 coverage of vitest's workers is written (they are
// stopped with SIGTERM) and mapped from vite's transformed code back to the .ts sources, so the
// covered functions are mutated and at least one bug becomes a valid task.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { createDocker } from "../../sandbox/docker.js";
import { createLogger } from "../../src/logger.js";
import { type SynthReport, synthesize } from "../../src/synthetic/synthesize.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { TEST_BASE_IMAGE, TEST_CACHE_DIR } from "../support/services.js";
import { synthRepo, vitestTsSynthProject } from "../support/synth-fixtures.js";

let temp: TempDatabase;
let database: DatabaseHandle;
const work = mkdtempSync(path.join(os.tmpdir(), "lego-synth-vitest-"));
const docker = createDocker();
const limits = { cpus: 1, memoryMb: 2048, pids: 512 };
let report: SynthReport;

beforeAll(async () => {
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  const dir = path.join(work, "slugkit");
  const commit = synthRepo(dir, vitestTsSynthProject);
  const envDeps = { db: database.db, docker, baseImage: TEST_BASE_IMAGE, dataDir: work, cacheDir: TEST_CACHE_DIR, buildTimeoutMs: 600_000, limits, log: createLogger("silent") };
  report = await synthesize({ envDeps, db: database.db, scratch: work }, { repo: "local/slugkit", cloneDir: dir, commit }, { strategies: ["ast"], max: 2, maxCandidates: 8, seed: 3, runs: 1, timeoutMs: 180_000, validation: "coverage", writer: null });
}, 900_000);

afterAll(async () => {
  await database?.close();
  await temp?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe("synthetic tasks on vitest + TypeScript", () => {
  it("maps the covered functions of the .ts sources, not the uncalled one", () => {
    expect(report.coverage).toMatchObject({ tool: "v8", reused: false });
    expect(report.error).toBeNull();
    // slugify, truncate and Tally.add run under test/slug.test.ts; unused never does.
    expect(report.targets).toBe(3);
    expect(report.outcomes.every((o) => o.candidate.symbol !== "unused")).toBe(true);
  });

  it("keeps at least one valid task whose FAIL_TO_PASS the map said could see the bug", () => {
    const valid = report.outcomes.filter((o) => o.row.status === "valid");
    expect(valid.length).toBeGreaterThan(0);
    for (const o of valid) {
      expect(o.row).toMatchObject({ kind: "synthetic", strategy: expect.stringMatching(/^ast:/) });
      expect(o.row.failToPass!.length).toBeGreaterThan(0);
      for (const t of o.row.failToPass!) expect(o.candidate.tests).toContain(t);
      // Per test file: the unrelated file's test is never among a bug's covering tests.
      expect(o.candidate.tests.some((t) => /unrelated/.test(t))).toBe(false);
    }
  });
});
