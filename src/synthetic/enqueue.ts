// When a snapshot gets a synth job: a harvested task whose environment was just built (not reused)
// on a repository with synth on (.github/lego.yml synth.enabled). One job per snapshot: the job id
// names repository and commit, so a second build of the same snapshot enqueues nothing new.
import { type JobData, jobId } from "../queue.js";
import type { SynthSettings } from "../repo-config.js";

export function synthJob(snapshot: { repo: string; commit: string }, settings: SynthSettings, installationId: number): { id: string; data: JobData["synth"] } {
  return { id: jobId("synth", snapshot.repo, snapshot.commit), data: { installationId, repo: snapshot.repo, commit: snapshot.commit, settings } };
}

/** Pure: the synth job a stored harvest row calls for, or null (synth off, no environment, or one reused). */
export function synthJobAfterHarvest(
  row: { repo: string; baseCommit: string; environmentId?: number | null; evidence?: unknown },
  settings: SynthSettings | null | undefined,
  installationId: number,
): { id: string; data: JobData["synth"] } | null {
  const environment = (row.evidence as { environment?: { reused?: boolean } } | null | undefined)?.environment;
  if (!settings || !row.environmentId || environment?.reused !== false) return null;
  return synthJob({ repo: row.repo, commit: row.baseCommit }, settings, installationId);
}
