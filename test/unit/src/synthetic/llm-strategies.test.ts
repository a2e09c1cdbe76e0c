// The LLM strategies against the OpenAI-compatible model double (a real HTTP server).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startModelDouble, type ModelDouble } from "../../../support/model-double.js";
import { listFunctions } from "../../../../src/synthetic/functions.js";
import { seededRandom } from "../../../../src/synthetic/random.js";
import { strategies } from "../../../../src/synthetic/strategies/index.js";
import type { StrategyInput, Target } from "../../../../src/synthetic/types.js";
import { openAiWriter } from "../../../../src/synthetic/writer.js";

const source = `import math


def area(r):
    """Area of a circle of radius r."""
    # square the radius
    return math.pi * r * r


def other():
    return 1
`;

const js = `/** Adds one. */
export function inc(x) {
  return x + 1;
}
`;

let double: ModelDouble;
beforeAll(async () => {
  double = await startModelDouble({ models: ["writer"] });
});
afterAll(async () => double.close());

async function input(text: string, file: string, language: Target["language"], symbol: string): Promise<StrategyInput> {
  const fn = (await listFunctions(text, language)).find((f) => f.symbol === symbol)!;
  return {
    repo: { commit: "c0", read: async (p) => (p === file ? text : undefined) },
    environment: { language: language === "python" ? "python" : "javascript", framework: language === "python" ? "pytest" : "jest" },
    target: { file, language, symbol, startLine: fn.startLine, endLine: fn.endLine, tests: ["t::a"] },
    random: seededRandom(1),
    max: 1,
    writer: openAiWriter({ baseURL: double.baseURL, model: "writer", timeoutMs: 5000 }),
  };
}

const fence = (code: string) => "```python\n" + code + "\n```";

