// One synthesis run on one repository snapshot: the environment (built or reused), the clean
// baseline, the per-test coverage map (stored with the environment), targets, candidates from
// each strategy, fast validation in the shared sandbox, full-suite confirmation (survivors with
// disjoint covering tests sharing a run, split back per bug or else in halves), issue text, and a
// task row per candidate. Every candidate ends valid or with its reason.
import { createHash } from "node:crypto";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Db } from "../../db/client.js";
import { environmentCoverage, saveEnvironmentCoverage } from "../../db/environments.js";
import type { TaskRow } from "../../db/tasks.js";
import { prepareRepoAtBase } from "../../sandbox/git-history.js";
import type { ParsedRun } from "../../sandbox/test-logs/index.js";
import { isTestFile, reverseDiff } from "../diff/index.js";
import { type EnvironmentDeps, ensureEnvironment } from "../environment/ensure.js";
import type { SandboxOverrides } from "../repo-config.js";
import { type CoverageMap, reusableCoverage, skippedNote, testFilesOf, testsCovering } from "./coverage.js";
import { syntheticDifficulty } from "./difficulty.js";
import { listFunctions } from "./functions.js";
import { writeIssue } from "./issue-text.js";
import { languageOf } from "./languages.js";
import { seededRandom, shuffled } from "./random.js";
import { SynthSandbox, type TestRun } from "./sandbox.js";
import { strategies } from "./strategies/index.js";
import type { Attempt, Candidate, StrategyName, Target, ValidatedBug, Writer } from "./types.js";
import { nextGroup, type Survivor } from "./groups.js";
import { type CleanBaseline, cleanBaseline, confirmFull, fastFailing, splitGroupRuns } from "./verdict.js";

export interface SynthOptions {
  strategies: StrategyName[];
  /** Valid tasks wanted, all strategies together. */
  max: number;
  /** Candidates tried per strategy at most. */
  maxCandidates: number;
  seed: number;
  /** Full-suite runs of each state (clean, and each surviving bug): flaky tests are dropped as in harvest. */
  runs: number;
  timeoutMs: number;
  /** "coverage": covering tests first, full suite for survivors; "full": every candidate on the full suite (SWE-smith's way). */
  validation: "coverage" | "full";
  writer: Writer | null;
  /** Real issues of the repository, as style examples for issue text. */
  examples?: string[];
  /** Bugs validated earlier (for `combine`). */
  validated?: ValidatedBug[];
  /**
   * Survivors of their covering tests confirmed together by one full-suite run, at most this many
   * (see `groups.ts` for who qualifies and `splitGroupRuns` for how a run is split back per bug; a
   * group whose run cannot be split is confirmed in halves, down to one bug per run). 1: one full
   * run per survivor. Default DEFAULT_GROUP.
   */
  group?: number;
}

export const DEFAULT_GROUP = 16;

export interface StrategySummary {
  candidates: number;
  valid: number;
  discarded: Record<string, number>;
  leakRejections: number;
  issueTexts: number;
}

export interface CandidateOutcome {
  candidate: Candidate;
  row: TaskRow;
  /** Fast-path verdict (covering tests) beside the full-suite one, for the agreement check. */
  fast?: { failing: string[]; ms: number; tests: number };
  /** The full-suite confirmation: its time (shared by a group), and how many bugs it confirmed. */
  fullMs?: number;
  groupSize?: number;
}

export interface SynthReport {
  repo: string;
  commit: string;
  /** Why nothing could be tried (no environment, no tests), or null. */
  error: string | null;
  coverage: { tool: string; reused: boolean } | { error: string } | null;
  targets: number;
  outcomes: CandidateOutcome[];
  discarded: Attempt[];
  summary: Record<string, StrategySummary>;
  timings: { baselineMs: number; coverageMs: number; validationMs: number; totalMs: number; phases: Phases };
  /** Full-suite confirmations: runs made (each `runs` suites), bugs they confirmed, groups that had to be split. */
  confirmations: { groups: number; bugs: number; splits: string[] };
  /** CPU time the shared sandbox used in each stage (null where the engine reports none): under load, wall time is not CPU time. */
  cpu: { baselineMs: number | null; coverageMs: number | null; validationMs: number | null };
}

