// One rollout: a fresh container from the environment image (network off, limits on), the
// repository at the base with no later history (checked), the agent, the trajectory.
import type Docker from "dockerode";
import { type AgentOptions, runAgent, type Trajectory } from "../agent/index.js";
import { Sandbox } from "../../sandbox/container.js";
import { checkNoFutureHistory } from "../../sandbox/git-history.js";
import { applyCodeState } from "../../sandbox/images.js";
import type { SandboxLimits } from "../../sandbox/limits.js";

export interface RolloutEnv {
  docker: Docker;
  image: string;
  repoDir: string;
  repoHead: string;
  limits?: Partial<SandboxLimits>;
  labels?: Record<string, string>;
  /** Synthetic tasks: the repository must be one commit (the buggy tree). */
  singleCommit?: boolean;
}

export class RolloutSandboxError extends Error {
  readonly code = "rollout_sandbox_failed";
}

/** `instructions`: LegoFactory's own, after the task (see buildUserMessage). */
export async function runRollout(env: RolloutEnv, problemStatement: string, agent: AgentOptions, instructions?: string): Promise<Trajectory> {
  let sandbox: Sandbox;
  try {
    sandbox = await Sandbox.create(env.docker, { image: env.image, limits: { ...env.limits, network: false }, labels: { "org.legofactory.role": "rollout", ...env.labels }, workdir: "/repo" });
  } catch (err) {
    throw new RolloutSandboxError(`could not start the rollout sandbox: ${(err as Error).message}`);
  }
  try {
    await applyCodeState(sandbox, env.repoDir);
    const history = await checkNoFutureHistory(sandbox, "/repo", env.repoHead, env.singleCommit);
    if (!history.ok) throw new RolloutSandboxError(`the rollout sandbox holds history from after the base commit: ${history.problems.join("; ")}`);
    return await runAgent(sandbox, { problemStatement, repoDir: "/repo", ...(instructions ? { instructions } : {}) }, agent);
  } finally {
    await sandbox.destroy();
  }
}
