// Synthetic-task validation throughput: coverage-targeted validation as `lego synth` does it (one
// shared sandbox; the covering tests by node id first, survivors confirmed by full-suite runs, up
// to --group of them per run where their covering tests are disjoint; --group 1: one run each)
// against validating every candidate as SWE-smith does (swesmith/harness/valid.py and utils.py:
// per candidate a fresh container from the environment image that already holds the clean tree,
// the bug applied, the full suite run once, the container removed; one pre-gold run of the clean
// tree per repository), on the same candidates, with the verdicts compared. Also the yield per
// strategy and operator, the leak-check rejection rate of issue texts, and where the time goes.
//
//   npx tsx bench/synth.ts [--repo PATH [--test-cmd CMD]] [--candidates 50] [--strategies ast,combine] [--runs 1] [--seed 7] [--group 16]
//   npx tsx bench/synth.ts [--modules 30] [--tests-per-module 10] [--work-ms 10]   (a generated repository)
//
// --repo PATH is cloned into a temporary directory (never modified); --test-cmd is the repository's
// sandbox.testCmd (as .github/lego.yml sets it), e.g. pytest for a unittest suite. The sandbox gets one CPU, so
// sandbox wall time is CPU time: throughput is valid tasks per CPU-minute.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { migrate, openDatabase } from "../db/client.js";
import { createDocker } from "../sandbox/docker.js";
import { prepareRepoAtBase } from "../sandbox/git-history.js";
import type { ParsedRun } from "../sandbox/test-logs/index.js";
import { type EnvironmentDeps, ensureEnvironment } from "../src/environment/ensure.js";
import { createLogger } from "../src/logger.js";
import type { SandboxOverrides } from "../src/repo-config.js";
import { SynthSandbox } from "../src/synthetic/sandbox.js";
import { DEFAULT_GROUP, type SynthOptions, type SynthReport, synthesize } from "../src/synthetic/synthesize.js";
import { type Candidate, type StrategyName, strategyNames } from "../src/synthetic/types.js";
import { cleanBaseline, confirmFull } from "../src/synthetic/verdict.js";
import { modulesProject, synthRepo } from "../test/support/synth-fixtures.js";

const { values } = parseArgs({
  options: {
    repo: { type: "string" },
    "test-cmd": { type: "string" },
    modules: { type: "string", default: "30" },
    "tests-per-module": { type: "string", default: "10" },
    candidates: { type: "string", default: "50" },
    strategies: { type: "string", default: "ast,combine" },
    runs: { type: "string", default: "1" },
    seed: { type: "string", default: "7" },
    "work-ms": { type: "string", default: "10" },
    group: { type: "string", default: String(DEFAULT_GROUP) },
  },
});
const modules = Number(values.modules);
const perModule = Number(values["tests-per-module"]);
const candidates = Number(values.candidates);
const workMs = Number(values["work-ms"]);
const runs = Number(values.runs);
const seed = Number(values.seed);
const group = Number(values.group);
const chosen = (values.strategies ?? "").split(",").filter(Boolean);
const unknown = chosen.filter((n) => !(strategyNames as readonly string[]).includes(n));
if (unknown.length > 0 || chosen.length === 0) throw new Error(`--strategies: unknown ${unknown.join(", ") || "(none)"}; choose from ${strategyNames.join(", ")}`);
for (const [name, v] of [["candidates", candidates], ["runs", runs], ["seed", seed], ["group", group]] as const) if (!Number.isInteger(v) || v < (name === "seed" ? 0 : 1)) throw new Error(`--${name} must be a positive integer`);

type Verdict = string;

/** The verdict per candidate: valid with its FAIL_TO_PASS and PASS_TO_PASS, or invalid (the reasons differ by design: the fast path stops earlier). */
const verdictOf = (valid: boolean, f2p: string[], p2p: string[]): Verdict => JSON.stringify(valid ? ["valid", f2p, p2p] : ["invalid"]);

interface Phase {
  ms: number;
  n: number;
}
const phase = (): Phase => ({ ms: 0, n: 0 });
async function timed<T>(p: Phase, body: () => Promise<T>): Promise<T> {
  const began = performance.now();
  try {
    return await body();
  } finally {
    p.ms += performance.now() - began;
    p.n += 1;
  }
}

interface Baseline {
  verdicts: Map<string, Verdict>;
  valid: number;
  /** Once per repository: the image holding the clean tree, the pre-gold run(s). */
  fixed: { bake: Phase; pregold: Phase };
  /** Per candidate: container create+start, apply, full-suite run(s), removal. */
  perCandidate: { start: Phase; apply: Phase; full: Phase; remove: Phase };
  candidateMs: number;
  /** CPU time inside the candidates' containers (their start and removal are the engine's, not counted); null if unreported. */
  candidateCpuMs: number | null;
}

