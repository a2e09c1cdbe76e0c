// Test commands for the JavaScript runners. The repository's own invocation (from its scripts)
// is reused, minus whatever would change the output format or never finish: reporters, watch
// mode, coverage. Running chosen files keeps only the flags that shape how tests load
// (config, require hooks, timeouts), never the script's own file globs.
import { REPORT_PLACEHOLDER } from "../../sandbox/test-logs/report.js";
import { shQuote } from "../../sandbox/quote.js";
import { UVU_HOOK_PATH, UVU_HOOK_SOURCE, UVU_REPORT_ENV } from "../../sandbox/test-logs/uvu-hook.js";
import type { Invocation, JsRunner } from "./scripts.js";
import type { Word } from "./shell.js";
import { envPrefix, pathArg, wordArg } from "./shell.js";

interface FlagRules {
  /** Flags whose value is the next word when not given as `--flag=value`. */
  value: string[];
  /** Flags never carried over. */
  drop: RegExp;
  /** Flags carried over when running chosen files. */
  keepForFiles: RegExp;
  /** Leading positional words that are subcommands, not files. */
  subcommands?: string[];
}

const RULES: Record<JsRunner, FlagRules> = {
  jest: {
    value: ["-c", "--config", "--rootDir", "--roots", "--selectProjects", "--testNamePattern", "-t", "--maxWorkers", "-w", "--reporters", "--outputFile", "--coverageReporters", "--coverageDirectory", "--testTimeout", "--env", "--testEnvironment", "--testPathPattern", "--testPathIgnorePatterns", "--shard", "--setupFiles", "--setupFilesAfterEnv"],
    drop: /^--(coverage.*|collectCoverage.*|watch.*|json|outputFile|reporters|ci|changedSince|onlyChanged|passWithNoTests|listTests|bail)$|^-[ob]$/,
    keepForFiles: /^(-c|--config|--rootDir|--roots|--selectProjects|--maxWorkers|-w|--runInBand|-i|--testTimeout|--env|--testEnvironment|--setupFiles.*|--forceExit|--detectOpenHandles|--experimental.*|--no-cache)$/,
  },
  vitest: {
    value: ["-c", "--config", "-r", "--root", "--dir", "--project", "--environment", "--pool", "--reporter", "--outputFile", "--mode", "--testTimeout", "--shard", "-t", "--testNamePattern"],
    drop: /^--(reporter|outputFile|coverage.*|watch|ui|open|run|changed|passWithNoTests|bail|silent)$|^-w$/,
    keepForFiles: /^(-c|--config|-r|--root|--dir|--project|--environment|--pool|--mode|--testTimeout|--globals|--dom|--no-file-parallelism|--sequence\..*|--isolate|--no-isolate)$/,
    // `vitest bench` or `vitest typecheck` name a mode, never a file filter.
    subcommands: ["run", "watch", "dev", "related", "bench", "typecheck", "list"],
  },
  mocha: {
    value: ["-r", "--require", "-R", "--reporter", "-O", "--reporter-option", "--reporter-options", "-t", "--timeout", "-s", "--slow", "-u", "--ui", "-g", "--grep", "-f", "--fgrep", "--file", "--extension", "--ignore", "--exclude", "--config", "--package", "--spec", "--retries", "-j", "--jobs", "-n", "--node-option", "--watch-files", "--watch-ignore"],
    drop: /^(-R|--reporter|-O|--reporter-options?|-w|--watch|--watch-files|--watch-ignore|-b|--bail|--forbid-only|--forbid-pending)$/,
    keepForFiles: /^(-r|--require|-t|--timeout|-s|--slow|-u|--ui|--file|--extension|--config|--package|--recursive|--exit|-n|--node-option|--retries|--experimental.*|--loader|--no-config|--no-package)$/,
  },
  "node-test": {
    value: ["-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions", "--env-file", "--test-reporter", "--test-reporter-destination", "--test-name-pattern", "--test-concurrency", "--test-timeout"],
    drop: /^--(test|test-reporter|test-reporter-destination|experimental-test-coverage|test-coverage-.*|watch.*|test-only)$/,
    keepForFiles: /^(-r|--require|--import|--loader|--experimental-.*|-C|--conditions|--env-file|--test-timeout|--test-concurrency|--test-force-exit|--no-warnings|--enable-source-maps|--expose-gc)$/,
  },
  ava: {
    value: ["-m", "--match", "--config", "-c", "--concurrency", "-T", "--timeout", "--node-arguments"],
    drop: /^(-t|--tap|-w|--watch|-v|--verbose|--reset-cache|--fail-fast|-u|--update-snapshots|--(no-)?worker-threads)$/,
    keepForFiles: /^(--config|-c|--concurrency|-T|--timeout|--node-arguments|-s|--serial)$/,
    subcommands: ["debug", "reset-cache"],
  },
  tap: {
    value: ["-R", "--reporter", "-t", "--timeout", "--node-arg", "--test-arg", "--test-env", "-j", "--jobs", "--nyc-arg", "--coverage-report", "--before", "--after", "--files", "-o", "--output-file", "-d", "--output-dir", "-f", "--reporter-file", "--reporter-arg"],
    drop: /^(-R|--reporter|-o|--output-file|-d|--output-dir|-f|--reporter-file|--reporter-arg|--coverage-report|--cov|--coverage|--check-coverage|--100|-w|--watch|--files|--bail|-b)$/,
    keepForFiles: /^(-t|--timeout|--node-arg|--test-arg|--test-env|-j|--jobs|--ts|--no-ts|--esm|--no-esm|--before|--after)$/,
  },
  // `uvu [dir] [pattern]`: its two positionals are a directory and a file pattern.
  uvu: {
    value: ["-r", "--require", "-i", "--ignore", "-C", "--cwd"],
    drop: /^(-b|--bail|-w|--watch)$/,
    keepForFiles: /^(-r|--require|-i|--ignore)$/,
  },
};

