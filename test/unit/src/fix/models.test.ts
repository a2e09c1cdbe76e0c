import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { modelsFrom } from "../../../../src/fix/models.js";
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