/**
 * SWE-smith's validation of each candidate (swesmith/harness/utils.py run_patch_in_container): a
 * fresh container from the environment image with the clean tree in it, `git apply` of the bug,
 * the full test command, the container removed; graded against the clean pre-gold run. Our
 * environment images get the clean tree copied in per sandbox, so it is committed into an image
 * once first (SWE-smith's images hold it), and that is not counted per candidate.
 */
async function sweSmithWay(envDeps: EnvironmentDeps, input: { repo: string; cloneDir: string; commit: string; overrides?: SandboxOverrides }, work: string, cands: { id: string; candidate: Candidate }[], runTimeoutMs: number): Promise<Baseline> {
  const env = await ensureEnvironment(envDeps, input);
  if (!env.ok) throw new Error(`environment: ${env.reason}`);
  const repoDir = path.join(work, "baseline-tree");
  await prepareRepoAtBase(input.cloneDir, input.commit, repoDir, "single-commit");
  const out: Baseline = { verdicts: new Map(), valid: 0, fixed: { bake: phase(), pregold: phase() }, perCandidate: { start: phase(), apply: phase(), full: phase(), remove: phase() }, candidateMs: 0, candidateCpuMs: 0 };
  const tag = `lego-bench-synth:${randomBytes(6).toString("hex")}`;
  const [repository, version] = tag.split(":") as [string, string];
  const limits = envDeps.limits ?? {};
  await timed(out.fixed.bake, async () => {
    const box = await SynthSandbox.open(envDeps.docker, { image: env.image, plan: env.plan, repoDir, limits });
    try {
      await box.container.commit({ repo: repository, tag: version });
    } finally {
      await box.close();
    }
  });
  try {
    const full = env.plan.testCommand("all");
    const cleanRuns: ParsedRun[] = [];
    for (let i = 0; i < runs; i++) {
      await timed(out.fixed.pregold, async () => {
        const box = await SynthSandbox.open(envDeps.docker, { image: tag, plan: env.plan, repoDir: null, limits });
        try {
          cleanRuns.push((await box.run(full, runTimeoutMs)).parsed);
        } finally {
          await box.close();
        }
      });
    }
    const clean = cleanBaseline(cleanRuns);
    for (const { id, candidate } of cands) {
      const began = performance.now();
      const box = await timed(out.perCandidate.start, () => SynthSandbox.open(envDeps.docker, { image: tag, plan: env.plan, repoDir: null, limits }));
      const buggy: ParsedRun[] = [];
      let verdict = verdictOf(false, [], []);
      try {
        const applyError = await timed(out.perCandidate.apply, () => box.apply(candidate.bugPatch));
        if (applyError === null) {
          let hung = false;
          for (let i = 0; i < runs && !hung; i++) {
            const run = await timed(out.perCandidate.full, () => box.run(full, runTimeoutMs));
            hung = run.timedOut;
            buggy.push(run.parsed);
          }
          if (!hung) {
            const c = confirmFull(buggy, clean);
            verdict = verdictOf(c.ok, c.failToPass, c.passToPass);
            if (c.ok) out.valid++;
          }
        }
      } finally {
        const cpu = await box.cpuMs();
        out.candidateCpuMs = cpu === null || out.candidateCpuMs === null ? null : out.candidateCpuMs + cpu;
        await timed(out.perCandidate.remove, () => box.close());
      }
      out.verdicts.set(id, verdict);
      out.candidateMs += performance.now() - began;
      process.stderr.write(`swe-smith ${out.verdicts.size}/${cands.length} ${id} ${JSON.parse(verdict)[0]} ${((performance.now() - began) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    await envDeps.docker.getImage(tag).remove({ force: true }).catch(() => undefined);
  }
  return out;
}

const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const each = (p: Phase) => `${s1(p.ms)} (${p.n} × ${p.n ? (p.ms / p.n / 1000).toFixed(2) : "0"} s)`;

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), "lego-bench-synth-"));
  try {
    const dir = path.join(work, "repo");
    let repo: string;
    let commit: string;
    if (values.repo) {
      execFileSync("git", ["clone", "--quiet", "--no-hardlinks", path.resolve(values.repo), dir], { stdio: "inherit" });
      commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, encoding: "utf8" }).trim();
      repo = `local/${path.basename(path.resolve(values.repo))}`;
    } else {
      commit = synthRepo(dir, modulesProject({ modules, perModule, workMs }));
      repo = "local/bench-synth";
    }
    const pgUrl = process.env.TEST_DATABASE_URL;
    const database = await openDatabase({ ...(pgUrl ? { url: pgUrl } : {}), dataDir: path.join(work, "db") });
    await migrate(database);
    const envDeps: EnvironmentDeps = { db: database.db, docker: createDocker(), baseImage: process.env.LEGO_BASE_IMAGE ?? "lego/base:bookworm", dataDir: path.join(work, "data"), cacheDir: process.env.LEGO_CACHE_DIR ?? path.join(work, "cache"), buildTimeoutMs: 1_200_000, limits: { cpus: 1, memoryMb: 2048, pids: 512 }, log: createLogger("warn") };
    const opts: SynthOptions = { strategies: chosen as StrategyName[], max: 100_000, maxCandidates: candidates, seed, runs, timeoutMs: 600_000, validation: "coverage", writer: null, group };
    const input = { repo, cloneDir: dir, commit, ...(values["test-cmd"] ? { overrides: { testCmd: values["test-cmd"] } } : {}) };
    let seen = 0;
    const onOutcome = (o: object) => {
      if ("row" in o) {
        const r = o as SynthReport["outcomes"][number];
        process.stderr.write(`coverage ${++seen} ${r.row.instanceId} ${r.row.status} fast ${r.fast ? `${(r.fast.ms / 1000).toFixed(1)} s` : "-"} full ${r.fullMs !== undefined ? `${(r.fullMs / 1000).toFixed(1)} s` : "-"}\n`);
      }
    };
    const cov: SynthReport = await synthesize({ envDeps, db: database.db, scratch: path.join(work, "data"), onOutcome }, input, opts);
    process.stderr.write(`coverage-targeted done: ${JSON.stringify({ timings: cov.timings, cpu: cov.cpu })}\n`);
    if (cov.error) throw new Error(cov.error);
    if (cov.outcomes.length === 0) throw new Error("no candidate was validated");
    // The same hang limit as ours: 5× the clean suite, at least 30 s.
    const cleanSuiteMs = cov.timings.baselineMs / Math.max(1, runs);
    const base = await sweSmithWay(envDeps, input, work, cov.outcomes.map((o) => ({ id: o.row.instanceId, candidate: o.candidate })), Math.max(30_000, 5 * cleanSuiteMs));
    await database.close();

    const ours = new Map(cov.outcomes.map((o) => [o.row.instanceId, verdictOf(o.row.status === "valid", o.row.failToPass ?? [], o.row.passToPass ?? [])]));
    const same = [...ours].filter(([id, v]) => base.verdicts.get(id) === v).length;
    const differing = [...ours].filter(([id, v]) => base.verdicts.get(id) !== v).map(([id]) => id);
    const valid = cov.outcomes.filter((o) => o.row.status === "valid").length;
    const ph = cov.timings.phases;
    const oursPerCandMs = cov.timings.validationMs;
    const oursFixedMs = cov.timings.baselineMs + cov.timings.coverageMs;
    const baseFixedMs = base.fixed.bake.ms + base.fixed.pregold.ms;
    const rate = (v: number, ms: number) => (ms > 0 ? v / (ms / 60_000) : 0);
    const suiteSize = Math.max(0, ...cov.outcomes.map((o) => (o.row.failToPass?.length ?? 0) + (o.row.passToPass?.length ?? 0)));
    console.log(`repository: ${repo}@${commit.slice(0, 12)}${values.repo ? ` (${values.repo}${values["test-cmd"] ? `, test command ${values["test-cmd"]}` : ""})` : `, generated: ${modules} modules, ${modules * perModule} tests (~${workMs} ms of work each)`}; ${suiteSize} tests in a full run; ${cov.targets} covered target functions; coverage map: ${cov.coverage && "tool" in cov.coverage ? cov.coverage.tool : JSON.stringify(cov.coverage)}; sandbox: 1 CPU; runs per state: ${runs}`);
    console.log(`candidates: ${cov.outcomes.length}; identical verdicts (status, FAIL_TO_PASS, PASS_TO_PASS): ${same}/${ours.size}${differing.length ? ` (differ: ${differing.slice(0, 10).join(", ")})` : ""}`);
    console.log(`valid: ${valid} (coverage-targeted) / ${base.valid} (SWE-smith way)`);
    console.log("where the time goes, coverage-targeted (lego synth):");
    console.log(`  once: clean suite ${s1(cov.timings.baselineMs)}, coverage map ${s1(cov.timings.coverageMs)}`);
    const generation = oursPerCandMs - Object.values(ph).reduce((t, p) => t + p.ms, 0);
    console.log(`  per candidate: apply ${each(ph.apply)}, covering tests ${each(ph.fast)}, full suite ${each(ph.full)}, revert ${each(ph.revert)}, issue text ${each(ph.issue)}, generating candidates ${s1(generation)}; total ${s1(oursPerCandMs)}`);
    console.log("where the time goes, SWE-smith way:");
    console.log(`  once: image with the clean tree ${s1(base.fixed.bake.ms)}, pre-gold ${each(base.fixed.pregold)}`);
    const pc = base.perCandidate;
    console.log(`  per candidate: container start ${each(pc.start)}, apply ${each(pc.apply)}, full suite ${each(pc.full)}, container removal ${each(pc.remove)}; total ${s1(base.candidateMs)}`);
    const oursRate = rate(valid, oursPerCandMs);
    const baseRate = rate(base.valid, base.candidateMs);
    const oursRateFixed = rate(valid, oursPerCandMs + oursFixedMs);
    const baseRateFixed = rate(base.valid, base.candidateMs + baseFixedMs);
    console.log(`coverage-targeted: ${oursRate.toFixed(1)} valid tasks per CPU-minute (${oursRateFixed.toFixed(1)} counting the clean suite and the coverage map)`);
    console.log(`SWE-smith way: ${baseRate.toFixed(1)} valid tasks per CPU-minute (${baseRateFixed.toFixed(1)} counting the image and the pre-gold run)`);
    if (cov.cpu.validationMs !== null && base.candidateCpuMs !== null) {
      const oursCpuRate = rate(valid, cov.cpu.validationMs);
      const baseCpuRate = rate(base.valid, base.candidateCpuMs);
      console.log(`CPU time in the sandboxes (the engine's container start and removal not included): coverage-targeted ${s1(cov.cpu.validationMs)} (${oursCpuRate.toFixed(1)} valid per CPU-minute; clean suite ${s1(cov.cpu.baselineMs ?? 0)}, coverage map ${s1(cov.cpu.coverageMs ?? 0)}), SWE-smith way ${s1(base.candidateCpuMs)} (${baseCpuRate.toFixed(1)} valid per CPU-minute); ratio ${(oursCpuRate / baseCpuRate).toFixed(2)}x`);
    }
    console.log(`throughput ratio coverage/SWE-smith (wall time of a 1-CPU sandbox): ${(oursRate / baseRate).toFixed(2)}x per candidate (${(oursRateFixed / baseRateFixed).toFixed(2)}x with the once-per-repository costs of each)`);
    const n = cov.outcomes.length;
    const survivors = cov.outcomes.filter((o) => o.fullMs !== undefined).length;
    const fullEach = ph.full.n ? ph.full.ms / ph.full.n : 0;
    const baseEach = base.candidateMs / n;
    const conf = cov.confirmations;
    console.log(
      `confirmation: ${survivors}/${n} candidates (${Math.round((100 * survivors) / n)}%) survived their covering tests; ${conf.groups} full-suite confirmations (${(fullEach / 1000).toFixed(2)} s a run here, up to ${group} bugs a run), ${conf.splits.length} groups split${conf.splits.length ? `: ${conf.splits.slice(0, 5).join(" | ")}` : ""}`,
    );
    console.log(
      `per candidate: SWE-smith ${(baseEach / 1000).toFixed(2)} s, ours ${(oursPerCandMs / n / 1000).toFixed(2)} s = covering tests ${(ph.fast.ms / n / 1000).toFixed(2)} + full suite ${(ph.full.ms / n / 1000).toFixed(2)} + the rest ${((oursPerCandMs - ph.fast.ms - ph.full.ms) / n / 1000).toFixed(2)}`,
    );
    const byOp = new Map<string, [number, number]>();
    for (const o of cov.outcomes) {
      const cur = byOp.get(o.row.strategy ?? "?") ?? [0, 0];
      byOp.set(o.row.strategy ?? "?", [cur[0] + (o.row.status === "valid" ? 1 : 0), cur[1] + 1]);
    }
    for (const [name, st] of Object.entries(cov.summary)) {
      console.log(`yield ${name}: ${st.valid}/${st.candidates} valid (${st.candidates ? Math.round((100 * st.valid) / st.candidates) : 0}%); leak-check rejections ${st.leakRejections} over ${st.issueTexts} issue texts (${st.issueTexts ? Math.round((100 * st.leakRejections) / st.issueTexts) : 0}%)`);
      for (const [reason, k] of Object.entries(st.discarded).sort((a, b) => b[1] - a[1])) console.log(`    ${String(k).padStart(4)} × ${reason}`);
    }
    for (const [op, [v, k]] of [...byOp].sort()) console.log(`  ${op.padEnd(28)} ${v}/${k}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
