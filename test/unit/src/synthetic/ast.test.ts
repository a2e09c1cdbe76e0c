import { applyPatch } from "diff";
import { describe, expect, it } from "vitest";
import { operatorNames } from "../../../../src/synthetic/ast/operators.js";
import { listFunctions } from "../../../../src/synthetic/functions.js";
import { parseProblem, type SourceLanguage } from "../../../../src/synthetic/languages.js";
import { astStrategy, mutantOf, mutationSites } from "../../../../src/synthetic/strategies/ast.js";
import { seededRandom } from "../../../../src/synthetic/random.js";

const python = `# Ünïcode comment, kept byte for byte
import contextlib


class Base:
    pass


class Shop(Base, object):
    """A shop."""

    def total(self, items, discount=0):
        """Sum prices, minus a discount."""
        subtotal = 0
        count = 0
        for item in items:
            subtotal += item.price * item.qty
        while count < 2:
            count += 1
        with contextlib.suppress(KeyError):
            subtotal = subtotal - discount
            subtotal = subtotal + 0.5
        try:
            ratio = subtotal / count
        except ZeroDivisionError:
            ratio = 0
        if subtotal > 100 and discount == 0 or count <= 1:
            subtotal -= 10
        else:
            subtotal += 1
        if 0 < subtotal < 1000:
            subtotal = subtotal - 3 - 1
        return subtotal + ratio

    def other(self):
        return 1
`;

const javascript = `// Ünïcode comment, kept byte for byte
class Base {}

export class Shop extends Base {
  total(items, discount = 0) {
    let subtotal = 0;
    let count = 0;
    for (const item of items) {
      subtotal += item.price * item.qty;
    }
    while (count < 2) count += 1;
    try {
      subtotal = subtotal - discount;
      subtotal = subtotal + 0.5;
    } catch (e) {
      subtotal = 0;
    }
    if ((subtotal > 100 && discount === 0) || count <= 1) {
      subtotal -= 10;
    } else {
      subtotal += 1;
    }
    subtotal = subtotal - 3 - 1;
    return subtotal;
  }

  other() {
    return 1;
  }
}
`;

const typescript = `interface Priced { price: number; qty: number }
class Base {}
export class Shop extends Base implements Iterable<number> {
  *[Symbol.iterator]() { yield 1; }
  total(items: Priced[], discount: number = 0): number {
    let subtotal: number = 0;
    let count = 0;
    for (let i = 0; i < items.length; i++) {
      subtotal += items[i]!.price * items[i]!.qty;
    }
    do { count += 1; } while (count < 2);
    try {
      subtotal = subtotal - discount;
      subtotal = subtotal + 0.5;
    } finally {
      count = count * 1;
    }
    if (subtotal > 100 && discount === 0) {
      subtotal -= 10;
    } else {
      subtotal += 1;
    }
    subtotal = subtotal - 3 - 1;
    return subtotal;
  }
}
`;

const cases: [SourceLanguage, string, string, string][] = [
  ["python", "shop.py", python, "Shop.total"],
  ["javascript", "shop.js", javascript, "Shop.total"],
  ["typescript", "shop.ts", typescript, "Shop.total"],
];

describe.each(cases)("AST mutations in %s", (language, file, text, symbol) => {
  it("finds the target function", async () => {
    const fns = await listFunctions(text, language);
    expect(fns.map((f) => f.symbol)).toContain(symbol);
  });

  it.each(operatorNames)("%s produces a mutant that parses, changing only the target's lines", async (operator) => {
    const fn = (await listFunctions(text, language)).find((f) => f.symbol === symbol)!;
    const target = { file, language, symbol, startLine: fn.startLine, tests: ["t1"] };
    const sites = (await mutationSites(text, target))!.filter((s) => s.operator === operator);
    expect(sites.length).toBeGreaterThan(0);
    let parsed = 0;
    for (const site of sites) {
      const attempt = await mutantOf(text, target, site);
      if (!attempt.ok) continue;
      parsed++;
      const after = applyPatch(text, attempt.candidate.bugPatch);
      expect(after).not.toBe(false);
      expect(await parseProblem(after as string, language)).toBeNull();
      expect(after).not.toBe(text);
      // Everything outside the function is byte-identical, unless the operator edits the class header or removes the method.
      const headerOps = new Set(["remove_base", "remove_method"]);
      if (!headerOps.has(operator)) {
        const lines = text.split("\n");
        const mutated = (after as string).split("\n");
        expect(mutated.slice(0, fn.startLine - 1)).toEqual(lines.slice(0, fn.startLine - 1));
        const tail = lines.length - fn.endLine;
        expect(mutated.slice(mutated.length - tail)).toEqual(lines.slice(lines.length - tail));
      }
      expect(attempt.candidate).toMatchObject({ strategy: `ast:${operator}`, operator, file, symbol, tests: ["t1"] });
      expect(attempt.candidate.lines[0]).toBeGreaterThan(0);
    }
    expect(parsed).toBeGreaterThan(0);
  });
});

describe("AST strategy", () => {
  it("discards a mutant that does not parse, with the parser's reason", async () => {
    const target = { file: "a.py", language: "python" as const, symbol: "f", tests: [] };
    const attempt = await mutantOf("def f(a):\n    return a + 1\n", target, { operator: "change_operator", edits: [{ start: 20, end: 27, text: "a +" }], lines: [2, 2] });
    expect(attempt).toMatchObject({ ok: false, strategy: "ast:change_operator" });
    expect(!attempt.ok && attempt.reason).toMatch(/^the mutant does not parse: .* at line 2/);
  });

  it("discards an edit that changes nothing", async () => {
    const target = { file: "a.py", language: "python" as const, symbol: "f", tests: [] };
    const attempt = await mutantOf("def f(a):\n    return a + 1\n", target, { operator: "change_operator", edits: [{ start: 23, end: 24, text: "+" }], lines: [2, 2] });
    expect(attempt).toMatchObject({ ok: false, reason: "the mutation changes nothing" });
  });

  it("is deterministic for a seed and spreads over operators", async () => {
    const repo = { commit: "c0", read: async () => python };
    const fn = (await listFunctions(python, "python")).find((f) => f.symbol === "Shop.total")!;
    const target = { file: "shop.py", language: "python" as const, symbol: "Shop.total", startLine: fn.startLine, endLine: fn.endLine, tests: [] };
    const run = (seed: number) => astStrategy.generate({ repo, environment: { language: "python", framework: "pytest" }, target, random: seededRandom(seed), max: 8 });
    const [a, b] = await Promise.all([run(7), run(7)]);
    expect(a).toEqual(b);
    const ok = a.filter((x) => x.ok).map((x) => (x.ok ? x.candidate.operator : ""));
    expect(ok).toHaveLength(8);
    expect(new Set(ok).size).toBe(8);
  });

  it("says why when the file or function is missing", async () => {
    const target = { file: "gone.py", language: "python" as const, symbol: "f", startLine: 1, endLine: 2, tests: [] };
    const none = await astStrategy.generate({ repo: { commit: "c", read: async () => undefined }, environment: { language: "python", framework: "pytest" }, target, random: seededRandom(1), max: 1 });
    expect(none).toEqual([{ ok: false, strategy: "ast", file: "gone.py", symbol: "f", reason: "gone.py is not in the snapshot" }]);
    const other = await astStrategy.generate({ repo: { commit: "c", read: async () => "def g():\n    pass\n" }, environment: { language: "python", framework: "pytest" }, target, random: seededRandom(1), max: 1 });
    expect(other[0]).toMatchObject({ ok: false, reason: "no function f at line 1 of gone.py" });
  });
});
