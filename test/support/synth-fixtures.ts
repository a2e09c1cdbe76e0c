// Fixture repositories for synthetic tasks: small real projects whose tests cover most of their
// functions, in Python (pytest) and JavaScript (node:test).
import { mkdirSync, rmSync } from "node:fs";
import { commit, git, type Files } from "./fixture-repos.js";

export const pythonSynthProject: Files = {
  "pyproject.toml": `[project]\nname = "shop"\nversion = "0.1.0"\n\n[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n`,
  "shop/__init__.py": "",
  "shop/cart.py": `class Item:
    def __init__(self, name, price, qty=1):
        self.name = name
        self.price = price
        self.qty = qty


class Cart:
    """A shopping cart."""

    def __init__(self):
        self.items = []

    def add(self, item):
        """Add an item, merging quantities of the same name."""
        for existing in self.items:
            if existing.name == item.name:
                existing.qty += item.qty
                return
        self.items.append(item)

    def total(self, discount=0):
        """Sum of price times quantity, minus a percentage discount."""
        subtotal = 0
        for item in self.items:
            subtotal += item.price * item.qty
        if discount > 0:
            subtotal = subtotal - subtotal * discount / 100
        return round(subtotal, 2)

    def count(self):
        return sum(item.qty for item in self.items)


def clamp(value, low, high):
    """Value limited to [low, high]."""
    if value < low:
        return low
    if value > high:
        return high
    return value


def unused(x):
    return x * 3
`,
  "tests/__init__.py": "",
  "tests/test_cart.py": `from shop.cart import Cart, Item, clamp


def test_total():
    c = Cart()
    c.add(Item("hat", 10, 2))
    c.add(Item("cap", 5))
    assert c.total() == 25


def test_discount():
    c = Cart()
    c.add(Item("hat", 10, 2))
    assert c.total(10) == 18


def test_merge():
    c = Cart()
    c.add(Item("hat", 10))
    c.add(Item("hat", 10))
    assert c.count() == 2
    assert len(c.items) == 1


def test_clamp():
    assert clamp(5, 0, 10) == 5
    assert clamp(-1, 0, 10) == 0
    assert clamp(11, 0, 10) == 10


def test_unrelated():
    assert 1 + 1 == 2
`,
};

/** The same package with its tests as unittest.TestCase classes and no pytest anywhere: unittest runs them. */
export const pythonUnittestSynthProject: Files = {
  ...pythonSynthProject,
  "pyproject.toml": `[project]\nname = "shop"\nversion = "0.1.0"\n\n[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n`,
  "tests/test_cart.py": `import unittest

from shop.cart import Cart, Item, clamp


class CartTest(unittest.TestCase):
    def test_total(self):
        c = Cart()
        c.add(Item("hat", 10, 2))
        c.add(Item("cap", 5))
        self.assertEqual(c.total(), 25)

    def test_discount(self):
        c = Cart()
        c.add(Item("hat", 10, 2))
        self.assertEqual(c.total(10), 18)

    def test_merge(self):
        c = Cart()
        c.add(Item("hat", 10))
        c.add(Item("hat", 10))
        self.assertEqual(c.count(), 2)
        self.assertEqual(len(c.items), 1)


class ClampTest(unittest.TestCase):
    def test_clamp(self):
        self.assertEqual(clamp(5, 0, 10), 5)
        self.assertEqual(clamp(-1, 0, 10), 0)
        self.assertEqual(clamp(11, 0, 10), 10)

    def test_unrelated(self):
        self.assertEqual(1 + 1, 2)
`,
};

export const nodeSynthProject: Files = {
  "package.json": `${JSON.stringify({ name: "strutil", version: "1.0.0", private: true, engines: { node: "20.x" }, scripts: { test: "node --test test/" } }, null, 2)}\n`,
  "src/str.js": `function capitalize(s) {
  if (s.length === 0) return s;
  return s[0].toUpperCase() + s.slice(1);
}

function repeat(s, n) {
  let out = "";
  for (let i = 0; i < n; i++) {
    out += s;
  }
  return out;
}

class Counter {
  constructor() {
    this.n = 0;
  }
  inc(by = 1) {
    this.n += by;
    return this.n;
  }
}

module.exports = { capitalize, repeat, Counter };
`,
  "test/str.test.js": `const test = require("node:test");
const assert = require("node:assert");
const { capitalize, repeat, Counter } = require("../src/str.js");

test("capitalize", () => assert.strictEqual(capitalize("abc"), "Abc"));
test("capitalize empty", () => assert.strictEqual(capitalize(""), ""));
test("repeat", () => assert.strictEqual(repeat("ab", 3), "ababab"));
test("counter", () => {
  const c = new Counter();
  c.inc();
  assert.strictEqual(c.inc(2), 3);
});
test("unrelated", () => assert.strictEqual(1 + 1, 2));
`,
};

/** A one-commit repository with `files`; returns its HEAD. */
export function synthRepo(dir: string, files: Files): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  return commit(dir, "initial", files);
}

