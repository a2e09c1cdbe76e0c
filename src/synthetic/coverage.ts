// The per-test coverage map of one environment: which tests execute which lines of which file.
// Made once per environment in its sandbox and stored with the environment (db/environments.ts),
// then reused to pick the functions worth mutating and the few tests that can see each bug.
//  - Python: one measuring module (PYTHON_COVERAGE_CORE) driven per test by a small pytest plugin,
//    or by our unittest runner (sandbox/test-logs/unittest-runner.ts) when LEGO_COVERAGE_OUT is set.
//    With coverage.py in the environment it switches coverage's dynamic context per test (line
//    level); without it (or with LEGO_COVERAGE_TOOL=settrace), a sys.settrace hook records the
//    functions each test calls (function level: every line of a called function).
//  - JavaScript/TypeScript: V8 coverage (NODE_V8_COVERAGE) per test file, each file's tests
//    credited with the functions that ran; code a runner transformed (vitest, tsx, ts-node) is
//    mapped back to the repository's files through its source map (v8-hook.cjs, v8-reader.cjs).
import { readFileSync } from "node:fs";
import { shQuote } from "../../sandbox/quote.js";
import { UNITTEST_RUNNER_PATH } from "../../sandbox/test-logs/unittest-runner.js";
import type { EnvironmentPlan } from "../environment/types.js";

export interface CoverageMap {
  /** "coverage.py", "settrace" or "v8". */
  tool: string;
  /** Per test ("per-test") or per test file ("per-file", V8). */
  granularity: "per-test" | "per-file";
  tests: string[];
  /** V8: the test file each test (by index) ran in. */
  testFiles?: string[];
  /** file → line → indexes into `tests`. */
  files: Record<string, Record<string, number[]>>;
  /** V8: how the map was read (V8_MAP_VERSION); a stored map of another version is made again. */
  version?: number;
  /** V8: scripts under the repository left out, by reason (their offsets could not be mapped to its files). */
  skipped?: Record<string, number>;
}

/**
 * 3: transformed code (vitest, tsx, ts-node) mapped through its source map, line-aligned code
 * without one (`esm`) by its lines, coverage taken from workers stopped with SIGTERM, the hook kept
 * where the command sets NODE_OPTIONS itself. Maps without a version read transformed offsets as
 * file offsets; version 2 lost the hook to a command's NODE_OPTIONS and left `esm` code out.
 */
export const V8_MAP_VERSION = 3;

/** Pure: a coverage map stored with the environment, when it can be reused as it is. */
export function reusableCoverage(stored: Record<string, unknown> | null): CoverageMap | null {
  if (!stored || !Array.isArray(stored.tests)) return null;
  if (stored.tool === "v8" && stored.version !== V8_MAP_VERSION) return null;
  return stored as unknown as CoverageMap;
}

/**
 * The Python measurement itself, shared by both runners: `start()` once before the tests,
 * `begin(test_id)` / `end()` around each test, `finish()` writes the map to LEGO_COVERAGE_OUT.
 * With coverage.py (the environment plan installs it beside pytest and unittest) it switches
 * coverage's dynamic context per test (line level); without it, or with
 * LEGO_COVERAGE_TOOL=settrace, a sys.settrace hook records the functions each test calls.
 */
