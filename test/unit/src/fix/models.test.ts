import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { modelsFrom, trajgenEndpoint } from "../../../../src/fix/models.js";
import { testConfig } from "../../../support/test-config.js";

const client = (baseURL: string) => new OpenAI({ baseURL, apiKey: "x" });
const promoted = { id: 7, name: "lego-run-3", endpoint: "http://vllm:8000/v1", servedModel: "served" };

describe("modelsFrom", () => {
  it("uses the promoted version's endpoint, else LEGO_POLICY_*, else nothing", () => {
    const withEnv = testConfig({ LEGO_POLICY_BASE_URL: "http://env/v1", LEGO_POLICY_MODEL: "env-model" });
    expect(modelsFrom(withEnv, promoted, client)?.policy).toMatchObject({ baseURL: "http://vllm:8000/v1", model: "served", version: { id: 7, name: "lego-run-3" } });
    expect(modelsFrom(withEnv, null, client)?.policy).toMatchObject({ baseURL: "http://env/v1", model: "env-model", version: null });
    expect(modelsFrom(testConfig(), null, client)).toBeNull();
    // A promoted version without an endpoint cannot serve; the settings do.
    expect(modelsFrom(withEnv, { ...promoted, endpoint: null }, client)?.policy.version).toBeNull();
  });

  it("sends the verifier to its own endpoint, else the configured policy's, else the promoted one's", () => {
    expect(modelsFrom(testConfig({ LEGO_VERIFIER_BASE_URL: "http://v/v1" }), promoted, client)?.verifier.client.baseURL).toBe("http://v/v1");
    expect(modelsFrom(testConfig({ LEGO_POLICY_BASE_URL: "http://env/v1" }), promoted, client)?.verifier.client.baseURL).toBe("http://env/v1");
    expect(modelsFrom(testConfig(), { ...promoted, servedModel: null }, client)).toMatchObject({ policy: { model: "lego-run-3" }, verifier: { client: { baseURL: "http://vllm:8000/v1" } } });
  });
});

describe("trajgenEndpoint", () => {
  const teacher = { LEGO_TEACHER_BASE_URL: "http://teacher/v1", LEGO_TEACHER_MODEL: "big", LEGO_TEACHER_API_KEY: "tk", LEGO_TEACHER_MODE: "text", LEGO_TEACHER_PRICE_PROMPT_PER_MTOK: "3" };
  const policy = { LEGO_POLICY_BASE_URL: "http://env/v1", LEGO_POLICY_MODEL: "env-model", LEGO_POLICY_API_KEY: "pk", LEGO_PRICE_PROMPT_PER_MTOK: "1" };
  const cases: [string, Record<string, string>, { id: number; name: string; endpoint: string | null; servedModel: string | null } | null, object | null][] = [
    ["an explicit teacher wins over a promoted version", { ...teacher, ...policy }, promoted, { source: "teacher", baseURL: "http://teacher/v1", model: "big", apiKey: "tk", mode: "text", version: null, pricing: { promptPerMTok: 3 } }],
    ["an explicit teacher, nothing else", teacher, null, { source: "teacher", model: "big", version: null }],
    ["no teacher: the promoted version, at the policy's prices", policy, promoted, { source: "registry", baseURL: "http://vllm:8000/v1", model: "served", apiKey: "pk", version: { id: 7, name: "lego-run-3" }, pricing: { promptPerMTok: 1 } }],
    ["no teacher, promoted without a served name: the version's name", {}, { ...promoted, servedModel: null }, { source: "registry", model: "lego-run-3" }],
    ["no teacher, a promoted version without an endpoint: LEGO_POLICY_*", policy, { ...promoted, endpoint: null }, { source: "policy", baseURL: "http://env/v1", model: "env-model", version: null }],
    ["no teacher, nothing promoted: LEGO_POLICY_*", policy, null, { source: "policy", model: "env-model", version: null }],
    ["none of them: no trajgen", {}, null, null],
  ];
  it.each(cases)("%s", (_, env, prom, expected) => {
    const got = trajgenEndpoint(testConfig(env), prom);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toMatchObject(expected);
  });
});
