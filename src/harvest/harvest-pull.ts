// A merged PR → a task row (harvestPull), and a candidate → a validated (or invalid) task
// (validateCandidate): the repository's environment, then NOP and Oracle runs in sandboxes.
// Every way this can fail ends as an invalid row with the reason.
import { rm } from "node:fs/promises";
import path from "node:path";
import type { TaskRow } from "../../db/tasks.js";
import type { SandboxLimits } from "../../sandbox/limits.js";
import { type EnvironmentDeps, ensureEnvironment } from "../environment/ensure.js";
import { healthNote } from "../environment/health.js";
import type { HarvestSettings, SandboxOverrides } from "../repo-config.js";
import { prepareTaskRepo } from "../tasks/task-repo.js";
import { validateTask } from "../validation/validate.js";
import { harvestCandidate } from "./candidate.js";
import type { HarvestSource } from "./source.js";

export interface ValidationSettings {
  runs: number;
  scope: "touched" | "all";
  timeoutMs: number;
  limits?: Partial<SandboxLimits>;
}

export async function validateCandidate(
  row: TaskRow,
  cloneDir: string,
  deps: EnvironmentDeps,
  settings: ValidationSettings,
  overrides: SandboxOverrides = {},
): Promise<TaskRow> {
  const invalid = (statusReason: string, extra: Partial<TaskRow> = {}): TaskRow => ({ ...row, ...extra, status: "invalid", statusReason });
  const env = await ensureEnvironment(deps, { repo: row.repo, cloneDir, commit: row.baseCommit, overrides });
  if (!env.ok) return invalid(env.reason, { environmentId: env.environmentId });
  const repoDir = path.join(deps.dataDir, `task-${row.instanceId}-${process.pid}`);
  try {
    const head = await prepareTaskRepo(cloneDir, row, repoDir);
    const result = await validateTask(
      { patch: row.patch ?? "", testPatch: row.testPatch ?? "" },
      { docker: deps.docker, image: env.image, plan: env.plan, repoDir, repoHead: head, singleCommit: row.kind === "synthetic", runs: settings.runs, scope: settings.scope, timeoutMs: settings.timeoutMs, ...(settings.limits ? { limits: settings.limits } : {}), labels: { "org.legofactory.task": row.instanceId } },
    );
    const fields: Partial<TaskRow> = {
      language: env.plan.language,
      // SWE-bench's `version` groups tasks that share an environment: ours is the image key.
      version: env.image.split(":").pop() ?? null,
      image: env.image,
      install: env.plan.install,
      testCmd: result.command,
      environmentId: env.environmentId,
      failToPass: result.failToPass,
      passToPass: result.passToPass,
      evidence: { environment: { reused: env.reused, fallback: env.fallback, ...(env.plan.directRun ? { directRun: env.plan.directRun } : {}) }, flaky: result.flaky, runs: result.runs, testStatuses: result.testStatuses, timings: result.timings },
    };
    if (result.valid) return { ...row, ...fields, status: "valid", statusReason: null };
    // A run that shows no sign of the suite, no test in it, or a runner that crashed before writing
    // its report quotes what the image's health check saw: the cause, once, and what to set.
    const reason = result.reason ?? "invalid";
    return invalid(/no evidence that the test suite ran|^no test results|wrote no structured report/.test(reason) ? `${reason}${healthNote(env.health)}` : reason, fields);
  } finally {
    await rm(repoDir, { recursive: true, force: true });
  }
}

/**
 * One merged PR end to end, as both the harvest worker and `lego harvest` run it: the candidate,
 * then (when asked and when it qualifies) its validation. `onValidating` sees the candidate first.
 */
export async function harvestPull(
  source: HarvestSource,
  pullNumber: number,
  settings: HarvestSettings,
  opts: { scratch: string; envDeps: EnvironmentDeps; limits?: Partial<SandboxLimits>; validate: boolean; onValidating?(row: TaskRow): Promise<void> },
): Promise<TaskRow> {
  const candidate = await harvestCandidate(source, pullNumber, { rules: settings, scratch: opts.scratch });
  if (!opts.validate || candidate.row.status !== "candidate" || !candidate.cloneDir) return candidate.row;
  await opts.onValidating?.(candidate.row);
  return validateCandidate(
    candidate.row,
    candidate.cloneDir,
    opts.envDeps,
    { runs: settings.runs, scope: settings.scope, timeoutMs: settings.timeoutSec * 1000, ...(opts.limits ? { limits: opts.limits } : {}) },
    settings.overrides,
  );
}