describe("llm-modify", () => {
  it("keeps a subtle bug that leaves signature, docstring and comments alone", async () => {
    double.reset();
    double.enqueue({ content: `Here it is:\n${fence('def area(r):\n    """Area of a circle of radius r."""\n    # square the radius\n    return math.pi * r * 2')}` });
    const [a] = await strategies["llm-modify"].generate(await input(source, "geo.py", "python", "area"));
    expect(a).toMatchObject({ ok: true, candidate: { strategy: "llm:modify", file: "geo.py", symbol: "area", tests: ["t::a"] } });
    expect(a!.ok && a!.candidate.bugPatch).toContain("-    return math.pi * r * r\n+    return math.pi * r * 2\n");
    const prompt = double.chatRequests("writer")[0]!.messages.map((m) => String(m.content)).join("\n");
    expect(prompt).toContain("def area(r):");
  });

  it.each([
    ["refuses", "I'm sorry, I can't help with introducing bugs.", "the writer model refused"],
    ["returns no code", "The function looks fine.", "the writer model returned no code"],
    ["returns code that does not parse", fence('def area(r):\n    """Area of a circle of radius r."""\n    # square the radius\n    return math.pi * (r'), /^the writer's code does not parse: /],
    ["changes the signature", fence('def area(r, k=2):\n    """Area of a circle of radius r."""\n    # square the radius\n    return math.pi * r * k'), "the writer changed the signature of area"],
    ["changes the docstring", fence('def area(r):\n    """Area."""\n    # square the radius\n    return math.pi * r'), "the writer changed the docstring of area"],
    ["adds a comment", fence('def area(r):\n    """Area of a circle of radius r."""\n    # square the radius\n    return math.pi * r  # BUG: not squared'), /^the writer added a comment/],
    ["changes nothing", fence('def area(r):\n    """Area of a circle of radius r."""\n    # square the radius\n    return math.pi * r * r'), "the writer returned the function unchanged"],
  ])("discards a writer that %s, with the reason", async (_what, reply, reason) => {
    double.reset();
    double.enqueue({ content: reply });
    const [a] = await strategies["llm-modify"].generate(await input(source, "geo.py", "python", "area"));
    expect(a!.ok).toBe(false);
    expect(!a!.ok && a!.reason).toMatch(reason);
  });

  it("says so when the endpoint fails, and when no writer is configured", async () => {
    double.reset();
    double.enqueue({ status: 500 });
    double.enqueue({ status: 500 });
    const [a] = await strategies["llm-modify"].generate(await input(source, "geo.py", "python", "area"));
    expect(!a!.ok && a!.reason).toMatch(/^the writer model writer at .* failed/);
    const { writer: _w, ...noWriter } = await input(source, "geo.py", "python", "area");
    expect(strategies["llm-modify"].unavailable(noWriter)).toMatch(/no writer model/);
  });
});

describe("llm-rewrite", () => {
  it("shows the model the signature and docstring but not the body, and keeps a different body", async () => {
    double.reset();
    double.enqueue({ content: "```js\n/** Adds one. */\nexport function inc(x) {\n  return x - 1;\n}\n```".replace("/** Adds one. */\nexport ", "") });
    const [a] = await strategies["llm-rewrite"].generate(await input(js, "inc.js", "javascript", "inc"));
    const prompt = String(double.chatRequests("writer")[0]!.messages[1]!.content);
    expect(prompt).toContain("/** Adds one. */");
    expect(prompt).not.toContain("return x + 1");
    expect(a).toMatchObject({ ok: true, candidate: { strategy: "llm:rewrite" } });
    expect(a!.ok && a!.candidate.bugPatch).toContain("+  return x - 1;");
  });
});

describe("combine", () => {
  const text = "def f(a):\n    x = a + 1\n    y = x * 2\n    z = y - 3\n    w = z + 4\n    v = w * 5\n    u = v - 6\n    t = u + 7\n    return t\n";
  const target: Target = { file: "m.py", language: "python", symbol: "f", startLine: 1, endLine: 9, tests: [] };
  const patch = (from: string, to: string) =>
    `diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n${require_hunk(text, from, to)}`;
  function require_hunk(t: string, from: string, to: string): string {
    const lines = t.split("\n");
    const i = lines.indexOf(from);
    const before = lines.slice(Math.max(0, i - 3), i);
    const after = lines.slice(i + 1, i + 4);
    return `@@ -${Math.max(0, i - 3) + 1},${before.length + 1 + after.length} +${Math.max(0, i - 3) + 1},${before.length + 1 + after.length} @@\n${before.map((l) => ` ${l}`).join("\n")}\n-${from}\n+${to}\n${after.map((l) => ` ${l}`).join("\n")}\n`;
  }

  it("joins two validated bugs of one file into one candidate with the union of their tests", async () => {
    const validated = [
      { instanceId: "b1", file: "m.py", bugPatch: patch("    x = a + 1", "    x = a - 1"), failToPass: ["t1", "t2"] },
      { instanceId: "b2", file: "m.py", bugPatch: patch("    t = u + 7", "    t = u + 8"), failToPass: ["t2", "t3"] },
    ];
    const out = await strategies.combine.generate({ repo: { commit: "c", read: async () => text }, environment: { language: "python", framework: "pytest" }, target, random: seededRandom(2), max: 1, validated });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ ok: true, candidate: { strategy: "combine", tests: ["t1", "t2", "t3"], parts: expect.arrayContaining(["b1", "b2"]), lines: [2, 8] } });
    const diff = out[0]!.ok ? out[0]!.candidate.bugPatch : "";
    expect(diff).toContain("+    x = a - 1");
    expect(diff).toContain("+    t = u + 8");
  });

  it("records bugs that do not apply together", async () => {
    const validated = [
      { instanceId: "b1", file: "m.py", bugPatch: patch("    x = a + 1", "    x = a - 1"), failToPass: ["t1"] },
      { instanceId: "b2", file: "m.py", bugPatch: patch("    x = a + 1", "    x = a + 2"), failToPass: ["t2"] },
    ];
    const out = await strategies.combine.generate({ repo: { commit: "c", read: async () => text }, environment: { language: "python", framework: "pytest" }, target, random: seededRandom(2), max: 1, validated });
    expect(out[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/do not apply together/) });
  });
});
