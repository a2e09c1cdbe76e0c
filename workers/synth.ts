// Queue `synth`: after an environment build, one repository snapshot → synthetic tasks, within
// the repository's budget from .github/lego.yml (synth.perSnapshot valid tasks, synth.maxCandidates
// per strategy). Every candidate is stored with its verdict; valid ones go on to trajgen.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { realIssueExamples, upsertTask, validSyntheticTasks } from "../db/tasks.js";
import type { SandboxWorkDeps } from "../src/environment/ensure.js";
import { GitHubSource, type HarvestGitHub } from "../src/harvest/github-source.js";
import type { JobData, JobFailure } from "../src/queue.js";
import { defaultRepoConfig, harvestSettings } from "../src/repo-config.js";
import { bugFile } from "../src/synthetic/stored.js";
import { synthesize } from "../src/synthetic/synthesize.js";
import type { Writer } from "../src/synthetic/types.js";

export interface SynthDeps extends SandboxWorkDeps {
  github(installationId: number): Promise<HarvestGitHub>;
  writer: Writer | null;
  onValidated?(task: { instanceId: string; repo: string }, installationId: number): Promise<void>;
}

export interface SynthJobResult {
  valid: number;
  candidates: number;
  error: string | null;
}

export async function processSynth(data: JobData["synth"], deps: SynthDeps): Promise<SynthJobResult> {
  const s = data.settings;
  const source = new GitHubSource(data.repo, await deps.github(data.installationId), harvestSettings(defaultRepoConfig));
  await mkdir(deps.workDir, { recursive: true });
  const scratch = await mkdtemp(path.join(deps.workDir, "synth-"));
  try {
    const clone = await source.clone(scratch);
    const earlier = await validSyntheticTasks(deps.db, data.repo, data.commit);
    const budget = s.perSnapshot - earlier.length;
    if (budget <= 0) return { valid: 0, candidates: 0, error: `the snapshot already has ${earlier.length} valid synthetic task(s) (synth.perSnapshot is ${s.perSnapshot})` };
    const report = await synthesize(
      {
        envDeps: { db: deps.db, docker: deps.docker, baseImage: deps.baseImage, dataDir: scratch, cacheDir: deps.cacheDir, buildTimeoutMs: deps.buildTimeoutMs, limits: deps.limits, pipIndexUrl: deps.pipIndexUrl, log: deps.log },
        db: deps.db,
        scratch,
        async onOutcome(o) {
          if (!("row" in o)) return;
          await upsertTask(deps.db, o.row);
          if (o.row.status === "valid" && deps.onValidated) await deps.onValidated({ instanceId: o.row.instanceId, repo: o.row.repo }, data.installationId);
        },
      },
      { repo: data.repo, cloneDir: clone, commit: data.commit, overrides: s.overrides },
      {
        strategies: s.strategies,
        max: budget,
        maxCandidates: s.maxCandidates,
        group: s.group,
        seed: 1,
        runs: s.runs,
        timeoutMs: s.timeoutSec * 1000,
        validation: "coverage",
        writer: deps.writer,
        examples: await realIssueExamples(deps.db, data.repo),
        validated: earlier.flatMap((t) => (t.bugPatch ? [{ instanceId: t.instanceId, file: bugFile(t.bugPatch), bugPatch: t.bugPatch, failToPass: t.failToPass }] : [])),
      },
    );
    const valid = report.outcomes.filter((o) => o.row.status === "valid").length;
    deps.log.info({ repo: data.repo, commit: data.commit, valid, candidates: report.outcomes.length, error: report.error, summary: report.summary }, "synth finished");
    return { valid, candidates: report.outcomes.length, error: report.error };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Final failure: nothing to mark (candidates already stored keep their verdicts); the log says why. */
export async function synthFailed(data: JobData["synth"], failure: JobFailure, deps: { log: SandboxWorkDeps["log"] }): Promise<void> {
  deps.log.warn({ repo: data.repo, commit: data.commit, attempts: failure.attempts, err: failure.error.message }, "synth failed for good");
}
