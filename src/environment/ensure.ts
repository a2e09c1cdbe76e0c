// One environment image per repository snapshot: detect, key, reuse when built, else build
// once (concurrent tasks of the same snapshot wait for the same build) and record the outcome.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import type Docker from "dockerode";
import type { Logger } from "pino";
import type { Db } from "../../db/client.js";
import { type EnvironmentRow, findEnvironment, finishEnvironmentBuild, startEnvironmentBuild } from "../../db/environments.js";
import { prepareRepoAtBase } from "../../sandbox/git-history.js";
import { buildEnvironmentImage, imageExists } from "../../sandbox/images.js";
import type { SandboxLimits } from "../../sandbox/limits.js";
import type { SandboxOverrides } from "../repo-config.js";
import { runGit } from "../../sandbox/git.js";
import { detectEnvironment } from "./detect.js";
import { checkEnvironmentHealth, type EnvironmentHealth } from "./health.js";
import { parseEnvMarkers } from "./python-index.js";
import { ensureNodeTarballs } from "./node-runtime.js";
import { environmentKey, snapshotAt } from "./snapshot.js";
import type { EnvironmentPlan } from "./types.js";

export interface EnvironmentDeps {
  db: Db;
  docker: Docker;
  baseImage: string;
  /** Scratch space for build contexts. */
  dataDir: string;
  /** Downloads kept across builds (Node runtimes from the npm registry). */
  cacheDir: string;
  buildTimeoutMs: number;
  limits?: Partial<SandboxLimits>;
  /** The Python package index builds install from (LEGO_PIP_INDEX_URL, else PIP_INDEX_URL); default PyPI. */
  pipIndexUrl?: string;
  log: Logger;
}

/** Build-time variables that point pip and uv at the configured index; never committed into images. */
export function indexBuildEnv(url: string | undefined): Record<string, string> {
  if (!url) return {};
  const env: Record<string, string> = { PIP_INDEX_URL: url, UV_DEFAULT_INDEX: url, UV_INDEX_URL: url };
  try {
    const u = new URL(url);
    // pip ignores a plain-http index unless its host is trusted; a configured one is.
    if (u.protocol === "http:") {
      env.PIP_TRUSTED_HOST = u.hostname;
      env.UV_INSECURE_HOST = u.host;
    }
  } catch {
    // pip reports a malformed URL itself, with the failure recorded like any other.
  }
  return env;
}

/** What every job that builds environments and runs sandboxes needs on its machine. */
export interface SandboxWorkDeps {
  db: Db;
  docker: Docker;
  baseImage: string;
  limits: Partial<SandboxLimits>;
  /** Scratch space for clones and build contexts. */
  workDir: string;
  cacheDir: string;
  buildTimeoutMs: number;
  pipIndexUrl?: string;
  log: Logger;
}

export type EnvironmentResult =
  | { ok: true; plan: EnvironmentPlan; image: string; environmentId: number | null; reused: boolean; fallback: string | null; health?: EnvironmentHealth | null }
  | { ok: false; failureClass: string; reason: string; environmentId: number | null };

const LOG_CAP = 200_000;
const inFlight = new Map<string, Promise<EnvironmentResult>>();

export function imageTag(repo: string, key: string): string {
  return `lego-env/${repo.toLowerCase().replace(/[^a-z0-9._-]+/g, "_")}:${key}`;
}

function capLog(log: string): string {
  return log.length <= LOG_CAP ? log : `${log.slice(0, LOG_CAP / 2)}\n[... ${log.length - LOG_CAP} chars cut ...]\n${log.slice(-LOG_CAP / 2)}`;
}

export function failureOf(row: EnvironmentRow): EnvironmentResult {
  return {
    ok: false,
    failureClass: row.failureClass ?? "unknown",
    reason: `environment build failed (${row.failureClass ?? "unknown"}): ${row.failureReason ?? "see the build log"}`,
    environmentId: row.id,
  };
}

export async function ensureEnvironment(
  deps: EnvironmentDeps,
  input: { repo: string; cloneDir: string; commit: string; overrides?: SandboxOverrides; rebuildFailed?: boolean },
): Promise<EnvironmentResult> {
  const snapshot = await snapshotAt(input.cloneDir, input.commit);
  const plan = detectEnvironment(snapshot, input.overrides);
  if ("error" in plan) return { ok: false, failureClass: "no-project", reason: plan.error, environmentId: null };
  if (plan.image && !input.overrides?.install) {
    if (!(await imageExists(deps.docker, plan.image))) {
      return { ok: false, failureClass: "image-missing", reason: `sandbox.image ${plan.image} (from .github/lego.yml) is not on the Docker engine`, environmentId: null };
    }
    return { ok: true, plan, image: plan.image, environmentId: null, reused: true, fallback: null };
  }
  const baseImageId = ((await deps.docker.getImage(deps.baseImage).inspect()) as { Id: string }).Id;
  const key = await environmentKey(input.cloneDir, input.commit, plan, baseImageId);
  const lockKey = `${input.repo}@${key}`;
  const pending = inFlight.get(lockKey);
  if (pending) return pending;
  const work = build(deps, input, plan, key).finally(() => inFlight.delete(lockKey));
  inFlight.set(lockKey, work);
  return work;
}

