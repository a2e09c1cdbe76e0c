// Decontamination: tasks held out for evaluation never reach a training export. A task is held
// out when its instance id, its repository and PR number, or its normalised gold patch matches a
// held-out entry, or when its whole repository is held out. Pure.

export interface HoldoutEntry {
  instanceId: string | null;
  /** owner/name. */
  repo: string | null;
  pullNumber: number | null;
  patchHash: string | null;
  /** Every task of `repo` is held out. */
  wholeRepo: boolean;
}

export interface TaskKeys {
  instanceId: string;
  repo: string;
  /** A real task's PR; a synthetic task has none. */
  pullNumber: number | null;
  patchHash: string | null;
}

export const HOLDOUT_REASONS = ["holdout:instance-id", "holdout:repo-pr", "holdout:patch-hash", "holdout:repo"] as const;
export type HoldoutReason = (typeof HOLDOUT_REASONS)[number];

// SWE-bench's ids are `owner__name-PR`, as LegoFactory's own harvested ones are.
const SWE_BENCH_ID = /^([A-Za-z0-9-]+)__([A-Za-z0-9._-]+)-(\d+)$/;

/** The repository and PR number a SWE-bench-style instance id names, or null. */
export function parseInstanceId(instanceId: string): { repo: string; pullNumber: number } | null {
  const match = SWE_BENCH_ID.exec(instanceId.trim());
  if (!match) return null;
  return { repo: `${match[1]}/${match[2]}`, pullNumber: Number(match[3]) };
}

/** GitHub names are case-insensitive. */
const repoKey = (repo: string) => repo.toLowerCase();

export class HoldoutIndex {
  private readonly ids = new Set<string>();
  private readonly repoPrs = new Set<string>();
  private readonly hashes = new Set<string>();
  private readonly repos = new Set<string>();

  constructor(entries: Iterable<HoldoutEntry>) {
    for (const e of entries) {
      if (e.wholeRepo && e.repo) this.repos.add(repoKey(e.repo));
      if (e.instanceId) this.ids.add(e.instanceId);
      if (e.repo && e.pullNumber !== null) this.repoPrs.add(`${repoKey(e.repo)}#${e.pullNumber}`);
      if (e.patchHash) this.hashes.add(e.patchHash);
    }
  }

  get size(): number {
    return this.ids.size + this.repoPrs.size + this.hashes.size + this.repos.size;
  }

  /** Why the task is held out, or null. */
  match(task: TaskKeys): HoldoutReason | null {
    if (this.ids.has(task.instanceId)) return "holdout:instance-id";
    if (this.repos.has(repoKey(task.repo))) return "holdout:repo";
    if (task.pullNumber !== null && this.repoPrs.has(`${repoKey(task.repo)}#${task.pullNumber}`)) return "holdout:repo-pr";
    if (task.patchHash && this.hashes.has(task.patchHash)) return "holdout:patch-hash";
    return null;
  }
}
