// What the exporters read, wherever it comes from (the database in batches, or `lego rollout` and
// `lego validate` files): one task at a time with its rollouts, so a task's trajectories can be
// compared and memory holds one task's worth.
import type { RolloutOutcome } from "../db/schema.js";
import type { Signal } from "./verifier-labels.js";

export interface ExportTask {
  instanceId: string;
  repo: string;
  /** `fix`: the issue of a fix attempt, judged by maintainers rather than by tests. */
  kind: "real" | "synthetic" | "fix";
  pullNumber: number | null;
  /** The gold patch ("" for a fix attempt). */
  patch: string;
  failToPass: string[];
  passToPass: string[];
  problemStatement: string;
}

export interface ExportRollout {
  rolloutId: string;
  model: string;
  outcome: RolloutOutcome | null;
  createdAt: Date | null;
  /** The rollout's final patch. */
  patch: string;
  /** As stored, checked by the exporter; null when the source did not load it (not needed). */
  trajectory: { messages: unknown; steps: unknown; mode?: unknown } | null;
  /** Maintainer signals on the fix PR this rollout became. */
  signals: Signal[];
  /** Set by a source that could not read the record: why. */
  corrupt?: string;
}

export interface TaskGroup {
  task: ExportTask;
  rollouts: ExportRollout[];
}

export type ExportSource = AsyncIterable<TaskGroup>;

/** A bad input item, reported with what it is and why, while the export goes on. */
export interface Problem {
  task: string;
  rollout?: string;
  reason: string;
  detail: string;
}

/** Counts by key, in first-seen order. */
export class Tally {
  readonly counts: Record<string, number> = {};

  add(key: string, n = 1): void {
    this.counts[key] = (this.counts[key] ?? 0) + n;
  }
}

/** What every export's manifest says about where its data came from. */
export class Provenance {
  readonly tasks = new Set<string>();
  readonly rollouts: string[] = [];
  readonly models = new Set<string>();
  private from: Date | null = null;
  private to: Date | null = null;

  include(task: ExportTask, rollout: ExportRollout): void {
    this.tasks.add(task.instanceId);
    this.rollouts.push(rollout.rolloutId);
    this.models.add(rollout.model);
    const at = rollout.createdAt;
    if (at) {
      if (!this.from || at < this.from) this.from = at;
      if (!this.to || at > this.to) this.to = at;
    }
  }

  toJSON(): Record<string, unknown> {
    return {
      task_ids: [...this.tasks],
      rollout_ids: this.rollouts,
      models: [...this.models].sort(),
      time_window: { from: this.from?.toISOString() ?? null, to: this.to?.toISOString() ?? null },
    };
  }
}