/** Where validation time goes: milliseconds and count per phase (candidate generation is what `validationMs` has beyond them). */
export type Phases = Record<"apply" | "fast" | "full" | "revert" | "issue", { ms: number; n: number }>;

const noPhases = (): Phases => ({ apply: { ms: 0, n: 0 }, fast: { ms: 0, n: 0 }, full: { ms: 0, n: 0 }, revert: { ms: 0, n: 0 }, issue: { ms: 0, n: 0 } });

/** Times `body` into `phases[name]`. */
async function timed<T>(phases: Phases, name: keyof Phases, body: () => Promise<T>): Promise<T> {
  const began = performance.now();
  try {
    return await body();
  } finally {
    phases[name].ms += performance.now() - began;
    phases[name].n += 1;
  }
}

/** Node ids on the command line up to this many characters; past it the covering tests' files are run instead. */
const MAX_ID_ARGS_CHARS = 64 * 1024;

/**
 * Pure: the command that runs a candidate's covering tests: by node id where the map is per test and
 * the runner takes ids (no other test of their files is collected or run), else their files.
 */
export function coveringTestsCommand(plan: Pick<SynthSandbox["plan"], "testCommand" | "selectTests">, map: CoverageMap, tests: string[], fullCommand: string): string {
  if (map.granularity === "per-test" && plan.selectTests && tests.length > 0 && tests.join(" ").length <= MAX_ID_ARGS_CHARS) return plan.selectTests(tests, fullCommand);
  return plan.testCommand(testFilesOf(map, tests));
}

export interface SynthDeps {
  envDeps: EnvironmentDeps;
  db: Db | null;
  scratch: string;
  onOutcome?(outcome: CandidateOutcome | Attempt): void | Promise<void>;
}

export interface SynthInput {
  repo: string;
  cloneDir: string;
  commit: string;
  overrides?: SandboxOverrides;
}

/** Deterministic per repository and bug: synthesizing the same bug twice updates one row. */
export function syntheticInstanceId(repo: string, bugPatch: string): string {
  return `${repo.replace("/", "__")}-synth-${createHash("sha256").update(bugPatch).digest("hex").slice(0, 12)}`;
}

const summaryOf = (report: SynthReport, strategy: string): StrategySummary => (report.summary[strategy] ??= { candidates: 0, valid: 0, discarded: {}, leakRejections: 0, issueTexts: 0 });

/** The summary key of a strategy label (`ast:remove_loop` counts under `ast`). */
function strategyKey(label: string): string {
  return label.startsWith("ast") ? "ast" : label === "llm:modify" ? "llm-modify" : label === "llm:rewrite" ? "llm-rewrite" : label;
}

