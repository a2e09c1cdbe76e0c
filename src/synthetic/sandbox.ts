// The shared sandbox of one synthesis run: one container from the environment image holding the
// clean tree, where every candidate is applied, tested and reverted in turn (many bugs, one
// sandbox), network off.
import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { Sandbox } from "../../sandbox/container.js";
import { applyCodeState } from "../../sandbox/images.js";
import type { SandboxLimits } from "../../sandbox/limits.js";
import { shQuote } from "../../sandbox/quote.js";
import { extractMarked, parseTestLog, wrapWithMarkers, type ParsedRun } from "../../sandbox/test-logs/index.js";
import { REPORT_PLACEHOLDER, resultsFromReport } from "../../sandbox/test-logs/report.js";
import type { EnvironmentPlan } from "../environment/types.js";
import { type CoverageMap, mergeFileCoverage, PYTHON_COVERAGE_CORE, PYTHON_PLUGIN, pythonCoverageCommand, V8_HOOK, V8_READER, v8CoverageEnv, withNodeOption } from "./coverage.js";

export interface TestRun {
  parsed: ParsedRun;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** The end of the output, for evidence and issue text. */
  log: string;
}

const LOG_TAIL = 8192;
/** As validation: a report larger than this is read as cut. */
const REPORT_MAX_BYTES = 64 * 1024 * 1024;

export class SynthSandbox {
  private constructor(
    private readonly sandbox: Sandbox,
    readonly plan: EnvironmentPlan,
  ) {}

  /** `repoDir`: the clean tree copied in; null when the image already holds it at /repo. */
  static async open(docker: Docker, opts: { image: string; plan: EnvironmentPlan; repoDir: string | null; limits?: Partial<SandboxLimits>; labels?: Record<string, string> }): Promise<SynthSandbox> {
    const sandbox = await Sandbox.create(docker, { image: opts.image, limits: { ...opts.limits, network: false }, labels: { "org.legofactory.role": "synth", ...opts.labels }, workdir: "/repo" });
    try {
      if (opts.repoDir !== null) await applyCodeState(sandbox, opts.repoDir);
    } catch (err) {
      await sandbox.destroy();
      throw err;
    }
    return new SynthSandbox(sandbox, opts.plan);
  }

  /** One test run, read as validation reads it: from the structured report where the plan writes one. */
  async run(command: string, timeoutMs: number, env: Record<string, string> = {}): Promise<TestRun> {
    const nonce = randomBytes(16).toString("hex");
    const id = `synth-${nonce}`;
    const report = this.plan.report && command.includes(REPORT_PLACEHOLDER) ? `/tmp/lego-report-${nonce}/report` : null;
    const reportDir = report ? report.slice(0, report.lastIndexOf("/")) : "";
    const text = report ? `mkdir -p -m 700 ${reportDir}\n${wrapWithMarkers(id, command.split(REPORT_PLACEHOLDER).join(report))}` : wrapWithMarkers(id, command);
    const r = await this.sandbox.exec(text, { timeoutMs, cwd: "/repo", env: { ...this.plan.env, ...env } });
    const marked = extractMarked(r.stdout, id);
    const log = `${marked.body}\n${r.stderr}`;
    let parsed: ParsedRun;
    if (report && this.plan.report) {
      const read = await this.sandbox.exec(`cat ${report} && rm -rf ${reportDir}`, { timeoutMs: 60_000, maxOutputBytes: REPORT_MAX_BYTES });
      parsed = resultsFromReport(this.plan.report, read.exitCode === 0 ? read.stdout : null, log, this.plan.framework);
    } else parsed = parseTestLog(this.plan.framework, log);
    return { parsed, exitCode: marked.exitCode, timedOut: r.timedOut, durationMs: Math.round(r.durationMs), log: log.slice(-LOG_TAIL) };
  }

  /** Applies a diff to the tree; the error when it does not apply. */
  async apply(diff: string, reverse = false): Promise<string | null> {
    const r = await this.sandbox.exec(`git apply --whitespace=nowarn ${reverse ? "-R " : ""}-`, { timeoutMs: 60_000, cwd: "/repo", stdin: diff });
    return r.exitCode === 0 ? null : r.stderr.trim().slice(0, 500) || `git apply exited ${r.exitCode}`;
  }

  /** Back to the clean tree: the reverse diff, or (if that fails) the tracked files from HEAD. */
  async revert(diff: string): Promise<void> {
    if ((await this.apply(diff, true)) === null) return;
    await this.sandbox.exec("git checkout -q HEAD -- .", { timeoutMs: 60_000, cwd: "/repo" });
  }

  async trackedFiles(): Promise<string[]> {
    const r = await this.sandbox.exec("git ls-files -z", { timeoutMs: 60_000, cwd: "/repo" });
    return r.stdout.split("\0").filter(Boolean);
  }

