// Queue `trajgen`: one teacher rollout on a validated task, graded with the task's tests exactly
// as `lego rollout` grades (src/fix/graded-rollout.ts), stored as a rollout + trajectory linked
// to the task. Budgets (rollouts and spend per 24 h, per repository and overall) are checked
// before the rollout starts; over budget, the job waits in BullMQ's delayed set until the window
// frees. Only infra errors (the sandbox, the clone, the teacher endpoint) are retried: a graded
// outcome is the teacher's behaviour and is kept as it is.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import type { Db } from "../db/client.js";
import { storeTaskRollout, updateRollout } from "../db/fixes.js";
import { doneRolloutOutcomes, getTask, setTaskDifficulty } from "../db/tasks.js";
import { getRolloutStatus, repoTrajgen, reserveRollout } from "../db/trajgen.js";
import type { SandboxWorkDeps } from "../src/environment/ensure.js";
import { gradedRollout } from "../src/fix/graded-rollout.js";
import type { Outcome } from "../src/fix/outcome.js";
import { cloneBare } from "../src/git.js";
import type { JobData, JobFailure } from "../src/queue.js";
import { rolloutDifficulty } from "../src/synthetic/difficulty.js";
import { toSweBench } from "../src/tasks/swebench.js";
import { BUDGET_WINDOW_MS, budgetVerdict, repositoryLimits } from "../src/trajgen/budget.js";
import type { Teacher, TeacherSource } from "../src/trajgen/teacher.js";

/** The GitHub calls a teacher rollout makes: an installation token and the clone URL. */
export interface TrajgenGitHub {
  auth(opts: { type: "installation" }): Promise<unknown>;
  rest: { repos: { get(p: { owner: string; repo: string }): Promise<{ data: { clone_url: string } }> } };
}

export interface TrajgenDeps extends SandboxWorkDeps {
  github(installationId: number): Promise<TrajgenGitHub>;
  /** Trajgen's model, resolved per job: an explicit teacher, else the promoted version, else LEGO_POLICY_*. */
  teacher: TeacherSource;
  /** Wall-clock limit of the test run that grades a patch. */
  testTimeoutMs: number;
  now?: () => Date;
}

export type TrajgenResult =
  | { status: "done"; rolloutId: string; outcome: Outcome; reason: string }
  | { status: "skipped"; rolloutId: string; reason: string }
  | { status: "over-budget"; rolloutId: string; reason: string; retryAt: Date };

export class TrajgenInfraError extends Error {
  readonly code = "trajgen_infra_error";
}