/** TypeScript under vitest (3.x, its default `forks` pool): V8 offsets point into vite-transformed code. */
export const vitestTsSynthProject: Files = {
  "package.json": `${JSON.stringify({ name: "slugkit", version: "1.0.0", private: true, type: "module", scripts: { test: "vitest run" }, devDependencies: { vitest: "3.2.4" } }, null, 2)}\n`,
  "vitest.config.mts": `import { defineConfig } from "vitest/config";

export default defineConfig({ test: { include: ["test/**/*.test.ts"] } });
`,
  "src/slug.ts": `export interface SlugOptions {
  separator?: string;
}

export function slugify(text: string, options: SlugOptions = {}): string {
  const separator = options.separator ?? "-";
  const words = text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0);
  return words.join(separator);
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, max - 1) + "…";
}

export class Tally {
  private counts = new Map<string, number>();

  add(key: string, by = 1): number {
    const next = (this.counts.get(key) ?? 0) + by;
    this.counts.set(key, next);
    return next;
  }
}

export function unused(n: number): number {
  return n * 3;
}
`,
  "test/slug.test.ts": `import { describe, expect, it } from "vitest";
import { slugify, Tally, truncate } from "../src/slug";

describe("slugify", () => {
  it("joins lower-case words", () => expect(slugify("Hello, World!")).toBe("hello-world"));
  it("takes a separator", () => expect(slugify("a b c", { separator: "_" })).toBe("a_b_c"));
});

describe("truncate", () => {
  it("keeps short text", () => expect(truncate("abc", 5)).toBe("abc"));
  it("cuts long text", () => expect(truncate("abcdef", 4)).toBe("abc…"));
});

it("tallies", () => {
  const t = new Tally();
  t.add("x");
  expect(t.add("x", 2)).toBe(3);
});
`,
  "test/unrelated.test.ts": `import { expect, it } from "vitest";

it("unrelated", () => expect(1 + 1).toBe(2));
`,
};

/**
 * A pytest project of `modules` small modules of four functions each, `perModule` tests per module
 * (each test does ~workMs of work, as real tests do): many functions whose covering tests are
 * disjoint (bench/synth.ts; the grouped confirmation test).
 */
export function modulesProject({ modules, perModule, workMs }: { modules: number; perModule: number; workMs: number }): Files {
  const files: Files = {
    "pyproject.toml": `[project]\nname = "bench"\nversion = "0.1.0"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n`,
    "pkg/__init__.py": "",
    "tests/__init__.py": "",
    "tests/work.py": `import time\n\n\ndef work():\n    end = time.perf_counter() + ${workMs / 1000}\n    while time.perf_counter() < end:\n        pass\n`,
  };
  for (let m = 0; m < modules; m++) {
    files[`pkg/mod${m}.py`] = `def scale(values, k=${m + 2}):
    """Each value times k."""
    out = []
    for v in values:
        out.append(v * k)
    return out


def window(values, size):
    """Sums of each run of size consecutive values."""
    if size <= 0:
        raise ValueError("size must be positive")
    sums = []
    for i in range(len(values) - size + 1):
        sums.append(sum(values[i:i + size]))
    return sums


def clip(value, low=0, high=${100 + m}):
    """Value limited to [low, high]."""
    if value < low:
        return low
    if value > high:
        return high
    return value


class Stats:
    def __init__(self, values):
        self.values = list(values)

    def mean(self):
        if not self.values:
            return 0
        return sum(self.values) / len(self.values)

    def spread(self):
        return max(self.values) - min(self.values)
`;
    const tests = [
      `def test_scale():\n    work()\n    assert scale([1, 2], 3) == [3, 6]`,
      `def test_scale_default():\n    work()\n    assert scale([1]) == [${m + 2}]`,
      `def test_window():\n    work()\n    assert window([1, 2, 3, 4], 2) == [3, 5, 7]`,
      `def test_window_full():\n    work()\n    assert window([1, 2, 3], 3) == [6]`,
      `def test_window_bad():\n    work()\n    try:\n        window([1], 0)\n    except ValueError:\n        return\n    assert False`,
      `def test_clip_inside():\n    work()\n    assert clip(5) == 5`,
      `def test_clip_edges():\n    work()\n    assert clip(-3) == 0 and clip(1000) == ${100 + m}`,
      `def test_mean():\n    work()\n    assert Stats([1, 2, 3]).mean() == 2`,
      `def test_mean_empty():\n    work()\n    assert Stats([]).mean() == 0`,
      `def test_spread():\n    work()\n    assert Stats([4, 1, 9]).spread() == 8`,
    ];
    files[`tests/test_mod${m}.py`] = `from pkg.mod${m} import Stats, clip, scale, window\nfrom tests.work import work\n\n\n${Array.from({ length: perModule }, (_, i) => (tests[i % tests.length] as string).replace(/^def (test_\w+)/, `def $1_${i}`)).join("\n\n\n")}\n`;
  }
  return files;
}
