// Decides what an environment image installs and how its tests run, from the files of one
// repository snapshot. Pure: the snapshot is passed in, nothing is read from disk or network.
import { isTestFile } from "../diff/index.js";
import type { SandboxOverrides } from "../repo-config.js";
import { planGo } from "./go.js";
import { planNode } from "./node.js";
import { isPythonProject, planPython } from "./python.js";
import { scanCommandLine } from "./scripts.js";
import { pathArg, splitCommands } from "./shell.js";
import { testEnvironment } from "./test-env.js";
import type { DetectResult, EnvironmentPlan, Framework, Language, RepoSnapshot } from "./types.js";

export type { DetectResult, EnvironmentPlan, Framework, Language, RepoSnapshot } from "./types.js";

export const NO_PROJECT_ERROR =
  "no supported project files found (looked for pyproject.toml, setup.py, setup.cfg, requirements*.txt, tox.ini, package.json, go.mod)";

type Ecosystem = "python" | "javascript" | "go";

const TEST_EXTENSIONS: Record<Ecosystem, RegExp> = {
  python: /\.py$/,
  javascript: /\.(c|m)?[jt]sx?$/,
  go: /_test\.go$/,
};

export function detectEnvironment(repo: RepoSnapshot, overrides: SandboxOverrides = {}): DetectResult {
  const present: Ecosystem[] = [];
  if (isPythonProject(repo.files)) present.push("python");
  if (repo.files.includes("package.json")) present.push("javascript");
  if (repo.files.includes("go.mod")) present.push("go");

  // Several ecosystems (a Django app with a package.json for its assets): the one with the most
  // test files is the one whose tests matter; ties keep the order above.
  const counts = new Map(present.map((e) => [e, repo.files.filter((f) => TEST_EXTENSIONS[e].test(f) && isTestFile(f)).length]));
  const ranked = [...present].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0));
  const errors: string[] = [];
  for (const eco of ranked) {
    const plan = eco === "python" ? planPython(repo) : eco === "javascript" ? planNode(repo) : planGo(repo);
    if ("error" in plan) {
      errors.push(plan.error);
      continue;
    }
    if (present.length > 1) {
      const others = present.filter((e) => e !== eco).map((e) => `${e} (${counts.get(e)} test files)`);
      plan.notes.unshift(`chose ${eco} (${counts.get(eco)} test files) over ${others.join(", ")}`);
    }
    return applyOverrides({ ...plan, env: testEnvironment(repo, plan.env) }, overrides);
  }
  if (overrides.testCmd) {
    const bare = overridePlan(overrides.testCmd);
    if (bare) return applyOverrides({ ...bare, env: testEnvironment(repo, bare.env) }, overrides);
  }
  if (errors.length > 0) return { error: errors.join("; ") };
  return { error: overrides.testCmd ? `${NO_PROJECT_ERROR}, and sandbox.testCmd names no test runner LegoFactory can read results from` : NO_PROJECT_ERROR };
}

/** The framework an override command runs, when it names one. */
export function frameworkOfCommand(cmd: string): Framework | undefined {
  const js = scanCommandLine(cmd).invocations[0];
  if (js) return js.runner;
  for (const words of splitCommands(cmd)) {
    const names = words.map((w) => w.split("/").pop() ?? w);
    if (names.some((n) => n === "pytest" || n === "py.test")) return "pytest";
    const m = names.indexOf("-m");
    if (m >= 0 && names[m + 1] === "pytest") return "pytest";
    if (m >= 0 && names[m + 1] === "unittest") return "unittest";
    const go = names.indexOf("go");
    if (go >= 0 && names[go + 1] === "test") return "go-test";
  }
  return undefined;
}

const LANGUAGE_OF: Record<Framework, Language> = {
  pytest: "python", unittest: "python", jest: "javascript", vitest: "javascript", mocha: "javascript",
  "node-test": "javascript", ava: "javascript", tap: "javascript", uvu: "javascript", "go-test": "go",
};

/** A plan from the override alone, for a repository whose project files we do not recognise. */
function overridePlan(testCmd: string): EnvironmentPlan | undefined {
  const framework = frameworkOfCommand(testCmd);
  if (!framework) return undefined;
  return {
    language: LANGUAGE_OF[framework],
    framework,
    dependencyFiles: [],
    install: [],
    fallbacks: [],
    testCommand: () => testCmd,
    reporterFlags: "",
    env: {},
    notes: [`no project files recognised; sandbox.testCmd runs ${framework}`],
  };
}

/** `.github/lego.yml` sandbox settings replace what was detected. */
function applyOverrides(plan: EnvironmentPlan, o: SandboxOverrides): EnvironmentPlan {
  const out: EnvironmentPlan = { ...plan, notes: [...plan.notes] };
  if (o.image) {
    out.image = o.image;
    out.install = o.install ?? [];
    out.fallbacks = [];
    out.notes.push(`sandbox.image: using ${o.image} instead of building an image${o.install ? ", then running sandbox.install in it" : ""}`);
  } else if (o.install) {
    out.install = o.install;
    out.fallbacks = [];
    out.notes.push("sandbox.install replaces the detected install commands (no fallbacks)");
  }
  if (o.testCmd) {
    const cmd = o.testCmd;
    const named = frameworkOfCommand(cmd);
    if (named && named !== plan.framework) {
      out.framework = named;
      out.notes.push(`sandbox.testCmd runs ${named}, not the detected ${plan.framework}: results are read as ${named}`);
    }
    out.testCommand = (files) => overrideCommand(cmd, files);
    // Test ids go to the override too (pytest takes node ids where it takes files); the detected
    // command would otherwise run them, and no other runner here takes ids.
    if (out.framework === "pytest") out.selectTests = (ids) => overrideCommand(cmd, ids);
    else delete out.selectTests;
    delete out.report;
    // The repository's own command is no longer what runs: there is no wrapper to bypass.
    delete out.directRun;
    out.notes.push(`sandbox.testCmd replaces the detected test command; it must print ${out.framework} results in the format of: ${plan.reporterFlags || "the runner's default reporter"}`);
  }
  return out;
}

/** Files replace `{files}` in the override, or are appended to it; quoted either way. */
export function overrideCommand(cmd: string, files: string[] | "all"): string {
  const args = files === "all" ? "" : files.map(pathArg).join(" ");
  if (cmd.includes("{files}")) return cmd.split("{files}").join(args);
  return args ? `${cmd} ${args}` : cmd;
}