export const PYTHON_COVERAGE_CORE = String.raw`# LegoFactory: per-test coverage for synthetic bug targeting (written by lego synth).
import json, os, sys, threading, warnings

_root = os.getcwd()
_out = os.environ.get("LEGO_COVERAGE_OUT", "/tmp/lego-coverage.json")
_tests = []
_files = {}
_seen = set()
try:
    import coverage as _coverage_mod
except Exception:
    _coverage_mod = None
if os.environ.get("LEGO_COVERAGE_TOOL") == "settrace":
    _coverage_mod = None
_cov = None


def _rel(path):
    if not path or "site-packages" in path or "dist-packages" in path:
        return None
    rel = os.path.relpath(os.path.abspath(path), _root)
    return None if rel.startswith("..") else rel.replace(os.sep, "/")


def _record(path, lines, index):
    rel = _rel(path)
    if rel is None:
        return
    per_line = _files.setdefault(rel, {})
    for line in lines:
        per_line.setdefault(str(line), set()).add(index)


def _trace(frame, event, arg):
    _seen.add(frame.f_code)
    return None


def _lines(code):
    try:
        return sorted({l for _, _, l in code.co_lines() if l})
    except AttributeError:
        return [code.co_firstlineno]


def start():
    global _cov
    if _coverage_mod is not None:
        # Our own measurement: the repository's coverage settings (its source list, plugins) are
        # not read, and coverage's warnings never fail a suite that turns warnings into errors.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _cov = _coverage_mod.Coverage(data_file=None, branch=False, config_file=False, source=[_root])
            _cov.start()


def begin(test_id):
    index = len(_tests)
    _tests.append(test_id)
    if _cov is not None:
        _cov.switch_context(str(index))
        return
    _seen.clear()
    sys.settrace(_trace)
    threading.settrace(_trace)


def end():
    if _cov is not None or not _tests:
        return
    sys.settrace(None)
    threading.settrace(None)
    for code in list(_seen):
        _record(code.co_filename, _lines(code), len(_tests) - 1)
    _seen.clear()


def finish():
    tool = "settrace"
    if _cov is not None:
        tool = "coverage.py"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _cov.stop()
            data = _cov.get_data()
        for path in data.measured_files():
            for line, contexts in (data.contexts_by_lineno(path) or {}).items():
                for ctx in contexts:
                    if ctx.isdigit():
                        _record(path, [line], int(ctx))
    files = {f: {l: sorted(s) for l, s in lines.items()} for f, lines in _files.items()}
    with open(_out, "w") as fh:
        json.dump({"tool": tool, "granularity": "per-test", "tests": _tests, "files": files}, fh)
`;

/** The pytest plugin: the core around each test by node id. */
export const PYTHON_PLUGIN = String.raw`# LegoFactory: per-test coverage for synthetic bug targeting (written by lego synth).
import pytest
import lego_coverage_core as _core


def pytest_configure(config):
    _core.start()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _core.begin(item.nodeid)
    try:
        yield
    finally:
        _core.end()


def pytest_sessionfinish(session, exitstatus):
    _core.finish()
`;

/** Node script run in the sandbox: V8 coverage files of one run → the repository lines of functions that ran (see the file). */
export const V8_READER = readFileSync(new URL("./v8-reader.cjs", import.meta.url), "utf8");
/** Preloaded into every Node process of a V8 coverage run: records vm-compiled (transformed) code, takes coverage on SIGTERM. */
export const V8_HOOK = readFileSync(new URL("./v8-hook.cjs", import.meta.url), "utf8");

/** Pure: the environment of a V8 coverage run, the hook preloaded after whatever NODE_OPTIONS the plan sets. */
export function v8CoverageEnv(planEnv: Record<string, string>, paths: { coverageDir: string; scriptsDir: string; hook: string; root: string }): Record<string, string> {
  const nodeOptions = [planEnv.NODE_OPTIONS, `--require ${paths.hook}`].filter(Boolean).join(" ");
  return { NODE_V8_COVERAGE: paths.coverageDir, LEGO_V8_SCRIPTS: paths.scriptsDir, LEGO_V8_ROOT: paths.root, NODE_OPTIONS: nodeOptions };
}

/**
 * Pure: `command` with `option` appended to every NODE_OPTIONS it assigns itself (`NODE_OPTIONS=x
 * uvu …`, from the plan or the repository's script), which would otherwise replace the coverage
 * run's own. The value's shell word is kept as written and the option added as a quoted suffix.
 */