  /** The per-test coverage map, or the reason there is none. */
  /** `pythonTool: "settrace"` skips coverage.py even where the environment has it (to compare the two). */
  async coverage(timeoutMs: number, testFiles: string[], opts: { pythonTool?: "settrace" } = {}): Promise<{ map: CoverageMap } | { error: string }> {
    if (this.plan.language === "python") {
      const command = pythonCoverageCommand(this.plan);
      if (!command) return { error: `per-test coverage needs pytest or unittest through LegoFactory's runner; the environment runs ${this.plan.framework}${this.plan.framework === "unittest" ? " with a command of its own (sandbox.testCmd)" : ""}` };
      await this.sandbox.writeFile("/tmp/lego-cov/lego_coverage_core.py", PYTHON_COVERAGE_CORE);
      await this.sandbox.writeFile("/tmp/lego-cov/lego_coverage_plugin.py", PYTHON_PLUGIN);
      const pythonPath = ["/tmp/lego-cov", this.plan.env.PYTHONPATH].filter(Boolean).join(":");
      const run = await this.run(command, timeoutMs, { PYTHONPATH: pythonPath, LEGO_COVERAGE_OUT: "/tmp/lego-coverage.json", ...(opts.pythonTool ? { LEGO_COVERAGE_TOOL: opts.pythonTool } : {}) });
      if (run.timedOut) return { error: `the coverage run did not finish within ${Math.round(timeoutMs / 1000)} s` };
      try {
        return { map: JSON.parse((await this.sandbox.readFile("/tmp/lego-coverage.json")).toString("utf8")) as CoverageMap };
      } catch (err) {
        return { error: `the coverage plugin wrote no map (${(err as Error).message}); the run ended: ${run.log.slice(-300)}` };
      }
    }
    if (this.plan.language === "go") return { error: "per-test coverage for Go is not supported" };
    await this.sandbox.writeFile("/tmp/lego-v8-reader.cjs", V8_READER);
    await this.sandbox.writeFile("/tmp/lego-v8-hook.cjs", V8_HOOK);
    const runs: { testFile: string; tests: string[]; lines: Record<string, number[]> }[] = [];
    const skipped: Record<string, number> = {};
    for (const [i, file] of testFiles.entries()) {
      const dir = `/tmp/lego-v8/${i}`;
      const scriptsDir = `/tmp/lego-v8-scripts/${i}`;
      const env = v8CoverageEnv(this.plan.env, { coverageDir: dir, scriptsDir, hook: "/tmp/lego-v8-hook.cjs", root: "/repo" });
      const run = await this.run(withNodeOption(this.plan.testCommand([file]), "--require /tmp/lego-v8-hook.cjs"), timeoutMs, env);
      if (run.timedOut) return { error: `the coverage run of ${file} did not finish within ${Math.round(timeoutMs / 1000)} s` };
      const read = await this.sandbox.exec(`node /tmp/lego-v8-reader.cjs ${shQuote(dir)} /repo ${shQuote(scriptsDir)} && rm -rf ${shQuote(dir)} ${shQuote(scriptsDir)}`, { timeoutMs: 120_000, cwd: "/repo" });
      if (read.exitCode !== 0) return { error: `reading V8 coverage failed: ${read.stderr.trim().slice(0, 300)}` };
      const result = JSON.parse(read.stdout || "{}") as { files?: Record<string, number[]>; skipped?: Record<string, number> };
      for (const [reason, n] of Object.entries(result.skipped ?? {})) skipped[reason] = (skipped[reason] ?? 0) + n;
      runs.push({ testFile: file, tests: Object.keys(run.parsed.statuses), lines: result.files ?? {} });
    }
    if (runs.length === 0) return { error: "no test files to measure coverage with" };
    return { map: mergeFileCoverage(runs, skipped) };
  }

  /**
   * CPU time the sandbox's processes have used so far (the container's cgroup, read through the
   * Docker API from outside, so reading it costs the sandbox nothing); null when the engine says nothing.
   */
  async cpuMs(): Promise<number | null> {
    const stats = (await this.sandbox.container.stats({ stream: false, "one-shot": true } as { stream: false }).catch(() => null)) as { cpu_stats?: { cpu_usage?: { total_usage?: number } } } | null;
    const ns = stats?.cpu_stats?.cpu_usage?.total_usage;
    return typeof ns === "number" && ns > 0 ? ns / 1e6 : null;
  }

  /** The underlying container (the benchmark commits one holding the clean tree as an image). */
  get container(): Sandbox["container"] {
    return this.sandbox.container;
  }

  async close(): Promise<void> {
    await this.sandbox.destroy();
  }
}
