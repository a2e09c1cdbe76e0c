// Which test runner package.json scripts start, following `npm run` chains (and yarn, pnpm,
// bun, npm-run-all) from the `test` script, so that a runner behind `npm run unit` or behind
// env/cross-env/nyc/c8 wrappers is still found.
import type { Word } from "./shell.js";
import { isEnvName, splitWords } from "./shell.js";

export type JsRunner = "jest" | "vitest" | "mocha" | "node-test" | "ava" | "tap" | "uvu";

export interface Invocation {
  runner: JsRunner;
  /** The executable and any leading words to keep: ["jest"], ["react-scripts", "test"], ["node"]. */
  bin: string[];
  /** Words after the runner in the script, still unfiltered. */
  args: Word[];
  /** `K=v` assignments made before the runner (inline or through cross-env / env). */
  env: [string, string][];
  /** Node flags given when the runner's bin file was started with `node <flags> path/to/bin`. */
  nodeOptions: string[];
  script: string;
}

export interface ScriptScan {
  invocations: Invocation[];
  /** Files started with `node <file>`: wrappers that may start a runner themselves. */
  wrappers: string[];
  /** Shell scripts the chain runs (`./scripts/test.sh`, `bash test.sh`): read for the runner they start. */
  shellScripts: string[];
  /**
   * Commands of tools that run the tests themselves and report no per-test results we can read
   * (`ts-scripts test`, `turbo run test`, `make test`), as written.
   */
  opaque: string[];
  /** Runners found that we cannot parse results from (karma, jasmine, …). */
  unsupported: string[];
}

const RUNNER_BINS: Record<string, JsRunner> = {
  jest: "jest", "jest-cli": "jest", vitest: "vitest", mocha: "mocha", _mocha: "mocha",
  "ts-mocha": "mocha", ava: "ava", tap: "tap", uvu: "uvu",
};
// Create React App and its forks run jest with their own config behind `<tool> test`.
const CRA_TOOLS = new Set(["react-scripts", "craco", "react-app-rewired"]);
const UNSUPPORTED = new Set(["karma", "jasmine", "tape", "qunit", "playwright", "cypress", "lab", "wdio", "ng"]);
const WRAPPERS = new Set(["exec", "command", "cross-env", "cross-env-shell", "env", "npx", "pnpx", "bunx", "nyc", "c8", "dotenv", "time", "nice", "xvfb-run"]);
const FLAGS_NAMING_OTHERS = new Set(["--reporter", "-R", "-r", "--require"]);
const SCRIPT_MANAGERS = new Set(["npm", "yarn", "pnpm", "bun"]);
/** Tools that start a project's tests themselves, printing no per-test results we can read. */
const OPAQUE = new Set(["ts-scripts", "turbo", "nx", "lerna", "wireit", "ultra", "lage", "moon", "make", "gulp", "grunt"]);
const SHELLS = new Set(["sh", "bash", "dash", "zsh"]);
const RUN_ALL = new Set(["run-s", "run-p", "npm-run-all", "npm-run-all2"]);
const YARN_BUILTINS = new Set(["install", "add", "remove", "up", "upgrade", "workspace", "workspaces", "node", "why", "info", "config", "cache", "set", "constraints", "dedupe", "npm", "pack", "plugin", "rebuild", "version"]);

function baseName(word: string): string {
  return (word.split("/").pop() ?? word).replace(/\.(c|m)?js$/, "");
}

function runnerOfBin(word: string): JsRunner | undefined {
  // `node node_modules/uvu/bin.js`: the package's own bin file names its package.
  const pkg = /(?:^|\/)node_modules\/([^/.][^/]*)\/(?:bin|cli)(?:\/[^/]+)?\.[cm]?js$/.exec(word)?.[1];
  return RUNNER_BINS[baseName(word)] ?? (pkg ? RUNNER_BINS[pkg] : undefined);
}

function emptyScan(): ScriptScan {
  return { invocations: [], wrappers: [], shellScripts: [], opaque: [], unsupported: [] };
}

export function scanScripts(scripts: Record<string, string>, entry: string): ScriptScan {
  const scan = emptyScan();
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const body = scripts[name];
    if (body === undefined || seen.has(name)) return;
    seen.add(name);
    for (const words of splitWords(body)) scanCommand(words, name, scripts, scan, visit);
  };
  visit(entry);
  return scan;
}

/**
 * Runner invocations in shell text: an override's test command, or a shell script the test
 * script runs (whose `npm run x` lines follow `scripts`). Invocations name `script` as theirs.
 */
export function scanCommandLine(line: string, scripts: Record<string, string> = {}, script = ""): ScriptScan {
  const scan = emptyScan();
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const body = scripts[name];
    if (body === undefined || seen.has(name)) return;
    seen.add(name);
    for (const words of splitWords(body)) scanCommand(words, name, scripts, scan, visit);
  };
  for (const words of splitWords(line)) scanCommand(words, script, scripts, scan, visit);
  return scan;
}

