// The model endpoints a fix uses: the policy (agent) and the verifier, each any
// OpenAI-compatible server (vLLM / SGLang serving SWE-Lego models, or a hosted API). The policy is
// the registry's promoted version, read per job, so a promotion or a rollback changes the next
// rollout without a restart; with none promoted, the LEGO_POLICY_* settings. Trajectory
// generation (src/trajgen/teacher.ts) resolves its model here too: an explicit teacher, else the
// same policy.
import OpenAI from "openai";
import type { Db } from "../../db/client.js";
import { type ModelVersion, promotedVersion } from "../../db/model-versions.js";
import type { ActionMode, Pricing } from "../agent/index.js";
import type { Config } from "../config.js";

export interface PolicyModel {
  client: OpenAI;
  model: string;
  mode: ActionMode;
  baseURL: string;
  /** The registry version serving it; null when the LEGO_POLICY_* settings do. */
  version: { id: number; name: string } | null;
}

export interface Models {
  policy: PolicyModel;
  verifier: { client: OpenAI; model: string };
  maxTurns: number;
  maxCostUsd: number;
  pricing: Pricing;
}

/** Resolves the models for one job. */
export interface ModelSource {
  /** Null when neither a promoted version nor LEGO_POLICY_BASE_URL exists: fixes are refused with an explanation. */
  resolve(): Promise<Models | null>;
}

export const NO_POLICY_MESSAGE =
  "LegoFactory has no policy model: promote a served version (`lego models add NAME --endpoint URL`, then `lego models promote NAME`) or set `LEGO_POLICY_BASE_URL`.";

export type ClientFactory = (baseURL: string, apiKey: string | undefined) => OpenAI;

type Promoted = Pick<ModelVersion, "id" | "name" | "endpoint" | "servedModel">;

/** One OpenAI-compatible endpoint and how it is asked, before a client exists. */
export interface Endpoint {
  baseURL: string;
  apiKey: string | undefined;
  model: string;
  mode: ActionMode;
  /** The registry version serving it; null when the settings do. */
  version: { id: number; name: string } | null;
}

/** Pure: the policy endpoint: the promoted version when it has an endpoint, else LEGO_POLICY_*, else none. */
export function policyEndpoint(config: Config, promoted: Promoted | null): Endpoint | null {
  const served = promoted?.endpoint ? promoted : null;
  const baseURL = served?.endpoint ?? config.LEGO_POLICY_BASE_URL;
  if (!baseURL) return null;
  return {
    baseURL,
    apiKey: config.LEGO_POLICY_API_KEY,
    model: served ? (served.servedModel ?? served.name) : config.LEGO_POLICY_MODEL,
    mode: config.LEGO_POLICY_MODE,
    version: served ? { id: served.id, name: served.name } : null,
  };
}

/** Where trajgen's rollouts come from: an explicit teacher, the promoted version, or the LEGO_POLICY_* settings. */
export type TrajgenSource = "teacher" | "registry" | "policy";

/**
 * Pure: the model that makes trajgen's rollouts. An explicitly configured teacher
 * (LEGO_TEACHER_BASE_URL) wins: distillation from a stronger model than the one being trained.
 * Otherwise the policy, exactly as a fix resolves it (the promoted version, else LEGO_POLICY_*),
 * priced at LEGO_PRICE_*; none of them: no trajectory generation.
 */
export function trajgenEndpoint(config: Config, promoted: Promoted | null): (Endpoint & { source: TrajgenSource; pricing: Pricing }) | null {
  if (config.LEGO_TEACHER_BASE_URL) {
    return {
      source: "teacher",
      baseURL: config.LEGO_TEACHER_BASE_URL,
      apiKey: config.LEGO_TEACHER_API_KEY,
      model: config.LEGO_TEACHER_MODEL,
      mode: config.LEGO_TEACHER_MODE,
      version: null,
      pricing: { promptPerMTok: config.LEGO_TEACHER_PRICE_PROMPT_PER_MTOK, completionPerMTok: config.LEGO_TEACHER_PRICE_COMPLETION_PER_MTOK },
    };
  }
  const policy = policyEndpoint(config, promoted);
  if (!policy) return null;
  return { ...policy, source: policy.version ? "registry" : "policy", pricing: policyPricing(config) };
}

function policyPricing(config: Config): Pricing {
  return { promptPerMTok: config.LEGO_PRICE_PROMPT_PER_MTOK, completionPerMTok: config.LEGO_PRICE_COMPLETION_PER_MTOK };
}

/** Pure: which endpoints serve this job, from the settings and the promoted version. */
export function modelsFrom(config: Config, promoted: Promoted | null = null, client: ClientFactory = newClient): Models | null {
  const policy = policyEndpoint(config, promoted);
  if (!policy) return null;
  const verifierUrl = config.LEGO_VERIFIER_BASE_URL ?? config.LEGO_POLICY_BASE_URL ?? policy.baseURL;
  return {
    policy: { client: client(policy.baseURL, policy.apiKey), model: policy.model, mode: policy.mode, baseURL: policy.baseURL, version: policy.version },
    verifier: { client: client(verifierUrl, config.LEGO_VERIFIER_API_KEY ?? config.LEGO_POLICY_API_KEY), model: config.LEGO_VERIFIER_MODEL },
    maxTurns: config.LEGO_AGENT_MAX_TURNS,
    maxCostUsd: config.LEGO_AGENT_MAX_COST_USD,
    pricing: policyPricing(config),
  };
}

/** A model client with this program's time-out; retries are the agent's and the verifier's own, so they can be recorded. */
export function newClient(baseURL: string, apiKey: string | undefined): OpenAI {
  return new OpenAI({ baseURL, apiKey: apiKey ?? "unused", maxRetries: 0, timeout: 600_000 });
}

/** One client per endpoint and key, kept for the life of the process. */
export function cachedClients(): ClientFactory {
  const clients = new Map<string, OpenAI>();
  return (baseURL, apiKey) => {
    const key = `${baseURL}\u0000${apiKey ?? ""}`;
    let c = clients.get(key);
    if (!c) {
      c = newClient(baseURL, apiKey);
      clients.set(key, c);
    }
    return c;
  };
}

/** Reads the registry on every resolve; clients are kept per endpoint, so a job costs one query. */
export function modelSource(config: Config, db: Db): ModelSource {
  const client = cachedClients();
  return { resolve: async () => modelsFrom(config, await promotedVersion(db), client) };
}
