// The teacher of trajectory generation: any OpenAI-compatible endpoint, configured apart from
// the policy that writes fixes, with the rollout count per task, the turn cap and the budgets.
import OpenAI from "openai";
import type { ActionMode, Pricing } from "../agent/index.js";
import type { Config } from "../config.js";
import type { BudgetLimits } from "./budget.js";

export interface Teacher {
  client: OpenAI;
  model: string;
  mode: ActionMode;
  /** Rollouts per newly validated task. */
  k: number;
  maxTurns: number;
  maxCostUsd: number;
  pricing: Pricing;
  budget: BudgetLimits;
}

/** Null when no teacher endpoint is configured: validated tasks then get no trajectories. */
export function teacherFrom(config: Config): Teacher | null {
  if (!config.LEGO_TEACHER_BASE_URL) return null;
  return {
    // Retries are the agent's own, so they are recorded in the trajectory.
    client: new OpenAI({ baseURL: config.LEGO_TEACHER_BASE_URL, apiKey: config.LEGO_TEACHER_API_KEY ?? "unused", maxRetries: 0, timeout: 600_000 }),
    model: config.LEGO_TEACHER_MODEL,
    mode: config.LEGO_TEACHER_MODE,
    k: config.LEGO_TRAJGEN_K,
    maxTurns: config.LEGO_TRAJGEN_MAX_TURNS,
    maxCostUsd: config.LEGO_TRAJGEN_MAX_COST_USD,
    pricing: { promptPerMTok: config.LEGO_TEACHER_PRICE_PROMPT_PER_MTOK, completionPerMTok: config.LEGO_TEACHER_PRICE_COMPLETION_PER_MTOK },
    budget: {
      rolloutsPerDay: config.LEGO_TRAJGEN_ROLLOUTS_PER_DAY,
      repoRolloutsPerDay: config.LEGO_TRAJGEN_REPO_ROLLOUTS_PER_DAY,
      costPerDayUsd: config.LEGO_TRAJGEN_COST_PER_DAY_USD,
      repoCostPerDayUsd: config.LEGO_TRAJGEN_REPO_COST_PER_DAY_USD,
    },
  };
}
