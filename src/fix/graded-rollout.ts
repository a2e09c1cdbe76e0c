// One agent rollout on a validated task, graded with the task's tests: resolved, semi-resolved,
// unresolved, cheated, or infra-error (the sandbox failed: never counted against the model).
// `lego rollout` and the trajgen queue both run rollouts through this, so a trajectory is graded
// the same way wherever it was made.
import { rm } from "node:fs/promises";
import path from "node:path";
import type Docker from "dockerode";
import type { SandboxLimits } from "../../sandbox/limits.js";
import type { AgentOptions, Trajectory } from "../agent/index.js";
import { ensureEnvironment, type EnvironmentDeps } from "../environment/ensure.js";
import type { TaskInstance } from "../tasks/swebench.js";
import { prepareTaskRepo } from "../tasks/task-repo.js";
import { evaluatePatch } from "../validation/evaluate.js";
import { isCheating } from "../validation/cheating.js";
import { changedPaths } from "../diff/index.js";
import { classifyOutcome, type Outcome } from "./outcome.js";
import { runRollout } from "./rollout-runner.js";

export interface GradingDeps {
  docker: Docker;
  envDeps: EnvironmentDeps;
  limits: Partial<SandboxLimits>;
  /** Wall-clock limit of the test run that grades the patch. */
  testTimeoutMs: number;
  /** Where the repository is checked out for the rollout (removed afterwards). */
  scratch: string;
  /** A clone of the task's repository. */
  cloneOf(repo: string): Promise<string>;
}

export interface GradedRollout {
  trajectory: Trajectory;
  outcome: Outcome;
  outcomeReason: string;
}

/** A rollout id that is the same for the same task, model and index: reruns replace, never duplicate. */
export function rolloutIdFor(instanceId: string, model: string, index: number): string {
  return `${instanceId}-${model}-r${index}`.replace(/[^A-Za-z0-9._-]/g, "_");
}

export async function gradedRollout(deps: GradingDeps, task: TaskInstance, rolloutId: string, agent: AgentOptions): Promise<GradedRollout> {
  const repoDir = path.join(deps.scratch, `rollout-${rolloutId}`);
  try {
    const clone = await deps.cloneOf(task.repo);
    const env = await ensureEnvironment(deps.envDeps, { repo: task.repo, cloneDir: clone, commit: task.base_commit });
    if (!env.ok) return infraError(env.reason, agent);
    const head = await prepareTaskRepo(clone, { kind: task.kind, baseCommit: task.base_commit, bugPatch: task.bug_patch }, repoDir);
    const trajectory = await runRollout(
      { docker: deps.docker, image: env.image, repoDir, repoHead: head, singleCommit: task.kind === "synthetic", limits: deps.limits, labels: { "org.legofactory.rollout": rolloutId } },
      task.problem_statement,
      { ...agent, user: rolloutId },
    );
    if (trajectory.finishReason === "sandbox-error") return { trajectory, outcome: "infra-error", outcomeReason: trajectory.finishMessage ?? "the sandbox failed" };
    const edited = changedPaths(trajectory.patch);
    const cheating = isCheating(edited, trajectory.patch);
    const evaluation =
      cheating.cheated || !trajectory.patch.trim()
        ? null
        : await evaluatePatch(
            { testPatch: task.test_patch, failToPass: task.FAIL_TO_PASS, passToPass: task.PASS_TO_PASS },
            trajectory.patch,
            { docker: deps.docker, image: env.image, plan: env.plan, repoDir, repoHead: head, singleCommit: task.kind === "synthetic", scope: "touched", timeoutMs: deps.testTimeoutMs, limits: deps.limits },
          );
    const infra = evaluation && !evaluation.valid && !/does not apply/.test(evaluation.reason ?? "") ? (evaluation.reason ?? "the test run proved nothing") : undefined;
    const outcome = classifyOutcome({
      grade: evaluation?.grade ? { resolved: evaluation.resolved, valid: evaluation.valid } : null,
      editedFiles: edited,
      goldFiles: changedPaths(task.patch),
      cheating: evaluation?.cheated ? { cheated: true, reason: evaluation.cheated } : cheating,
      ...(infra ? { infraError: infra } : {}),
    });
    // A patch that hangs the suite failed on its own account, whatever the grade says.
    if (evaluation?.patchTimeout) return { trajectory, outcome: "unresolved", outcomeReason: evaluation.patchTimeout };
    return { trajectory, outcome: outcome.outcome, outcomeReason: trajectory.patch.trim() ? outcome.reason : `no patch (${trajectory.finishReason})` };
  } catch (e) {
    return infraError((e as Error).message, agent);
  } finally {
    await rm(repoDir, { recursive: true, force: true });
  }
}

function infraError(reason: string, agent: AgentOptions): GradedRollout {
  return {
    outcome: "infra-error",
    outcomeReason: reason,
    trajectory: {
      messages: [],
      steps: [],
      patch: "",
      finishReason: "sandbox-error",
      turns: 0,
      tokens: { prompt: 0, completion: 0 },
      costUsd: 0,
      durationMs: 0,
      mode: agent.mode,
      model: agent.model,
      baseCommit: null,
      condensations: [],
      modelRetries: [],
    },
  };
}