export async function processTrajgen(data: JobData["trajgen"], deps: TrajgenDeps): Promise<TrajgenResult> {
  const id = data.rolloutId;
  const task = await getTask(deps.db, data.instanceId);
  if (!task) throw new UnrecoverableError(`task ${data.instanceId} is not in the database; nothing to roll out`);
  if (task.status !== "valid") return { status: "skipped", rolloutId: id, reason: `task ${data.instanceId} is ${task.status}, not valid` };
  const t = await deps.teacher.resolve();
  if (!t) return { status: "skipped", rolloutId: id, reason: `no model makes trajectories now (no LEGO_TEACHER_BASE_URL, no promoted version with an endpoint, no LEGO_POLICY_BASE_URL)` };
  // The job is one rollout of one model (its id names the model). When another model serves now
  // (a teacher set or changed, a promotion, a rollback), it is skipped, not run under a foreign
  // id: the trajgen-sweep enqueues the current model's rollouts for the task.
  if (data.model !== t.model) return { status: "skipped", rolloutId: id, reason: `enqueued for ${data.model}, but trajgen is now served by ${describeTeacher(t)}; the trajgen-sweep enqueues its rollouts` };
  if ((await getRolloutStatus(deps.db, id))?.status === "done") return { status: "skipped", rolloutId: id, reason: `rollout ${id} is already stored` };
  // The repository's own settings as its .github/lego.yml was last read: they may have changed since the job was enqueued.
  const repoSettings = await repoTrajgen(deps.db, task.repo);
  if (repoSettings.k !== undefined && data.index >= repoSettings.k) {
    return { status: "skipped", rolloutId: id, reason: `${task.repo} asks for ${repoSettings.k} teacher rollout(s) per task (trajgen.k in .github/lego.yml); this is rollout ${data.index + 1}` };
  }

  const now = deps.now?.() ?? new Date();
  const limits = repositoryLimits(t.budget, repoSettings);
  const verdict = await reserveRollout(deps.db, { id, taskInstanceId: task.instanceId, repo: task.repo, index: data.index, model: data.model, modelVersionId: t.version?.id ?? null }, new Date(now.getTime() - BUDGET_WINDOW_MS), (usage) =>
    budgetVerdict(task.repo, usage, limits, now),
  );
  if (!verdict.ok) return { status: "over-budget", rolloutId: id, reason: verdict.reason, retryAt: verdict.retryAt };

  await mkdir(deps.workDir, { recursive: true });
  const scratch = await mkdtemp(path.join(deps.workDir, "trajgen-"));
  try {
    const graded = await gradedRollout(
      {
        docker: deps.docker,
        envDeps: { db: deps.db, docker: deps.docker, baseImage: deps.baseImage, dataDir: scratch, cacheDir: deps.cacheDir, buildTimeoutMs: deps.buildTimeoutMs, limits: deps.limits, log: deps.log },
        limits: deps.limits,
        testTimeoutMs: deps.testTimeoutMs,
        scratch,
        cloneOf: (repo) => cloneRepo(deps, data.installationId, repo, scratch),
      },
      toSweBench(task),
      id,
      { client: t.client, model: t.model, mode: t.mode, maxTurns: t.maxTurns, maxCostUsd: t.maxCostUsd, pricing: t.pricing },
    );
    const tr = graded.trajectory;
    // The teacher endpoint failing is ours to fix, like the sandbox: retried, never graded.
    if (graded.outcome === "infra-error" || tr.finishReason === "model-error") {
      const reason = graded.outcome === "infra-error" ? graded.outcomeReason : (tr.finishMessage ?? "the teacher endpoint failed");
      await updateRollout(deps.db, id, { status: "retrying", outcome: "infra-error", outcomeReason: reason, costUsd: tr.costUsd, promptTokens: tr.tokens.prompt, completionTokens: tr.tokens.completion, finishReason: tr.finishReason });
      throw new TrajgenInfraError(`rollout ${id}: ${reason}`);
    }
    const finishedAt = new Date();
    await storeTaskRollout(deps.db, task, {
      id,
      taskInstanceId: task.instanceId,
      index: data.index,
      model: data.model,
      modelVersionId: t.version?.id ?? null,
      outcome: graded.outcome,
      outcomeReason: graded.outcomeReason,
      patch: tr.patch,
      finishReason: tr.finishReason,
      turns: tr.turns,
      promptTokens: tr.tokens.prompt,
      completionTokens: tr.tokens.completion,
      costUsd: tr.costUsd,
      startedAt: new Date(finishedAt.getTime() - tr.durationMs),
      finishedAt,
      messages: tr.messages,
      steps: tr.steps,
    });
    const difficulty = await relabelDifficulty(deps.db, task.instanceId, data.model);
    deps.log.info({ rolloutId: id, model: t.model, source: t.source, version: t.version?.name, outcome: graded.outcome, turns: tr.turns, costUsd: tr.costUsd, difficulty }, "teacher rollout stored");
    return { status: "done", rolloutId: id, outcome: graded.outcome, reason: graded.outcomeReason };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Once enough of the task's rollouts by this model are graded, its solve rate replaces the a-priori
 * difficulty label (src/synthetic/difficulty.ts); with too few, the label stays. Returns the new label.
 */
export async function relabelDifficulty(db: Db, instanceId: string, model: string): Promise<string | null> {
  const label = rolloutDifficulty(await doneRolloutOutcomes(db, instanceId, model));
  if (label) await setTaskDifficulty(db, instanceId, label);
  return label;
}

function describeTeacher(t: Teacher): string {
  if (t.source === "teacher") return `the teacher ${t.model} (LEGO_TEACHER_MODEL)`;
  if (t.version) return `${t.model}, promoted version ${t.version.name}`;
  return `${t.model} (LEGO_POLICY_MODEL)`;
}

async function cloneRepo(deps: TrajgenDeps, installationId: number, repo: string, scratch: string): Promise<string> {
  const [owner, name] = repo.split("/") as [string, string];
  const gh = await deps.github(installationId);
  // The API call first, as in GitHubSource.clone: it mints and caches the token via the client's base URL.
  const { data } = await gh.rest.repos.get({ owner, repo: name });
  const { token } = (await gh.auth({ type: "installation" })) as { token: string };
  const dest = path.join(scratch, "clone");
  await cloneBare(data.clone_url, dest, token);
  return dest;
}

/** The queue's processor: an over-budget job goes back to BullMQ's delayed set (no attempt used). */
export function trajgenProcessor(deps: TrajgenDeps): (data: JobData["trajgen"], job: Job<JobData["trajgen"]>) => Promise<TrajgenResult> {
  return async (data, job) => {
    const result = await processTrajgen(data, deps);
    if (result.status === "over-budget") {
      deps.log.info({ rolloutId: result.rolloutId, until: result.retryAt.toISOString() }, `trajgen waits: ${result.reason}`);
      await job.moveToDelayed(result.retryAt.getTime(), job.token);
      throw new DelayedError();
    }
    if (result.status === "skipped") deps.log.info({ rolloutId: result.rolloutId }, result.reason);
    return result;
  };
}

/** Final failure (infra errors every attempt): the rollout row says why; no trajectory is kept. */
export async function trajgenFailed(data: JobData["trajgen"], failure: JobFailure, deps: { db: Db }): Promise<void> {
  await updateRollout(deps.db, data.rolloutId, {
    status: "failed",
    outcome: "infra-error",
    outcomeReason: `trajgen gave up after ${failure.attempts} attempt(s): ${failure.error.message.slice(0, 1000)}`,
    finishedAt: new Date(),
  });
}
