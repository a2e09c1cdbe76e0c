import { describe, expect, it } from "vitest";
import { scoreFromLogprobs, type TokenLogprob, VerifierError } from "../../../../src/verifier/score.js";

function tok(token: string, top: [string, number][] = [], logprob = 0): TokenLogprob {
  return { token, logprob, top_logprobs: top.map(([t, l]) => ({ token: t, logprob: l })) };
}

const tag = [tok("<"), tok("jud"), tok("gement"), tok(">")];
const close = [tok("</"), tok("jud"), tok("gement"), tok(">")];

describe("scoreFromLogprobs", () => {
  const cases: { name: string; content: TokenLogprob[]; pYes: number; yes: number; no: number }[] = [
    {
      name: "tag split into several tokens, answer after it",
      content: [...tag, tok("YES", [["YES", Math.log(0.8)], ["NO", Math.log(0.2)]], Math.log(0.8)), ...close],
      pYes: 0.8,
      yes: Math.log(0.8),
      no: Math.log(0.2),
    },
    {
      name: "max over YES variants against max over NO variants",
      content: [
        ...tag,
        tok("NO", [["NO", Math.log(0.5)], ["ĠYES", Math.log(0.3)], ["Yes", Math.log(0.1)], ["no", Math.log(0.05)]], Math.log(0.5)),
      ],
      pYes: 0.3 / 0.8,
      yes: Math.log(0.3),
      no: Math.log(0.5),
    },
    {
      name: "answer first with no tag",
      content: [tok(" Yes", [[" Yes", -0.1], [" No", -2.4]], -0.1), tok(".")],
      pYes: 1 / (1 + Math.exp(-2.3)),
      yes: -0.1,
      no: -2.4,
    },
    {
      name: "a NO in text before the tag is not the answer",
      content: [tok("No", [["No", -0.01]]), tok(" issues", []), ...tag, tok("YES", [["YES", -0.2], ["NO", -1.8]], -0.2)],
      pYes: 1 / (1 + Math.exp(-1.6)),
      yes: -0.2,
      no: -1.8,
    },
    {
      name: "only YES offered: P(YES) = 1",
      content: [...tag, tok("YES", [["YES", -0.001], ["Y", -7]], -0.001)],
      pYes: 1,
      yes: -0.001,
      no: -Infinity,
    },
    {
      name: "only NO offered: P(YES) = 0",
      content: [...tag, tok("▁no", [["▁no", -0.01]], -0.01)],
      pYes: 0,
      yes: -Infinity,
      no: -0.01,
    },
    {
      name: "the sampled token counts when top_logprobs leave it out",
      content: [...tag, tok("YES", [["NO", -1.2]], -0.4)],
      pYes: 1 / (1 + Math.exp(-0.8)),
      yes: -0.4,
      no: -1.2,
    },
    {
      name: "the tag token itself is skipped: scan goes to the first position offering YES/NO",
      content: [tok("<judgement>"), tok("\n"), tok("YES", [["YES", -0.5], ["NO", -0.9]], -0.5)],
      pYes: 1 / (1 + Math.exp(-0.4)),
      yes: -0.5,
      no: -0.9,
    },
  ];

  it.each(cases)("$name", ({ content, pYes, yes, no }) => {
    const score = scoreFromLogprobs(content);
    expect(score.pYes).toBeCloseTo(pYes, 10);
    for (const [actual, expected] of [
      [score.yesLogprob, yes],
      [score.noLogprob, no],
    ]) {
      if (expected === -Infinity) expect(actual).toBe(-Infinity);
      else expect(actual).toBeCloseTo(expected as number, 10);
    }
  });

  it("stays finite for extreme log-probabilities", () => {
    const score = scoreFromLogprobs([...tag, tok("YES", [["YES", 0], ["NO", -1000]])]);
    expect(score.pYes).toBe(1);
    const low = scoreFromLogprobs([...tag, tok("NO", [["NO", 0], ["YES", -1000]])]);
    expect(low.pYes).toBeGreaterThanOrEqual(0);
    expect(low.pYes).toBeLessThan(1e-300);
  });

  it.each([
    ["no logprobs at all", [] as TokenLogprob[], /returned no log-probabilities: serve the verifier with logprobs enabled \(vLLM: --max-logprobs ≥ 5/],
    ["null", null, /returned no log-probabilities/],
    ["no position offers YES or NO", [...tag, tok("maybe", [["maybe", -0.1], ["perhaps", -2]])], /no generated position offers YES or NO.*maybe/],
  ])("%s → verifier_no_logprobs", (_name, content, message) => {
    let caught: unknown;
    try {
      scoreFromLogprobs(content);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(VerifierError);
    expect((caught as VerifierError).code).toBe("verifier_no_logprobs");
    expect((caught as VerifierError).message).toMatch(message);
  });
});
