// Synthetic-task validation throughput: coverage-targeted validation (the covering tests first,
// one full-suite run only for survivors) against validating every candidate with a full-suite
// run (what SWE-smith does), on the same candidates in the same run, with the verdicts compared.
// Also the yield per strategy and operator, and the leak-check rejection rate of issue texts.
//
//   npx tsx bench/synth.ts [--modules 30] [--tests-per-module 10] [--candidates 60] [--work-ms 10]
//
// The sandbox gets one CPU, so sandbox wall time is CPU time: throughput is valid tasks per CPU-minute.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { migrate, openDatabase } from "../db/client.js";
import { createDocker } from "../sandbox/docker.js";
import { createLogger } from "../src/logger.js";
import { type SynthOptions, type SynthReport, synthesize } from "../src/synthetic/synthesize.js";
import type { Files } from "../test/support/fixture-repos.js";
import { synthRepo } from "../test/support/synth-fixtures.js";

const { values } = parseArgs({ options: { modules: { type: "string", default: "30" }, "tests-per-module": { type: "string", default: "10" }, candidates: { type: "string", default: "60" }, "work-ms": { type: "string", default: "10" } } });
const modules = Number(values.modules);
const perModule = Number(values["tests-per-module"]);
const candidates = Number(values.candidates);
const workMs = Number(values["work-ms"]);

/** `modules` small modules of four functions each, `perModule` tests per module; each test does ~workMs of work, as real tests do. */
function project(): Files {
  const files: Files = {
    "pyproject.toml": `[project]\nname = "bench"\nversion = "0.1.0"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n`,
    "pkg/__init__.py": "",
    "tests/__init__.py": "",
    "tests/work.py": `import time\n\n\ndef work():\n    end = time.perf_counter() + ${workMs / 1000}\n    while time.perf_counter() < end:\n        pass\n`,
  };
  for (let m = 0; m < modules; m++) {
    files[`pkg/mod${m}.py`] = `def scale(values, k=${m + 2}):
    """Each value times k."""
    out = []
    for v in values:
        out.append(v * k)
    return out


def window(values, size):
    """Sums of each run of size consecutive values."""
    if size <= 0:
        raise ValueError("size must be positive")
    sums = []
    for i in range(len(values) - size + 1):
        sums.append(sum(values[i:i + size]))
    return sums


def clip(value, low=0, high=${100 + m}):
    """Value limited to [low, high]."""
    if value < low:
        return low
    if value > high:
        return high
    return value


class Stats:
    def __init__(self, values):
        self.values = list(values)

    def mean(self):
        if not self.values:
            return 0
        return sum(self.values) / len(self.values)

    def spread(self):
        return max(self.values) - min(self.values)
`;
    const tests = [
      `def test_scale():\n    work()\n    assert scale([1, 2], 3) == [3, 6]`,
      `def test_scale_default():\n    work()\n    assert scale([1]) == [${m + 2}]`,
      `def test_window():\n    work()\n    assert window([1, 2, 3, 4], 2) == [3, 5, 7]`,
      `def test_window_full():\n    work()\n    assert window([1, 2, 3], 3) == [6]`,
      `def test_window_bad():\n    work()\n    try:\n        window([1], 0)\n    except ValueError:\n        return\n    assert False`,
      `def test_clip_inside():\n    work()\n    assert clip(5) == 5`,
      `def test_clip_edges():\n    work()\n    assert clip(-3) == 0 and clip(1000) == ${100 + m}`,
      `def test_mean():\n    work()\n    assert Stats([1, 2, 3]).mean() == 2`,
      `def test_mean_empty():\n    work()\n    assert Stats([]).mean() == 0`,
      `def test_spread():\n    work()\n    assert Stats([4, 1, 9]).spread() == 8`,
    ];
    files[`tests/test_mod${m}.py`] = `from pkg.mod${m} import Stats, clip, scale, window\nfrom tests.work import work\n\n\n${Array.from({ length: perModule }, (_, i) => (tests[i % tests.length] as string).replace(/^def (test_\w+)/, `def $1_${i}`)).join("\n\n\n")}\n`;
  }
  return files;
}

