// The model endpoints a fix uses: the policy (agent) and the verifier, each any
// OpenAI-compatible server (vLLM / SGLang serving SWE-Lego models, or a hosted API). The policy is
// the registry's promoted version, read per job, so a promotion or a rollback changes the next
// rollout without a restart; with none promoted, the LEGO_POLICY_* settings.
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

type ClientFactory = (baseURL: string, apiKey: string | undefined) => OpenAI;

/** Pure: which endpoints serve this job, from the settings and the promoted version. */
export function modelsFrom(config: Config, promoted: Pick<ModelVersion, "id" | "name" | "endpoint" | "servedModel"> | null = null, client: ClientFactory = newClient): Models | null {
  const served = promoted?.endpoint ? promoted : null;
  const policyUrl = served?.endpoint ?? config.LEGO_POLICY_BASE_URL;
  if (!policyUrl) return null;
  const verifierUrl = config.LEGO_VERIFIER_BASE_URL ?? config.LEGO_POLICY_BASE_URL ?? policyUrl;
  return {
    policy: {
      client: client(policyUrl, config.LEGO_POLICY_API_KEY),
      model: served ? (served.servedModel ?? served.name) : config.LEGO_POLICY_MODEL,
      mode: config.LEGO_POLICY_MODE,
      baseURL: policyUrl,
      version: served ? { id: served.id, name: served.name } : null,
    },
    verifier: { client: client(verifierUrl, config.LEGO_VERIFIER_API_KEY ?? config.LEGO_POLICY_API_KEY), model: config.LEGO_VERIFIER_MODEL },
    maxTurns: config.LEGO_AGENT_MAX_TURNS,
    maxCostUsd: config.LEGO_AGENT_MAX_COST_USD,
    pricing: { promptPerMTok: config.LEGO_PRICE_PROMPT_PER_MTOK, completionPerMTok: config.LEGO_PRICE_COMPLETION_PER_MTOK },
  };
}

// Retries are the agent's and the verifier's own, so they can be recorded.
function newClient(baseURL: string, apiKey: string | undefined): OpenAI {
  return new OpenAI({ baseURL, apiKey: apiKey ?? "unused", maxRetries: 0, timeout: 600_000 });
}

/** Reads the registry on every resolve; clients are kept per endpoint, so a job costs one query. */
export function modelSource(config: Config, db: Db): ModelSource {
  const clients = new Map<string, OpenAI>();
  const client: ClientFactory = (baseURL, apiKey) => {
    const key = `${baseURL}\u0000${apiKey ?? ""}`;
    let c = clients.get(key);
    if (!c) {
      c = newClient(baseURL, apiKey);
      clients.set(key, c);
    }
    return c;
  };
  return { resolve: async () => modelsFrom(config, await promotedVersion(db), client) };
}
