import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ModelDouble, type ScriptedLogprob, startModelDouble } from "../../../support/model-double.js";
import { type VerifierError, verifyCandidate } from "../../../../src/verifier/verifier.js";

const input = {
  problemStatement: "Crash on empty input",
  messages: [
    { role: "user" as const, content: "Fix the crash on empty input" },
    { role: "assistant" as const, content: "Fixed it." },
  ],
  patch: "diff --git a/a.py b/a.py\n+fix\n",
};

function judgement(answer: string, top: { token: string; logprob: number }[]): ScriptedLogprob[] {
  return [
    { token: "<", logprob: 0 },
    { token: "jud", logprob: 0 },
    { token: "gement", logprob: 0 },
    { token: ">", logprob: 0 },
    { token: answer, logprob: top.find((t) => t.token === answer)?.logprob ?? 0, top },
    { token: "</", logprob: 0 },
    { token: "jud", logprob: 0 },
    { token: "gement", logprob: 0 },
    { token: ">", logprob: 0 },
  ];
}

async function failure(promise: Promise<unknown>): Promise<VerifierError> {
  try {
    await promise;
  } catch (err) {
    return err as VerifierError;
  }
  throw new Error("expected a rejection");
}

describe("verifyCandidate", () => {
  let double: ModelDouble;
  let client: OpenAI;

  beforeAll(async () => {
    double = await startModelDouble();
    client = new OpenAI({ baseURL: double.baseURL, apiKey: "test-key", maxRetries: 0 });
  });
  afterAll(async () => {
    await double.close();
  });
  beforeEach(() => {
    double.reset();
  });

  it("asks for log-probabilities at temperature 0 and scores P(YES)", async () => {
    double.enqueue({
      logprobs: judgement("YES", [
        { token: "YES", logprob: Math.log(0.9) },
        { token: "NO", logprob: Math.log(0.1) },
      ]),
    });
    const result = await verifyCandidate(client, "judge", input);
    expect(result.score).toBeCloseTo(0.9, 10);
    expect(result.judgement).toBe("YES");
    expect(result.reasoning).toBe("<judgement>YES</judgement>");
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    const [request] = double.chatRequests("judge");
    expect(request).toMatchObject({ model: "judge", temperature: 0, logprobs: true, top_logprobs: 20, max_tokens: 16 });
    expect(request?.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(String(request?.messages[1]?.content)).toContain("[PATCH]\ndiff --git a/a.py b/a.py\n+fix\n[/PATCH]");
  });

  it("passes its options through", async () => {
    double.enqueue({ logprobs: judgement("NO", [{ token: "NO", logprob: -0.1 }, { token: "YES", logprob: -2.5 }]) });
    const result = await verifyCandidate(client, "judge", input, { topLogprobs: 5, maxTokens: 32 });
    expect(result.judgement).toBe("NO");
    expect(result.score).toBeCloseTo(1 / (1 + Math.exp(2.4)), 10);
    expect(double.chatRequests()[0]).toMatchObject({ top_logprobs: 5, max_tokens: 32 });
  });

  it("retries HTTP failures, then scores", async () => {
    double.enqueue([{ status: 503 }, { status: 500 }, { logprobs: judgement("YES", [{ token: "YES", logprob: 0 }]) }]);
    const result = await verifyCandidate(client, "judge", input, { retries: 2 });
    expect(result.score).toBe(1);
    expect(double.chatRequests()).toHaveLength(3);
  });

  it("gives up after the retries as verifier_unavailable", async () => {
    double.enqueue([{ status: 500 }, { status: 500 }]);
    const err = await failure(verifyCandidate(client, "judge", input, { retries: 1 }));
    expect(err.code).toBe("verifier_unavailable");
    expect(err.message).toMatch(/HTTP 500/);
    expect(err.message).toMatch(/check that the verifier model is served/);
    expect(double.chatRequests()).toHaveLength(2);
  });

  it("reports a non-JSON body as verifier_unavailable", async () => {
    double.enqueue({ raw: "<html>bad gateway</html>", status: 200 });
    const err = await failure(verifyCandidate(client, "judge", input, { retries: 0 }));
    expect(err.code).toBe("verifier_unavailable");
  });

  it("reports garbage text without a YES/NO position as verifier_garbage, with the text", async () => {
    double.enqueue({ content: "I am not sure what to say here" });
    const err = await failure(verifyCandidate(client, "judge", input));
    expect(err.code).toBe("verifier_garbage");
    expect(err.message).toContain("I am not sure what to say here");
  });

  it("reports an empty answer as verifier_garbage", async () => {
    double.enqueue({ content: "" });
    const err = await failure(verifyCandidate(client, "judge", input));
    expect(err.code).toBe("verifier_garbage");
  });

  it("reports an endpoint that drops log-probabilities as verifier_no_logprobs, even with a judgement", async () => {
    double.enqueue({ raw: JSON.stringify(completionWithoutLogprobs("<judgement>YES</judgement>")) });
    const err = await failure(verifyCandidate(client, "judge", input));
    expect(err.code).toBe("verifier_no_logprobs");
    expect(err.message).toMatch(/--max-logprobs/);
  });

  it("scores a stated judgement 1 or 0 when its tokens never offer YES/NO alone", async () => {
    // One merged token: the text says NO, but no position is a bare YES/NO.
    double.enqueue({ logprobs: [{ token: "<judgement>NO</judgement>", logprob: -0.1 }] });
    const result = await verifyCandidate(client, "judge", input);
    expect(result).toMatchObject({ score: 0, judgement: "NO" });
  });
});

function completionWithoutLogprobs(content: string): unknown {
  return {
    id: "chatcmpl-x",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "judge",
    choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage: { prompt_tokens: 10, completion_tokens: 8, total_tokens: 18 },
  };
}
