import { describe, expect, it } from "vitest";
import { statusesByTest } from "../../../../src/fix/repro-run.js";
import { collectReproTests, importsOwnNewModule, splitRolloutPatch } from "../../../../src/fix/repro-tests.js";

const added = (file: string, lines: string[]) =>
  `diff --git a/${file} b/${file}\nnew file mode 100644\n--- /dev/null\n+++ b/${file}\n@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}\n`;
const modified = (file: string, from: string, to: string) => `diff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n@@ -1 +1 @@\n-${from}\n+${to}\n`;

const fix = modified("calc.py", "    return a - b", "    return a + b");
const repro = added("tests/test_issue.py", ["from calc import add", "def test_add():", "    assert add(1, 2) == 3"]);

describe("splitRolloutPatch", () => {
  it("keeps new test files apart from the code change", () => {
    const out = splitRolloutPatch(fix + repro);
    expect(out.patch).toBe(fix);
    expect(out.repro).toBe(repro);
    expect(out.reproFiles).toEqual(["tests/test_issue.py"]);
  });

  it("leaves a new conftest.py and edits of existing tests in the patch, where the cheat check sees them", () => {
    const conftest = added("tests/conftest.py", ["import pytest"]);
    const edit = modified("tests/test_calc.py", "assert add(1, 2) == 3", "assert True");
    const out = splitRolloutPatch(fix + conftest + edit);
    expect(out.patch).toBe(fix + conftest + edit);
    expect(out.reproFiles).toEqual([]);
  });
});

describe("importsOwnNewModule", () => {
  it.each([
    [["from calc.helpers import add"], ["calc/helpers.py"], "calc/helpers.py"],
    [["import helpers"], ["calc/helpers.py"], "calc/helpers.py"],
    [["from calc import helpers"], ["calc/helpers.py"], "calc/helpers.py"],
    [["import { add } from '../src/helpers.js';"], ["src/helpers.ts"], "src/helpers.ts"],
    [["const h = require(\"./helpers\")"], ["helpers.js"], "helpers.js"],
    [["from calc import add"], ["calc/helpers.py"], null],
    [["import { add } from '../src/calc.js';"], ["src/helpers.ts"], null],
    [["from calc import add"], [], null],
  ])("%j with new files %j → %s", (lines, files, expected) => expect(importsOwnNewModule(lines, files)).toBe(expected));
});

describe("collectReproTests", () => {
  it("keeps identical tests once, with every rollout that wrote them", () => {
    const out = collectReproTests([
      { index: 2, patch: fix + repro },
      { index: 0, patch: fix + repro },
      { index: 1, patch: fix },
    ]);
    expect(out.tests).toHaveLength(1);
    expect(out.tests[0]).toMatchObject({ files: ["tests/test_issue.py"], rollouts: [0, 2], diff: repro });
    expect(out.bundles).toHaveLength(1);
    expect(out.rejected).toEqual([]);
  });

  it("puts different tests at the same path into different bundles", () => {
    const other = added("tests/test_issue.py", ["from calc import add", "def test_add_neg():", "    assert add(-1, -2) == -3"]);
    const third = added("tests/test_more.py", ["def test_x():", "    pass"]);
    const out = collectReproTests([
      { index: 0, patch: fix + repro },
      { index: 1, patch: fix + other },
      { index: 2, patch: fix + third },
    ]);
    expect(out.tests.map((t) => t.rollouts)).toEqual([[0], [1], [2]]);
    expect(out.bundles.map((b) => b.map((t) => t.rollouts[0]))).toEqual([[0, 2], [1]]);
  });

  it("rejects a test that imports a module its own rollout adds", () => {
    const helper = added("calc_helpers.py", ["def add(a, b):", "    return a + b"]);
    const test = added("tests/test_helpers.py", ["from calc_helpers import add", "def test_add():", "    assert add(1, 2) == 3"]);
    const out = collectReproTests([{ index: 3, patch: helper + test }]);
    expect(out.tests).toEqual([]);
    expect(out.rejected).toEqual([{ rollout: 3, files: ["tests/test_helpers.py"], why: "imports calc_helpers.py, a module its own rollout adds: it can only pass with that rollout's patch" }]);
  });

  it("collects nothing from rollouts that wrote no tests", () => {
    expect(collectReproTests([{ index: 0, patch: fix }, { index: 1, patch: "" }])).toEqual({ tests: [], rejected: [], bundles: [] });
  });
});

describe("statusesByTest", () => {
  it("names each test after the rollouts that wrote it", () => {
    const t1 = { key: "a", files: ["tests/test_issue.py"], diff: "", rollouts: [0, 2] };
    const t2 = { key: "b", files: ["tests/test_more.py"], diff: "", rollouts: [1] };
    const run = { statuses: { "tests/test_issue.py::test_add": "PASSED", "tests/test_more.py::test_x": "FAILED", "tests/test_more.py::test_y": "XFAIL" }, ran: true, notes: [] };
    expect(statusesByTest([t1, t2], run as never)).toEqual({
      "r0+2:tests/test_issue.py::test_add": true,
      "r1:tests/test_more.py::test_x": false,
      "r1:tests/test_more.py::test_y": true,
    });
  });

  it("gives a lone test every status of its run (frameworks that name tests without their file)", () => {
    const t = { key: "a", files: ["test/issue.test.js"], diff: "", rollouts: [4] };
    expect(statusesByTest([t], { statuses: { "adds numbers": "PASSED" }, ran: true, notes: [] } as never)).toEqual({ "r4:adds numbers": true });
  });
});