/** A discard reason without its specifics, so the summary groups alike reasons. */
function reasonClass(reason: string): string {
  return reason.replace(/ \(.*$/, "").replace(/: .*$/, "").slice(0, 80);
}

export async function synthesize(deps: SynthDeps, input: SynthInput, opts: SynthOptions): Promise<SynthReport> {
  const began = performance.now();
  const report: SynthReport = { repo: input.repo, commit: input.commit, error: null, coverage: null, targets: 0, outcomes: [], discarded: [], summary: {}, confirmations: { groups: 0, bugs: 0, splits: [] }, timings: { baselineMs: 0, coverageMs: 0, validationMs: 0, totalMs: 0, phases: noPhases() }, cpu: { baselineMs: null, coverageMs: null, validationMs: null } };
  const finish = () => {
    report.timings.totalMs = Math.round(performance.now() - began);
    return report;
  };
  const env = await ensureEnvironment(deps.envDeps, { repo: input.repo, cloneDir: input.cloneDir, commit: input.commit, ...(input.overrides ? { overrides: input.overrides } : {}) });
  if (!env.ok) {
    report.error = env.reason;
    return finish();
  }
  await mkdir(deps.scratch, { recursive: true });
  const repoDir = path.join(deps.scratch, `synth-${process.pid}-${input.commit.slice(0, 12)}`);
  await prepareRepoAtBase(input.cloneDir, input.commit, repoDir, "single-commit");
  const box = await SynthSandbox.open(deps.envDeps.docker, { image: env.image, plan: env.plan, repoDir, ...(deps.envDeps.limits ? { limits: deps.envDeps.limits } : {}), labels: { "org.legofactory.synth": input.repo.replace(/[^A-Za-z0-9._-]/g, "_") } });
  try {
    const fullCommand = env.plan.testCommand("all");
    // The clean baseline: the suite `runs` times.
    const cpu0 = await box.cpuMs();
    let t = performance.now();
    const cleanRuns: TestRun[] = [];
    for (let i = 0; i < Math.max(1, opts.runs); i++) {
      const run = await box.run(fullCommand, opts.timeoutMs);
      if (run.timedOut) {
        report.error = `the clean test suite did not finish within ${Math.round(opts.timeoutMs / 1000)} s`;
        return finish();
      }
      cleanRuns.push(run);
    }
    report.timings.baselineMs = Math.round(performance.now() - t);
    const cpu1 = await box.cpuMs();
    report.cpu.baselineMs = cpu0 !== null && cpu1 !== null ? Math.round(cpu1 - cpu0) : null;
    const clean = cleanBaseline(cleanRuns.map((r) => r.parsed));
    if (clean.runs.some((r) => !r.ran) || clean.passing.size === 0) {
      report.error = `the repository has no passing tests to validate bugs with (${cleanRuns[0]?.parsed.notes.join("; ") || "no test results in the log"})`;
      return finish();
    }
    // Hang detection: a bug's run may take a few times the clean suite, never the full budget.
    const cleanMs = Math.max(...cleanRuns.map((r) => r.durationMs));
    const runTimeout = Math.min(opts.timeoutMs, Math.max(30_000, cleanMs * 5));

    // Coverage, once per environment.
    t = performance.now();
    const files = await box.trackedFiles();
    let coverage: CoverageMap | null = null;
    const stored = reusableCoverage(deps.db && env.environmentId !== null ? await environmentCoverage(deps.db, env.environmentId) : null);
    if (stored) {
      coverage = stored;
      report.coverage = { tool: coverage.tool, reused: true };
    } else {
      const testFiles = files.filter((f) => isTestFile(f) && languageOf(f) !== null);
      const made = await box.coverage(opts.timeoutMs, testFiles);
      if ("map" in made) {
        coverage = made.map;
        report.coverage = { tool: coverage.tool, reused: false };
        if (deps.db && env.environmentId !== null) await saveEnvironmentCoverage(deps.db, env.environmentId, coverage as unknown as Record<string, unknown>);
      } else report.coverage = { error: made.error };
    }
    report.timings.coverageMs = Math.round(performance.now() - t);
    const cpu2 = await box.cpuMs();
    report.cpu.coverageMs = cpu1 !== null && cpu2 !== null ? Math.round(cpu2 - cpu1) : null;

    // Targets: functions of source files that passing tests execute.
    const random = seededRandom(opts.seed);
    const targets: Target[] = [];
    for (const file of files) {
      const language = languageOf(file);
      if (!language || isTestFile(file)) continue;
      const text = await readFile(path.join(repoDir, file), "utf8").catch(() => null);
      if (text === null) continue;
      for (const fn of await listFunctions(text, language).catch(() => [])) {
        const tests = coverage ? testsCovering(coverage, file, fn.startLine, fn.endLine).filter((x) => clean.passing.has(x)) : [...clean.passing].sort();
        if (tests.length > 0) targets.push({ file, language, symbol: fn.symbol, startLine: fn.startLine, endLine: fn.endLine, tests });
      }
    }
    report.targets = targets.length;
    if (targets.length === 0) {
      report.error = coverage ? `no function of the repository's source files is executed by a passing test${skippedNote(coverage)}` : "the repository has no functions to mutate";
      return finish();
    }

    const snapshot = { commit: input.commit, read: (p: string) => readFile(path.join(repoDir, p), "utf8").catch(() => undefined) };
    const validated: ValidatedBug[] = [...(opts.validated ?? [])];
    const seen = new Set<string>();
    t = performance.now();
    const valid = () => report.outcomes.filter((o) => o.row.status === "valid").length;
    const ctx: ValidationContext = { input, env, clean, coverage, fullCommand, runTimeout, opts, phases: report.timings.phases, report };
    // Grouping needs each bug's covering-test run: none in "full" validation.
    const groupSize = opts.validation === "coverage" && coverage ? Math.max(1, opts.group ?? DEFAULT_GROUP) : 1;
    let pending: Pending[] = [];
    /** A verdict reached: counted, stored, reported. */
    const settle = async (outcome: CandidateOutcome) => {
      const sum = summaryOf(report, strategyKey(outcome.candidate.strategy));
      if (outcome.row.status === "valid") {
        sum.valid++;
        validated.push({ instanceId: outcome.row.instanceId, file: outcome.candidate.file, bugPatch: outcome.candidate.bugPatch, failToPass: outcome.row.failToPass ?? [] });
        const issue = outcome.row.evidence?.issueText as { rejections?: string[]; source?: string } | undefined;
        sum.leakRejections += issue?.rejections?.length ?? 0;
        sum.issueTexts += 1;
      } else {
        const reason = outcome.row.statusReason ?? "invalid";
        sum.discarded[reasonClass(reason)] = (sum.discarded[reasonClass(reason)] ?? 0) + 1;
      }
      report.outcomes.push(outcome);
      await deps.onOutcome?.(outcome);
    };
    /** Confirms pending survivors by full-suite runs until at most `keep` wait. */
    const flush = async (keep: number) => {
      while (pending.length > keep) {
        const pick = new Set(nextGroup(pending, groupSize));
        const group = pending.filter((_, i) => pick.has(i));
        pending = pending.filter((_, i) => !pick.has(i));
        for (const outcome of await confirmGroup(box, group, ctx)) await settle(outcome);
      }
    };
    for (const name of opts.strategies) {
      const strategy = strategies[name];
      const sum = summaryOf(report, name);
      const unavailable = strategy.unavailable({ repo: snapshot, environment: env.plan, ...(opts.writer ? { writer: opts.writer } : {}), validated });
      if (unavailable) {
        sum.discarded[unavailable] = (sum.discarded[unavailable] ?? 0) + 1;
        continue;
      }
      let tried = 0;
      const order = name === "combine" ? shuffled(targets.filter((x) => validated.filter((b) => b.file === x.file).length >= 2), random) : shuffled(targets, random);
      const doneFiles = new Set<string>();
      for (const target of order) {
        if (valid() + pending.length >= opts.max) await flush(0);
        if (tried >= opts.maxCandidates || valid() >= opts.max) break;
        if (name === "combine" && doneFiles.has(target.file)) continue;
        doneFiles.add(target.file);
        const attempts = await strategy.generate({ repo: snapshot, environment: env.plan, target, random, max: 1, ...(opts.writer ? { writer: opts.writer } : {}), validated });
        for (const attempt of attempts) {
          if (!attempt.ok) {
            const s = summaryOf(report, strategyKey(attempt.strategy));
            s.discarded[reasonClass(attempt.reason)] = (s.discarded[reasonClass(attempt.reason)] ?? 0) + 1;
            report.discarded.push(attempt);
            await deps.onOutcome?.(attempt);
            continue;
          }
          if (seen.has(attempt.candidate.bugPatch)) continue;
          seen.add(attempt.candidate.bugPatch);
          tried++;
          sum.candidates++;
          const checked = await fastCheck(box, attempt.candidate, target, ctx);
          if ("row" in checked) await settle(checked);
          else {
            pending.push(checked);
            await flush(2 * groupSize - 1);
          }
        }
      }
      // combine works on what this strategy validated: its survivors are confirmed before the next one.
      await flush(0);
    }
    report.timings.validationMs = Math.round(performance.now() - t);
    const cpu3 = await box.cpuMs();
    report.cpu.validationMs = cpu2 !== null && cpu3 !== null ? Math.round(cpu3 - cpu2) : null;
    return finish();
  } finally {
    await box.close();
    await rm(repoDir, { recursive: true, force: true });
  }
}

interface ValidationContext {
  input: SynthInput;
  env: { image: string; plan: SynthSandbox["plan"]; environmentId: number | null };
  clean: CleanBaseline;
  coverage: CoverageMap | null;
  fullCommand: string;
  runTimeout: number;
  opts: SynthOptions;
  phases: Phases;
  report: SynthReport;
}

/** A candidate its covering tests caught (or one not checked that way), waiting for its full-suite confirmation. */
interface Pending extends Survivor {
  candidate: Candidate;
  out: CandidateOutcome;
  /** The covering tests' output with this bug alone: the failure the issue text describes. */
  fastLog: string | null;
}

/** The task row a candidate becomes, before any verdict. */
function baseRow(candidate: Candidate, ctx: ValidationContext): TaskRow {
  const { input, env } = ctx;
  return {
    instanceId: syntheticInstanceId(input.repo, candidate.bugPatch),
    repo: input.repo,
    kind: "synthetic",
    strategy: candidate.strategy,
    language: env.plan.language,
    baseCommit: input.commit,
    bugPatch: candidate.bugPatch,
    patch: reverseDiff(candidate.bugPatch),
    testPatch: "",
    image: env.image,
    install: env.plan.install,
    testCmd: ctx.fullCommand,
    version: env.image.split(":").pop() ?? null,
    environmentId: env.environmentId,
    environmentSetupCommit: input.commit,
    status: "invalid",
    evidence: { synthetic: { operator: candidate.operator, file: candidate.file, symbol: candidate.symbol, lines: candidate.lines, coveringTests: candidate.tests.length, ...(candidate.parts ? { parts: candidate.parts } : {}) } },
  };
}

const invalidRow = (row: TaskRow, reason: string, extra: Partial<TaskRow> = {}): TaskRow => ({ ...row, ...extra, status: "invalid", statusReason: reason });

/**
 * Apply, run the covering tests, revert: the candidate's verdict when they already decide it
 * (does not apply, hangs, breaks at import, nothing fails), else a survivor for the full suite.
 * In "full" validation (or without a coverage map) every candidate goes to the full suite.
 */
async function fastCheck(box: SynthSandbox, candidate: Candidate, target: Target | null, ctx: ValidationContext): Promise<CandidateOutcome | Pending> {
  const row = baseRow(candidate, ctx);
  const out: CandidateOutcome = { candidate, row };
  const survivor: Pending = { candidate, target, out, fastLog: null };
  const { phases } = ctx;
  if (ctx.opts.validation !== "coverage" || !ctx.coverage) return survivor;
  const coverage = ctx.coverage;
  const applyError = await timed(phases, "apply", () => box.apply(candidate.bugPatch));
  if (applyError) return { ...out, row: invalidRow(row, `the bug does not apply to the clean tree: ${applyError}`) };
  try {
    const began = performance.now();
    const run = await timed(phases, "fast", () => box.run(coveringTestsCommand(ctx.env.plan, coverage, candidate.tests, ctx.fullCommand), ctx.runTimeout));
    out.fast = { failing: [], ms: Math.round(performance.now() - began), tests: candidate.tests.length };
    if (run.timedOut) return { ...out, row: invalidRow(row, `the covering tests hang with the bug (killed after ${Math.round(ctx.runTimeout / 1000)} s)`) };
    out.fast.failing = fastFailing(candidate.tests, ctx.clean, run.parsed);
    if (!run.parsed.ran) return { ...out, row: invalidRow(row, "with the bug the covering tests show no evidence that they ran: it breaks at import or collection") };
    if (out.fast.failing.length === 0) return { ...out, row: invalidRow(row, "no covering test fails with the bug: it changes nothing the tests observe") };
    survivor.fastLog = run.log;
    return survivor;
  } finally {
    await timed(phases, "revert", () => box.revert(candidate.bugPatch));
  }
}

/**
 * Confirms a group of survivors by full-suite runs with all of them applied: split back per bug
 * where `splitGroupRuns` can, else the two halves confirmed in turn (one bug: its own runs, as
 * harvest confirms a task).
 */
async function confirmGroup(box: SynthSandbox, group: Pending[], ctx: ValidationContext): Promise<CandidateOutcome[]> {
  const { phases, opts } = ctx;
  const halves = async (why: string): Promise<CandidateOutcome[]> => {
    ctx.report.confirmations.splits.push(`${group.length} bugs: ${why}`.slice(0, 300));
    const mid = Math.ceil(group.length / 2);
    return [...(await confirmGroup(box, group.slice(0, mid), ctx)), ...(await confirmGroup(box, group.slice(mid), ctx))];
  };
  const applied: Pending[] = [];
  try {
    for (const p of group) {
      const applyError = await timed(phases, "apply", () => box.apply(p.candidate.bugPatch));
      if (applyError === null) {
        applied.push(p);
        continue;
      }
      if (group.length === 1) return [{ ...p.out, row: invalidRow(p.out.row, `the bug does not apply to the clean tree: ${applyError}`) }];
      break;
    }
  } finally {
    if (applied.length < group.length) for (const p of [...applied].reverse()) await timed(phases, "revert", () => box.revert(p.candidate.bugPatch));
  }
  if (applied.length < group.length) return halves("the bugs do not apply together");
  const runs: ParsedRun[] = [];
  let lastLog = "";
  let hung = false;
  const began = performance.now();
  try {
    for (let i = 0; i < Math.max(1, opts.runs) && !hung; i++) {
      const run = await timed(phases, "full", () => box.run(ctx.fullCommand, ctx.runTimeout));
      hung = run.timedOut;
      runs.push(run.parsed);
      lastLog = run.log;
    }
  } finally {
    for (const p of [...group].reverse()) await timed(phases, "revert", () => box.revert(p.candidate.bugPatch));
  }
  const fullMs = Math.round(performance.now() - began);
  ctx.report.confirmations.groups += 1;
  if (group.length === 1) {
    const p = group[0] as Pending;
    ctx.report.confirmations.bugs += 1;
    if (hung) return [{ ...p.out, fullMs, groupSize: 1, row: invalidRow(p.out.row, `the test suite hangs with the bug (killed after ${Math.round(ctx.runTimeout / 1000)} s)`) }];
    return [await decide(p, runs, lastLog, fullMs, 1, ctx)];
  }
  if (hung) return halves(`the suite did not finish within ${Math.round(ctx.runTimeout / 1000)} s`);
  const split = splitGroupRuns(runs, ctx.clean, group.map((p) => ({ covering: p.candidate.tests, fastFailing: p.out.fast?.failing ?? [] })));
  if (!split.ok) return halves(split.reason);
  ctx.report.confirmations.bugs += group.length;
  const outcomes: CandidateOutcome[] = [];
  for (const [i, p] of group.entries()) outcomes.push(await decide(p, split.runs[i] as ParsedRun[], p.fastLog ?? lastLog, fullMs, group.length, ctx));
  return outcomes;
}

/** The full-suite verdict of one bug from its runs; for a valid one, the issue text and the finished row. */
async function decide(p: Pending, buggy: ParsedRun[], failureLog: string, fullMs: number, groupSize: number, ctx: ValidationContext): Promise<CandidateOutcome> {
  const { input, clean, opts } = ctx;
  const { candidate, out } = p;
  const base = out.row;
  const verdict = confirmFull(buggy, clean);
  const evidence = { ...base.evidence, fast: out.fast ?? null, fullMs, ...(groupSize > 1 ? { confirmedWith: groupSize - 1 } : {}), flaky: "flaky" in verdict ? verdict.flaky : [] };
  const done = { ...out, fullMs, groupSize };
  if (!verdict.ok) return { ...done, row: invalidRow(base, verdict.reason, { failToPass: verdict.failToPass, passToPass: verdict.passToPass, evidence }) };
  const fixPatch = base.patch ?? reverseDiff(candidate.bugPatch);
  const issue = await timed(ctx.phases, "issue", () => writeIssue(
    { repo: input.repo, file: candidate.file, symbol: candidate.symbol, bugPatch: candidate.bugPatch, fixPatch, failToPass: verdict.failToPass, failureOutput: failureLog, examples: opts.examples ?? [] },
    opts.writer,
  ));
  const row: TaskRow = {
    ...base,
    status: "valid",
    statusReason: null,
    failToPass: verdict.failToPass,
    passToPass: verdict.passToPass,
    problemStatement: issue.text,
    difficulty: syntheticDifficulty({ patch: fixPatch, failToPass: verdict.failToPass, strategy: candidate.strategy }),
    evidence: { ...evidence, issueText: { source: issue.source, rejections: issue.rejections }, failureLogTail: failureLog.slice(-4096) },
  };
  return { ...done, row };
}
