// The model of trajectory generation, resolved per job (src/fix/models.ts decides which): an
// explicitly configured teacher (LEGO_TEACHER_*), else the registry's promoted version, else the
// LEGO_POLICY_* settings. The rollout count per task, the turn cap and the budgets are
// LEGO_TRAJGEN_* whichever model serves.
import type OpenAI from "openai";
import type { Db } from "../../db/client.js";
import { type ModelVersion, promotedVersion } from "../../db/model-versions.js";
import type { ActionMode, Pricing } from "../agent/index.js";
import type { Config } from "../config.js";
import { type ClientFactory, cachedClients, type TrajgenSource, trajgenEndpoint } from "../fix/models.js";
import type { BudgetLimits } from "./budget.js";

export interface Teacher {
  client: OpenAI;
  model: string;
  mode: ActionMode;
  /** Which setting chose it: an explicit teacher, the promoted version, or LEGO_POLICY_*. */
  source: TrajgenSource;
  /** The registry version serving it (recorded on each rollout); null when the settings do. */
  version: { id: number; name: string } | null;
  /** Rollouts per newly validated task. */
  k: number;
  maxTurns: number;
  maxCostUsd: number;
  pricing: Pricing;
  budget: BudgetLimits;
}

/** Resolves trajgen's model for one job (or one enqueue, one sweep). */
export interface TeacherSource {
  /** Null when no teacher, no promoted version with an endpoint and no LEGO_POLICY_BASE_URL exist: no trajectories. */
  resolve(): Promise<Teacher | null>;
}

/** Pure but for the client: trajgen's model from the settings and the promoted version. */
export function teacherFrom(config: Config, promoted: Pick<ModelVersion, "id" | "name" | "endpoint" | "servedModel"> | null = null, client: ClientFactory = cachedClients()): Teacher | null {
  const e = trajgenEndpoint(config, promoted);
  if (!e) return null;
  return {
    // Retries are the agent's own, so they are recorded in the trajectory.
    client: client(e.baseURL, e.apiKey),
    model: e.model,
    mode: e.mode,
    source: e.source,
    version: e.version,
    k: config.LEGO_TRAJGEN_K,
    maxTurns: config.LEGO_TRAJGEN_MAX_TURNS,
    maxCostUsd: config.LEGO_TRAJGEN_MAX_COST_USD,
    pricing: e.pricing,
    budget: {
      rolloutsPerDay: config.LEGO_TRAJGEN_ROLLOUTS_PER_DAY,
      repoRolloutsPerDay: config.LEGO_TRAJGEN_REPO_ROLLOUTS_PER_DAY,
      costPerDayUsd: config.LEGO_TRAJGEN_COST_PER_DAY_USD,
      repoCostPerDayUsd: config.LEGO_TRAJGEN_REPO_COST_PER_DAY_USD,
    },
  };
}

/** Reads the registry on every resolve (an explicit teacher needs no query), so a promotion or rollback changes the next job. */
export function teacherSource(config: Config, db: Db): TeacherSource {
  const client = cachedClients();
  return { resolve: async () => teacherFrom(config, config.LEGO_TEACHER_BASE_URL ? null : await promotedVersion(db), client) };
}

/** A source that always answers the same teacher (or none). */
export function fixedTeacher(teacher: Teacher | null): TeacherSource {
  return { resolve: async () => teacher };
}