/** The verdict per candidate: valid with its FAIL_TO_PASS and PASS_TO_PASS, or invalid (the reasons differ by design: the fast path stops earlier). */
function verdicts(r: SynthReport): Map<string, string> {
  return new Map(r.outcomes.map((o) => [o.row.instanceId, JSON.stringify(o.row.status === "valid" ? [o.row.status, o.row.failToPass ?? [], o.row.passToPass ?? []] : [o.row.status])]));
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), "lego-bench-synth-"));
  try {
    const dir = path.join(work, "repo");
    const commit = synthRepo(dir, project());
    const pgUrl = process.env.TEST_DATABASE_URL;
    const database = await openDatabase({ ...(pgUrl ? { url: pgUrl } : {}), dataDir: path.join(work, "db") });
    await migrate(database);
    const envDeps = { db: database.db, docker: createDocker(), baseImage: process.env.LEGO_BASE_IMAGE ?? "lego/base:bookworm", dataDir: path.join(work, "data"), cacheDir: path.join(work, "cache"), buildTimeoutMs: 600_000, limits: { cpus: 1, memoryMb: 2048, pids: 512 }, log: createLogger("warn") };
    const opts = (validation: SynthOptions["validation"]): SynthOptions => ({ strategies: ["ast"], max: 100_000, maxCandidates: candidates, seed: 7, runs: 1, timeoutMs: 600_000, validation, writer: null });
    const deps = { envDeps, db: database.db, scratch: path.join(work, "data") };
    const input = { repo: "local/bench-synth", cloneDir: dir, commit };
    const cov = await synthesize(deps, input, opts("coverage"));
    const full = await synthesize(deps, input, opts("full"));
    await database.close();
    if (cov.error || full.error) throw new Error(cov.error ?? full.error ?? "");

    const valid = (r: SynthReport) => r.outcomes.filter((o) => o.row.status === "valid").length;
    const minutes = (r: SynthReport) => r.timings.validationMs / 60_000;
    const a = verdicts(cov);
    const b = verdicts(full);
    const same = [...a].filter(([id, v]) => b.get(id) === v).length;
    const perCov = valid(cov) / minutes(cov);
    const perCovWithMap = valid(cov) / ((cov.timings.validationMs + cov.timings.coverageMs) / 60_000);
    const perFull = valid(full) / minutes(full);
    console.log(`repository: ${modules} modules, ${modules * perModule} tests (~${workMs} ms of work each), ${cov.targets} covered target functions; sandbox: 1 CPU`);
    console.log(`candidates: ${cov.outcomes.length} (coverage) / ${full.outcomes.length} (full); identical verdicts (status, FAIL_TO_PASS, PASS_TO_PASS): ${same}/${a.size}`);
    console.log(`coverage map (once per environment): ${(cov.timings.coverageMs / 1000).toFixed(1)} s (${cov.coverage && "tool" in cov.coverage ? cov.coverage.tool : "none"}); clean baseline ${(cov.timings.baselineMs / 1000).toFixed(1)} s`);
    console.log(`coverage-targeted: ${valid(cov)} valid in ${(cov.timings.validationMs / 1000).toFixed(1)} s = ${perCov.toFixed(1)} valid tasks per CPU-minute (${perCovWithMap.toFixed(1)} counting the coverage map)`);
    console.log(`full suite per candidate: ${valid(full)} valid in ${(full.timings.validationMs / 1000).toFixed(1)} s = ${perFull.toFixed(1)} valid tasks per CPU-minute`);
    const y = valid(cov) / Math.max(1, cov.outcomes.length);
    const fastShare = cov.outcomes.reduce((t, o) => t + (o.fast?.ms ?? 0), 0) / Math.max(1, full.timings.validationMs);
    console.log(`yield ${Math.round(100 * y)}%; fast runs cost ${(100 * fastShare).toFixed(0)}% of validating every candidate on the full suite, so the ratio is bounded by 1/(fast share + yield) = ${(1 / (fastShare + y)).toFixed(2)}x`);
    console.log(`throughput ratio coverage/full: ${(perCov / perFull).toFixed(2)}x (${(perCovWithMap / perFull).toFixed(2)}x counting the coverage map)`);
    const byOp = new Map<string, [number, number]>();
    for (const o of cov.outcomes) {
      const cur = byOp.get(o.row.strategy ?? "?") ?? [0, 0];
      byOp.set(o.row.strategy ?? "?", [cur[0] + (o.row.status === "valid" ? 1 : 0), cur[1] + 1]);
    }
    for (const [name, s] of Object.entries(cov.summary)) console.log(`yield ${name}: ${s.valid}/${s.candidates} valid (${s.candidates ? Math.round((100 * s.valid) / s.candidates) : 0}%); leak-check rejections ${s.leakRejections} over ${s.issueTexts} issue texts (${s.issueTexts ? Math.round((100 * s.leakRejections) / s.issueTexts) : 0}%)`);
    for (const [op, [v, n]] of [...byOp].sort()) console.log(`  ${op.padEnd(24)} ${v}/${n}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