async function build(
  deps: EnvironmentDeps,
  input: { repo: string; cloneDir: string; commit: string; rebuildFailed?: boolean },
  plan: EnvironmentPlan,
  key: string,
): Promise<EnvironmentResult> {
  const existing = await findEnvironment(deps.db, input.repo, key);
  if (existing?.status === "ready" && (await imageExists(deps.docker, existing.image))) {
    return { ok: true, plan, image: existing.image, environmentId: existing.id, reused: true, fallback: existing.fallback, health: existing.health ?? null };
  }
  // A failed build of the same dependency files fails the same way; retrying is explicit.
  if (existing?.status === "failed" && !input.rebuildFailed) return failureOf(existing);

  const tag = imageTag(input.repo, key);
  const row = await startEnvironmentBuild(deps.db, {
    repo: input.repo,
    key,
    image: tag,
    baseImage: deps.baseImage,
    language: plan.language,
    install: plan.install,
    testCmd: plan.testCommand("all"),
  });
  await mkdir(deps.dataDir, { recursive: true });
  const scratch = await mkdtemp(path.join(deps.dataDir, "env-"));
  try {
    const repoDir = path.join(scratch, "repo");
    await prepareRepoAtBase(input.cloneDir, input.commit, repoDir, "single-commit");
    const node = plan.nodeVersion ? await ensureNodeTarballs(path.join(deps.cacheDir, "node"), plan.nodeVersion) : undefined;
    deps.log.info({ repo: input.repo, image: tag, node: node?.version }, "building environment image");
    const result = await buildEnvironmentImage(deps.docker, {
      baseImage: deps.baseImage,
      tag,
      repoDir,
      ...(node ? { node } : {}),
      install: plan.install,
      fallbacks: plan.fallbacks,
      env: plan.env,
      buildEnv: indexBuildEnv(deps.pipIndexUrl),
      labels: { "org.legofactory.repo": input.repo, "org.legofactory.env-key": key },
      timeoutMs: deps.buildTimeoutMs,
      ...(deps.limits ? { limits: deps.limits } : {}),
    });
    const direct = plan.directRun ? `\n# test command\n${plan.testCommand("all")}\n(run directly instead of \`${plan.directRun.wrapper}\`, which gives no per-test results)\n` : "";
    const notes = `# plan\n${plan.notes.map((n) => `- ${n}`).join("\n")}\n${direct}\n`;
    if (plan.directRun) deps.log.info({ repo: input.repo, wrapper: plan.directRun.wrapper, framework: plan.directRun.framework, config: plan.directRun.config }, "test script wraps its runner: running it directly with its per-test reporter");
    if (!result.ok) {
      const f = result.failure;
      const reason = `${f.reason}${f.evidence ? `: ${f.evidence}` : ""} (failed at: ${f.step}; tried: ${result.attempts.join(", ")})${f.hint ? `. To get past it: ${f.hint}` : ""}`;
      await finishEnvironmentBuild(deps.db, row.id, { status: "failed", failureClass: result.failure.class, failureReason: reason, buildLog: capLog(notes + result.log) });
      return { ok: false, failureClass: result.failure.class, reason: `environment build failed (${result.failure.class}): ${reason}`, environmentId: row.id };
    }
    // Once per image: the whole suite at its snapshot, so a broken environment is reported once with its cause.
    const health = await checkEnvironmentHealth({
      docker: deps.docker,
      image: tag,
      plan,
      repoDir,
      repoHead: (await runGit(repoDir, ["rev-parse", "HEAD"])).trim(),
      timeoutMs: deps.buildTimeoutMs,
      ...(deps.limits ? { limits: deps.limits } : {}),
    }).catch((err: unknown): EnvironmentHealth => ({ ran: false, collected: 0, passed: 0, failed: 0, firstError: null, durationMs: 0, error: (err as Error).message }));
    // Which path built it (package index, one at a time, Debian, source), the interpreter and any
    // requires-python mismatch, as the install printed them.
    const details = parseEnvMarkers(result.log);
    const mismatch = details.pythonSatisfies === false ? `\n# requires-python ${details.requiresPython} is not satisfied: built with Python ${details.python}\n` : "";
    const healthText = `\n# environment\n${JSON.stringify(details)}\n${mismatch}\n# health check\n${JSON.stringify(health)}\n`;
    await finishEnvironmentBuild(deps.db, row.id, { status: "ready", fallback: result.fallback, buildLog: capLog(notes + result.log + healthText), health });
    deps.log.info({ repo: input.repo, image: tag, details, health }, "environment built");
    return { ok: true, plan, image: tag, environmentId: row.id, reused: false, fallback: result.fallback, health };
  } catch (err) {
    const reason = (err as Error).message;
    await finishEnvironmentBuild(deps.db, row.id, { status: "failed", failureClass: "infrastructure", failureReason: reason, buildLog: "" });
    throw err;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