function scanCommand(
  words: Word[],
  script: string,
  scripts: Record<string, string>,
  scan: ScriptScan,
  visit: (name: string) => void,
): void {
  const env: [string, string][] = [];
  const texts = words.map((w) => w.text);
  let wrapped = false;
  for (let i = 0; i < texts.length; i++) {
    const w = texts[i] ?? "";
    const eq = w.indexOf("=");
    if (eq > 0 && isEnvName(w.slice(0, eq))) {
      env.push([w.slice(0, eq), w.slice(eq + 1)]);
      continue;
    }
    // `nyc --reporter tap mocha`: a reporter's name is not the runner.
    if (FLAGS_NAMING_OTHERS.has(texts[i - 1] ?? "")) continue;
    const name = baseName(w);
    const restWords = words.slice(i + 1);
    const rest = texts.slice(i + 1);
    if (SCRIPT_MANAGERS.has(name)) {
      const target = scriptTarget(name, rest);
      if (target === undefined) return;
      if (scripts[target] !== undefined) visit(target);
      // `yarn jest`, `pnpm vitest`: a manager starting a bin directly.
      else scanCommand([...words.slice(0, i), ...restWords.slice(rest.indexOf(target))], script, scripts, scan, visit);
      return;
    }
    if (RUN_ALL.has(name)) {
      for (const pattern of rest.filter((r) => !r.startsWith("-"))) {
        const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^:]*")}$`);
        for (const s of Object.keys(scripts)) if (re.test(s)) visit(s);
      }
      return;
    }
    if (name === "node" || name === "tsx") {
      const { flags, target } = nodeArgs(rest);
      if (flags.includes("--test")) {
        scan.invocations.push({ runner: "node-test", bin: [name], args: restWords, env, nodeOptions: [], script });
        return;
      }
      if (target === undefined) return;
      const runner = runnerOfBin(target);
      if (runner) {
        const args = restWords.slice(rest.indexOf(target) + 1);
        scan.invocations.push({ runner, bin: [baseName(target) === "_mocha" ? "mocha" : runner], args, env, nodeOptions: flags, script });
      } else scan.wrappers.push(target.replace(/^\.\//, ""));
      return;
    }
    if (CRA_TOOLS.has(name) && rest[0] === "test") {
      scan.invocations.push({ runner: "jest", bin: [name, "test"], args: restWords.slice(1), env, nodeOptions: [], script });
      return;
    }
    const runner = RUNNER_BINS[name];
    if (runner) {
      const bin = name === "ts-mocha" ? "ts-mocha" : runner;
      scan.invocations.push({ runner, bin: [bin], args: restWords, env, nodeOptions: [], script });
      return;
    }
    if (UNSUPPORTED.has(name)) {
      scan.unsupported.push(name);
      return;
    }
    if (OPAQUE.has(name)) {
      scan.opaque.push(texts.slice(i).join(" "));
      return;
    }
    // `./scripts/test.sh`, `bash scripts/test.sh`, `sh -c "vitest run"`.
    if (/\.(sh|bash)$/.test(w) && !w.startsWith("-")) {
      scan.shellScripts.push(w.replace(/^\.\//, ""));
      return;
    }
    if (SHELLS.has(name)) {
      const c = rest.indexOf("-c");
      if (c >= 0 && rest[c + 1] !== undefined) {
        for (const inner of splitWords(rest[c + 1] as string)) scanCommand(inner, script, scripts, scan, visit);
        return;
      }
      const file = rest.find((r) => !r.startsWith("-"));
      if (file !== undefined) scan.shellScripts.push(file.replace(/^\.\//, ""));
      return;
    }
    // After a wrapper, its flags and their values come before the command it starts; any other
    // command (eslint, echo, tsc) starts no runner, whatever words follow it.
    if (WRAPPERS.has(name)) wrapped = true;
    else if (!wrapped) return;
  }
}

/** The script or bin a manager command names: `npm run x`, `npm test`, `yarn x`, `pnpm run x`. */
function scriptTarget(manager: string, rest: string[]): string | undefined {
  const words = rest.filter((w) => !w.startsWith("-"));
  const first = words[0];
  if (first === undefined) return undefined;
  if (first === "test" || first === "t" || first === "tst") return "test";
  if (first === "run" || first === "run-script" || first === "exec" || first === "x") return words[1];
  if (manager === "npm") return first === "start" ? "start" : undefined;
  if (manager === "yarn" && YARN_BUILTINS.has(first)) return undefined;
  return first;
}

/** Node's own flags before the script path, and the path. */
function nodeArgs(rest: string[]): { flags: string[]; target?: string } {
  const flags: string[] = [];
  const takesValue = new Set(["-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions", "--env-file", "--test-reporter", "--test-reporter-destination", "--test-name-pattern", "--test-concurrency"]);
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i] ?? "";
    if (!w.startsWith("-")) return { flags, target: w };
    flags.push(w);
    if (takesValue.has(w) && i + 1 < rest.length) flags.push(rest[++i] ?? "");
  }
  return { flags };
}