/** The script's arguments to carry over: all of them for a full run, loading flags for files. */
export function carriedArgs(runner: JsRunner, args: Word[], mode: "all" | "files"): Word[] {
  const rules = RULES[runner];
  const out: Word[] = [];
  let positionals = 0;
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (!word) continue;
    const w = word.text;
    if (w.startsWith("-") && w !== "-" && w !== "--") {
      const name = w.split("=")[0] ?? w;
      const value = !w.includes("=") && rules.value.includes(name) ? args.slice(i + 1, i + 2) : [];
      i += value.length;
      const keep = !rules.drop.test(name) && (mode === "all" || rules.keepForFiles.test(name));
      if (keep) out.push(word, ...value);
    } else {
      const subcommand = positionals === 0 && rules.subcommands?.includes(w);
      positionals++;
      if (mode === "all" && !subcommand) out.push(word);
    }
  }
  return out;
}

export interface JsTestOptions {
  invocation?: Invocation;
  /** For mocha: options from a .mocharc whose `spec` would otherwise be added to chosen files. */
  mochaConfigFlags?: string[];
  /** For tap: the flag that turns coverage (and its 100% check) off in the installed major. */
  tapCoverageOff: string;
  /**
   * For tap: the option writing its raw TAP to a file in the installed major. tap 16's
   * `--output-file` (bin/jack.js); tap 18's `--reporter-file` (@tapjs/config): its
   * `--output-file` is attached after the version and plan lines and, with `--reporter=tap`,
   * prints every line twice on stdout (a real tap 18.8.0 run).
   */
  tapReportFile: "--output-file" | "--reporter-file";
  /**
   * For ava: `--no-worker-threads` from ava 4 on (ava 3 always forks processes). In a worker
   * thread a test shares ava's file descriptor 1, so `fs.writeSync(1, "ok 99 - fake")` would
   * land in the report; a forked worker's stdout is a pipe ava prints on its stderr.
   */
  avaProcesses: string;
}

// The reports go to the run's own report path (a per-run nonce the code under test is not
// given, put in place by the runner), never to the output, where a test could print a fake.
// node-tap writes its raw TAP there (`JsTestOptions.tapReportFile`); ava has no report-file option, but its TAP reporter writes
// to its own stdout and the workers' output to its stderr (lib/cli.js reportStream/stdStream),
// so its stdout is redirected to the path.

export const REPORTER_FLAGS: Record<JsRunner, string> = {
  jest: `--ci --json --outputFile=${REPORT_PLACEHOLDER}`,
  vitest: `--reporter=json --outputFile=${REPORT_PLACEHOLDER}`,
  mocha: `--reporter json --reporter-option output=${REPORT_PLACEHOLDER}`,
  "node-test": `--test-reporter=tap --test-reporter-destination=${REPORT_PLACEHOLDER}`,
  ava: "--tap",
  tap: "--reporter=tap",
  uvu: `${UVU_REPORT_ENV}=${REPORT_PLACEHOLDER} NODE_OPTIONS=--require=${UVU_HOOK_PATH}`,
};

