// The environment plan: what to install and how to run a repository's tests. Pure data, decided
// from the files of one snapshot; `sandbox/` builds the image and runs the commands.

import type { BuildFailureClass } from "../../sandbox/build-failures.js";
import type { Framework } from "../../sandbox/test-logs/index.js";
import type { ReportFormat } from "../../sandbox/test-logs/report.js";

/** The test frameworks whose logs `sandbox/test-logs/` can read. */
export type { Framework };

export type Language = "python" | "javascript" | "typescript" | "go";

export type PackageManager = "pip" | "npm" | "yarn" | "pnpm" | "go";

export interface RepoSnapshot {
  /** Every path in the repository at the commit, relative, `/`-separated. */
  files: string[];
  /** Contents of small config files; undefined when absent or too large to read. */
  read(path: string): string | undefined;
}

export interface InstallFallback {
  name: string;
  install: string[];
  /**
   * The failures it helps with: tried when an earlier attempt failed with one of these classes
   * ("any": whatever the failure). Default: a missing network.
   */
  when?: BuildFailureClass[] | "any";
}

export interface DirectRun {
  /** The wrapper as the repository runs it: a command, a script file, or the whole test script. */
  wrapper: string;
  framework: Framework;
  /** The framework's own config file the direct run picks up, when the repository has one. */
  config?: string;
}

export interface EnvironmentPlan {
  language: Language;
  packageManager?: PackageManager;
  /** Exact `x.y.z` or a major, for the image builder's Node runtime. */
  nodeVersion?: string;
  framework: Framework;
  /** Files whose contents key the environment image. */
  dependencyFiles: string[];
  /** Shell commands run at image build, network on, cwd /repo. */
  install: string[];
  /** Tried in order when `install` fails; each replaces `install` entirely. */
  fallbacks: InstallFallback[];
  /** A command run with cwd /repo, network off, printing per-test results for the log parser. */
  testCommand(testFiles: string[] | "all"): string;
  /**
   * A command that runs exactly these test ids (pytest node ids; unittest ids through our
   * runner), where the runner can select by id; `command` is the run the ids came from.
   */
  selectTests?(ids: string[], command: string): string;
  reporterFlags: string;
  /**
   * The project's build step, run before the tests of every state (patches applied, network off)
   * because its tests import build outputs (dist/) that a clean tree does not hold.
   */
  build?: string;
  /**
   * The structured report the test command writes where REPORT_PLACEHOLDER stands; results are
   * read from it, never from the output. Absent: the output is all there is.
   */
  report?: ReportFormat;
  env: Record<string, string>;
  /**
   * Set when the project's test script reaches its framework only through a wrapper that gives no
   * per-test results (`ts-scripts test`, `turbo run test`, a shell script): the framework is then
   * run directly, with its per-test reporter and the repository's own config file when it has one.
   */
  directRun?: DirectRun;
  /** Why each choice was made, shown to users. */
  notes: string[];
  /** Set when `.github/lego.yml` names an image to use instead of building one. */
  image?: string;
}

export type DetectResult = EnvironmentPlan | { error: string };
