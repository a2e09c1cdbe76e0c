import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reverseDiff } from "../../../../src/diff/index.js";
import { syntheticDifficulty, solveRateDifficulty } from "../../../../src/synthetic/difficulty.js";
import { failingBehaviour, leakReason, templateIssue, writeIssue, type IssueFacts } from "../../../../src/synthetic/issue-text.js";
import { openAiWriter } from "../../../../src/synthetic/writer.js";
import { startModelDouble, type ModelDouble } from "../../../support/model-double.js";

const bugPatch = `diff --git a/shop/cart.py b/shop/cart.py
--- a/shop/cart.py
+++ b/shop/cart.py
@@ -10,3 +10,3 @@ def total(items):
     subtotal = 0
-    for item in items[:]:
+    for item in items[1:]:
         subtotal += item.price
`;

const facts: IssueFacts = {
  repo: "acme/shop",
  file: "shop/cart.py",
  symbol: "total",
  bugPatch,
  fixPatch: reverseDiff(bugPatch),
  failToPass: ["tests/test_cart.py::test_total_counts_every_item", "tests/test_cart.py::test_empty[zero]"],
  failureOutput: "E       assert 5 == 8\nE        +  where 5 = total([...])\nFAILED tests/test_cart.py::test_total_counts_every_item",
  examples: ["Cart badge shows wrong count\n\nAfter adding two hats the badge says 1."],
};

describe("leak check", () => {
  it.each([
    ["names a failing test by id", "tests/test_cart.py::test_total_counts_every_item fails", /names the failing test/],
    ["names a failing test by function", "When I run test_total_counts_every_item it breaks", /names the failing test "test_total_counts_every_item"/],
    ["names a parametrised test bare", "test_empty is red", /names the failing test "test_empty"/],
    ["quotes the fix", "The loop should read `for item in items[:]:` instead.", /quotes a changed line of the fix/],
    ["quotes the bug", "It does `for item in   items[1:]:` which skips one", /quotes a changed line of the (?:fix|bug diff)/],
    ["mentions mutation", "This looks like a mutation of the loop.", /mentions how the bug was made/],
    ["mentions injection", "A bug was injected here.", /mentions how the bug was made/],
    ["mentions synthetic bugs", "Synthetic bug in cart", /mentions how the bug was made/],
  ])("rejects text that %s", (_what, text, reason) => {
    expect(leakReason(text, facts)).toMatch(reason);
  });

  it("lets a report name the function even when a failing test has the same name", () => {
    expect(leakReason("`repeat` returns one copy too few", { ...facts, symbol: "repeat", failToPass: ["repeat"] })).toBeNull();
    expect(leakReason("`repeat` fails in test_repeat_twice", { ...facts, symbol: "repeat", failToPass: ["test_repeat_twice"] })).toMatch(/names the failing test/);
  });

  it("passes an ordinary report", () => {
    expect(leakReason("Cart total is wrong\n\nWith three items in the cart the total leaves out the first one.", facts)).toBeNull();
  });
});

describe("template issue", () => {
  it("describes expected against actual from a pytest assertion, without leaking", () => {
    expect(failingBehaviour(facts.failureOutput)).toEqual({ kind: "mismatch", expected: "8", actual: "5" });
    const text = templateIssue(facts);
    expect(text).toContain("I expected `8` but got `5`");
    expect(leakReason(text, facts)).toBeNull();
  });

  it("reads exceptions and jest's expected/received", () => {
    expect(failingBehaviour("Traceback...\nZeroDivisionError: division by zero\n")).toEqual({ kind: "exception", type: "ZeroDivisionError", message: "division by zero" });
    expect(failingBehaviour("    Expected: 3\n    Received: 4\n")).toEqual({ kind: "mismatch", expected: "3", actual: "4" });
  });
});

describe("writeIssue", () => {
  let double: ModelDouble;
  beforeAll(async () => {
    double = await startModelDouble({ models: ["writer"] });
  });
  afterAll(async () => double.close());
  const writer = () => openAiWriter({ baseURL: double.baseURL, model: "writer", timeoutMs: 5000 });

  it("keeps a clean draft, given the diff, the failing output and real issues as examples", async () => {
    double.reset();
    double.enqueue({ content: "Cart total skips an item\n\nWith three hats the total is the price of two." });
    const out = await writeIssue(facts, writer());
    expect(out).toEqual({ text: "Cart total skips an item\n\nWith three hats the total is the price of two.", source: "writer", rejections: [] });
    const prompt = String(double.chatRequests("writer")[0]!.messages[1]!.content);
    expect(prompt).toContain("items[1:]");
    expect(prompt).toContain("assert 5 == 8");
    expect(prompt).toContain("After adding two hats the badge says 1.");
  });

  it("asks once more after a leak, saying why", async () => {
    double.reset();
    double.enqueue([{ content: "test_total_counts_every_item fails" }, { content: "Totals are short by one item." }]);
    const out = await writeIssue(facts, writer());
    expect(out.source).toBe("writer");
    expect(out.text).toBe("Totals are short by one item.");
    expect(out.rejections).toEqual(['it names the failing test "test_total_counts_every_item"']);
    expect(String(double.chatRequests("writer")[1]!.messages[1]!.content)).toContain("was rejected because it names the failing test");
  });

  it("falls back to the template when the writer keeps leaking", async () => {
    double.reset();
    double.enqueue([{ content: "Fix: use `for item in items[:]:`" }, { content: "The mutation broke it." }]);
    const out = await writeIssue(facts, writer());
    expect(out.source).toBe("template");
    expect(out.rejections).toHaveLength(2);
    expect(leakReason(out.text, facts)).toBeNull();
  });

  it("uses the template without a writer", async () => {
    const out = await writeIssue(facts, null);
    expect(out).toMatchObject({ source: "template", rejections: [] });
  });
});

describe("difficulty", () => {
  it("grows with the fix, fewer failing tests, and combined or LLM bugs", () => {
    expect(syntheticDifficulty({ patch: reverseDiff(bugPatch), failToPass: ["a", "b"], strategy: "ast:change_constant" })).toBe("easy");
    expect(syntheticDifficulty({ patch: reverseDiff(bugPatch), failToPass: ["a"], strategy: "combine" })).toBe("medium");
    expect(solveRateDifficulty(1, 2)).toBeNull();
    expect(solveRateDifficulty(1, 10)).toBe("hard");
    expect(solveRateDifficulty(9, 10)).toBe("easy");
  });
});