/**
 * The shell command for one runner. Each writes its report (JSON, or TAP for node:test, ava,
 * node-tap and uvu) to the run's report path (read by the runner, see sandbox/test-logs/report.ts).
 */
export function jsTestCommand(runner: JsRunner, files: string[] | "all", opts: JsTestOptions): string {
  const inv = opts.invocation;
  const mode = files === "all" ? "all" : "files";
  const carried = inv ? carriedArgs(runner, inv.args, mode) : [];
  const fileArgs = files === "all" ? [] : files.map(pathArg);
  const nodeOptions = inv?.nodeOptions.length ? [["NODE_OPTIONS", inv.nodeOptions.join(" ")] as [string, string]] : [];
  // tap 18 writes its report to stdout, not the report file, when TAP=1 (@tapjs/run handle-reporter.js).
  const env = (inv?.env ?? []).filter(([name]) => runner !== "tap" || name !== "TAP");
  const prefix = envPrefix([...env, ...nodeOptions]);
  const npx = (bin: string[]): string[] => ["npx", "--no-install", ...bin.map(shQuote)];
  const words = (...parts: string[][]): string => [...prefix, ...parts.flat()].join(" ");
  const q = carried.map(wordArg);
  switch (runner) {
    case "jest": {
      const bin = inv?.bin ?? ["jest"];
      const extra = bin[0] === "jest" ? [] : ["--watchAll=false"];
      const byPath = files === "all" ? [] : ["--runTestsByPath"];
      return words(npx(bin), extra, q, REPORTER_FLAGS.jest.split(" "), byPath, fileArgs);
    }
    case "vitest":
      return words(npx(inv?.bin ?? ["vitest"]), ["run"], q, REPORTER_FLAGS.vitest.split(" "), fileArgs);
    case "mocha": {
      // Mocha adds a config file's `spec` to the files it is given, so for chosen files the
      // config is replaced by the same options on the command line, without `spec`.
      const config = files === "all" ? [] : (opts.mochaConfigFlags ?? []);
      const own = config.length > 0 ? withoutFlag(carried, "--config") : carried;
      return words(npx(inv?.bin ?? ["mocha"]), config.map(shQuote), own.map(wordArg), REPORTER_FLAGS.mocha.split(" "), fileArgs);
    }
    case "node-test": {
      const bin = inv?.bin[0] === "tsx" ? npx(["tsx"]) : ["node"];
      return words(bin, ["--test", REPORTER_FLAGS["node-test"]], q, fileArgs);
    }
    case "ava":
      // ava's stdout is its TAP report alone: it goes to the report path, after the files.
      return words(npx(inv?.bin ?? ["ava"]), q, [REPORTER_FLAGS.ava, opts.avaProcesses].filter(Boolean), fileArgs, [">", REPORT_PLACEHOLDER]);
    case "tap":
      return words(npx(inv?.bin ?? ["tap"]), q, [REPORTER_FLAGS.tap, `${opts.tapReportFile}=${REPORT_PLACEHOLDER}`, opts.tapCoverageOff], fileArgs);
    case "uvu": {
      // uvu has no reporter: our preload writes the per-test report (see uvu-hook.ts). Chosen
      // files are run as `uvu . <pattern>` matching exactly those paths.
      const preload = `--require=${UVU_HOOK_PATH}`;
      const env = envPrefix([...(inv?.env ?? []), [UVU_REPORT_ENV, REPORT_PLACEHOLDER], ["NODE_OPTIONS", [...(inv?.nodeOptions ?? []), preload].join(" ")]]);
      const select = files === "all" ? [] : [".", shQuote(`^(?:${files.map(escapeRegExp).join("|")})$`)];
      const write = `printf '%s' ${shQuote(UVU_HOOK_SOURCE)} > ${UVU_HOOK_PATH} &&`;
      return [write, ...env, ...npx(inv?.bin ?? ["uvu"]), ...q, ...select].join(" ");
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function withoutFlag(args: Word[], flag: string): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    if (w?.text === flag) i++;
    else if (w && !w.text.startsWith(`${flag}=`)) out.push(w);
  }
  return out;
}