export function withNodeOption(command: string, option: string): string {
  let out = "";
  let i = 0;
  let quote: string | null = null;
  while (i < command.length) {
    const ch = command[i] as string;
    if (quote) {
      out += ch;
      if (ch === "\\" && quote === '"' && i + 1 < command.length) out += command[++i];
      else if (ch === quote) quote = null;
      i++;
      continue;
    }
    const atWord = i === 0 || /[\s;&|(]/.test(command[i - 1] as string);
    if (atWord && command.startsWith("NODE_OPTIONS=", i)) {
      let j = i + "NODE_OPTIONS=".length;
      let q: string | null = null;
      for (; j < command.length; j++) {
        const c = command[j] as string;
        if (q) {
          if (c === "\\" && q === '"') j++;
          else if (c === q) q = null;
        } else if (c === "'" || c === '"') q = c;
        else if (c === "\\") j++;
        else if (/[\s;&|)]/.test(c)) break;
      }
      out += `${command.slice(i, j)}${shQuote(` ${option}`)}`;
      i = j;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "\\") {
      out += ch + (command[i + 1] ?? "");
      i += 2;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/**
 * Pure: the command that makes the map: pytest with the plugin loaded, or our unittest runner
 * (which measures when LEGO_COVERAGE_OUT is set); null for any other runner or command.
 */
export function pythonCoverageCommand(plan: Pick<EnvironmentPlan, "framework" | "testCommand">): string | null {
  const cmd = plan.testCommand("all");
  if (plan.framework === "unittest") return cmd.includes(UNITTEST_RUNNER_PATH) ? cmd : null;
  if (plan.framework !== "pytest") return null;
  return cmd.includes("-m pytest") ? cmd.replace("-m pytest", "-m pytest -p lego_coverage_plugin") : null;
}

/** Pure: the tests that executed any of lines [start, end] of `file`. */
export function testsCovering(map: CoverageMap, file: string, start: number, end: number): string[] {
  const lines = map.files[file];
  if (!lines) return [];
  const hit = new Set<number>();
  for (const [line, tests] of Object.entries(lines)) {
    const n = Number(line);
    if (n >= start && n <= end) for (const t of tests) hit.add(t);
  }
  return [...hit].map((i) => map.tests[i] as string).sort();
}

/** Pure: the per-file V8 results of each test file's run merged into one map. */
export function mergeFileCoverage(runs: { testFile: string; tests: string[]; lines: Record<string, number[]> }[], skipped: Record<string, number> = {}): CoverageMap {
  const tests: string[] = [];
  const testFiles: string[] = [];
  const files: CoverageMap["files"] = {};
  for (const run of runs) {
    const ids = run.tests.map((t) => {
      tests.push(t);
      testFiles.push(run.testFile);
      return tests.length - 1;
    });
    for (const [file, lines] of Object.entries(run.lines)) {
      const perLine = (files[file] ??= {});
      for (const line of lines) perLine[String(line)] = [...new Set([...(perLine[String(line)] ?? []), ...ids])];
    }
  }
  return { tool: "v8", granularity: "per-file", tests, testFiles, files, version: V8_MAP_VERSION, ...(Object.keys(skipped).length > 0 ? { skipped } : {}) };
}

/** Pure: the test files that hold `tests` (pytest ids carry theirs; V8 maps record them). */
export function testFilesOf(map: CoverageMap | null, tests: string[]): string[] {
  const byId = new Map<string, string>();
  if (map?.testFiles) map.tests.forEach((t, i) => byId.set(t, map.testFiles?.[i] as string));
  const files = tests.map((t) => byId.get(t) ?? t.split("::")[0] ?? t);
  return [...new Set(files)].sort();
}

/** Pure: " (V8 scripts left out: reason ×n, …)" for a map that left scripts out, else "". */
export function skippedNote(map: CoverageMap): string {
  const parts = Object.entries(map.skipped ?? {}).map(([reason, n]) => `${reason} ×${n}`);
  return parts.length > 0 ? ` (V8 scripts left out: ${parts.join(", ")})` : "";
}
