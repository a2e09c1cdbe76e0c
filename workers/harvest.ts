// Queue `harvest`: a merged PR → a validated task instance. Reads the PR and its linked
// issues from GitHub, builds the candidate (base commit, patch / test_patch), then validates it
// in sandboxes from the repository's environment image. Every outcome is a row with a reason.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import type { Db } from "../db/client.js";
import { markTaskFailed, upsertTask, type TaskRow } from "../db/tasks.js";
import type { SandboxWorkDeps } from "../src/environment/ensure.js";
import { GitHubSource, type HarvestGitHub } from "../src/harvest/github-source.js";
import { instanceIdFor } from "../src/harvest/candidate.js";
import { harvestPull } from "../src/harvest/harvest-pull.js";
import type { JobData, JobFailure } from "../src/queue.js";
import { synthJobAfterHarvest } from "../src/synthetic/enqueue.js";
import { defaultRepoConfig, type HarvestSettings, harvestSettings, type SynthSettings } from "../src/repo-config.js";


export interface HarvestDeps extends SandboxWorkDeps {
  github(installationId: number): Promise<HarvestGitHub>;
  /** A task just became valid: its teacher rollouts are enqueued here (src/trajgen/enqueue.ts). */
  onValidated?(task: { instanceId: string; repo: string }, installationId: number): Promise<void>;
  /** A task's environment was just built (not reused) and the repository has synth on. */
  onEnvironmentBuilt?(snapshot: { repo: string; commit: string }, settings: SynthSettings, installationId: number): Promise<void>;
}

const defaultSettings: HarvestSettings = harvestSettings(defaultRepoConfig);

export async function processHarvest(data: JobData["harvest"], deps: HarvestDeps): Promise<TaskRow> {
  const settings = data.settings ?? defaultSettings;
  const source = new GitHubSource(data.repo, await deps.github(data.installationId), settings);
  await mkdir(deps.workDir, { recursive: true });
  const scratch = await mkdtemp(path.join(deps.workDir, "harvest-"));
  try {
    const row = await harvestPull(source, data.pullNumber, settings, {
      scratch,
      envDeps: { db: deps.db, docker: deps.docker, baseImage: deps.baseImage, dataDir: scratch, cacheDir: deps.cacheDir, buildTimeoutMs: deps.buildTimeoutMs, limits: deps.limits, pipIndexUrl: deps.pipIndexUrl, log: deps.log },
      limits: deps.limits,
      validate: true,
      onValidating: (candidate) => upsertTask(deps.db, { ...candidate, status: "validating" }),
    });
    await upsertTask(deps.db, row);
    // After the row is stored, so a trajgen job always finds its task. If enqueueing fails, the
    // harvest job fails and its retry enqueues again (job ids are deterministic).
    if (row.status === "valid" && deps.onValidated) await deps.onValidated({ instanceId: row.instanceId, repo: row.repo }, data.installationId);
    const synth = synthJobAfterHarvest(row, settings.synth, data.installationId);
    if (synth && deps.onEnvironmentBuilt) await deps.onEnvironmentBuilt({ repo: synth.data.repo, commit: synth.data.commit }, synth.data.settings, data.installationId);
    deps.log.info({ instanceId: row.instanceId, status: row.status, reason: row.statusReason, f2p: row.failToPass?.length }, "harvest recorded");
    return row;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Final failure: the task keeps the reason; a later harvest of the same PR overwrites it. */
export async function harvestFailed(data: JobData["harvest"], failure: JobFailure, deps: { db: Db }): Promise<void> {
  const row = { instanceId: instanceIdFor(data.repo, data.pullNumber), repo: data.repo, pullNumber: data.pullNumber };
  await markTaskFailed(deps.db, row, `harvest failed after ${failure.attempts} attempt(s): ${failure.error.message.slice(0, 1000)}`);
}
