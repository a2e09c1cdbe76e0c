// What every step of a fix attempt needs on the machine it runs on: a clone of the repository
// (with the installation token), the environment image for the base commit, and the repository
// prepared at the base with no later history. Each job opens its own, so rollouts can run on
// any worker.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { prepareRepoAtBase } from "../../sandbox/git-history.js";
import { ensureEnvironment, type SandboxWorkDeps } from "../environment/ensure.js";
import type { EnvironmentPlan } from "../environment/types.js";
import { cloneBare, git } from "../git.js";
import type { InstallationOctokit } from "../github/probot.js";
import type { FixSettings } from "../repo-config.js";

export interface FixDeps extends SandboxWorkDeps {
  github(installationId: number): Promise<InstallationOctokit>;
}

/** The repository prepared for one fix job: clone, environment image, tree at the base. */
export interface FixCheckout {
  gh: InstallationOctokit;
  token: string;
  cloneUrl: string;
  defaultBranch: string;
  cloneDir: string;
  baseSha: string;
  image: string;
  plan: EnvironmentPlan;
  repoDir: string;
  repoHead: string;
  scratch: string;
  close(): Promise<void>;
}

export class CheckoutError extends Error {
  readonly code = "workspace_failed";
}

export async function openCheckout(deps: FixDeps, attempt: { id: number; repo: string; installationId: number | null; baseSha: string | null }, settings: FixSettings): Promise<FixCheckout> {
  if (!attempt.installationId) throw new CheckoutError(`attempt ${attempt.id} has no installation`);
  const [owner, repo] = attempt.repo.split("/") as [string, string];
  const gh = await deps.github(attempt.installationId);
  const { token } = (await gh.auth({ type: "installation" })) as { token: string };
  const { data: info } = await gh.rest.repos.get({ owner, repo });
  await mkdir(deps.workDir, { recursive: true });
  const scratch = await mkdtemp(path.join(deps.workDir, `fix-${attempt.id}-`));
  try {
    const cloneDir = path.join(scratch, "clone");
    await cloneBare(info.clone_url, cloneDir, token);
    const baseSha = attempt.baseSha ?? (await git(cloneDir, ["rev-parse", `refs/remotes/origin/${info.default_branch}`])).trim();
    const env = await ensureEnvironment(
      { db: deps.db, docker: deps.docker, baseImage: deps.baseImage, dataDir: scratch, cacheDir: deps.cacheDir, buildTimeoutMs: deps.buildTimeoutMs, limits: deps.limits, pipIndexUrl: deps.pipIndexUrl, log: deps.log },
      { repo: attempt.repo, cloneDir, commit: baseSha, overrides: settings.overrides },
    );
    if (!env.ok) throw new CheckoutError(env.reason);
    const repoDir = path.join(scratch, "base");
    const repoHead = await prepareRepoAtBase(cloneDir, baseSha, repoDir);
    return {
      gh,
      token,
      cloneUrl: info.clone_url,
      defaultBranch: info.default_branch,
      cloneDir,
      baseSha,
      image: env.image,
      plan: env.plan,
      repoDir,
      repoHead,
      scratch,
      close: () => rm(scratch, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}
