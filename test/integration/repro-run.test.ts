// Reproduction tests in real containers (pytest, network off): pooled tests run on the unpatched
// tree and on each candidate; a test that hangs is killed at the per-run budget and does not take
// the other tests of its run down with it; a test that forks without end meets the PID limit.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDocker } from "../../sandbox/docker.js";
import { prepareRepoAtBase } from "../../sandbox/git-history.js";
import { ensureEnvironment } from "../../src/environment/ensure.js";
import { hybridRank } from "../../src/fix/hybrid.js";
import { runReproTests } from "../../src/fix/repro-run.js";
import { collectReproTests } from "../../src/fix/repro-tests.js";
import { pythonFix, pythonProject, repoWithFix } from "../support/fixture-repos.js";
import { openValidationBench, type ValidationBench } from "../support/validation-bench.js";

let bench: ValidationBench;

beforeAll(async () => {
  bench = await openValidationBench("lego-repro-");
});

afterAll(async () => {
  await bench?.close();
});

const added = (file: string, text: string) => {
  const lines = text.replace(/\n$/, "").split("\n");
  return `diff --git a/${file} b/${file}\nnew file mode 100644\n--- /dev/null\n+++ b/${file}\n@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}\n`;
};
const ops = (body: string) => `diff --git a/calc/ops.py b/calc/ops.py\n--- a/calc/ops.py\n+++ b/calc/ops.py\n@@ -1,3 +1,3 @@\n def add(a, b):\n-    return a - b\n+    ${body}\n \n`;

describe("reproduction tests in the sandbox", () => {
  it("tells a right fix from a plausible wrong one, surviving a hanging and a forking test", async () => {
    const task = repoWithFix(path.join(bench.work, "calc"), pythonProject, pythonFix);
    const env = await ensureEnvironment(bench.deps, { repo: "fixtures/calc", cloneDir: task.dir, commit: task.base });
    if (!env.ok) throw new Error(env.reason);
    const repoDir = path.join(bench.work, "calc-at-base");
    const head = await prepareRepoAtBase(task.dir, task.base, repoDir);

    const right = ops("return a + b");
    const wrong = ops("return a + b if b >= 0 else a - b");
    const collection = collectReproTests([
      { index: 0, patch: wrong + added("tests/test_issue_pos.py", "from calc.ops import add\n\n\ndef test_add_positive():\n    assert add(1, 2) == 3\n") },
      { index: 1, patch: right + added("tests/test_issue_neg.py", "from calc.ops import add\n\n\ndef test_add_negative():\n    assert add(2, -1) == 1\n") },
      { index: 2, patch: right + added("tests/test_issue_hang.py", "def test_hangs():\n    while True:\n        pass\n") },
      { index: 3, patch: right + added("tests/test_issue_fork.py", "import os\n\n\ndef test_forks():\n    pids = []\n    try:\n        for _ in range(100000):\n            pids.append(os.fork())\n            if pids[-1] == 0:\n                os._exit(0)\n    except OSError:\n        pass\n    assert True\n") },
    ]);
    expect(collection.bundles).toHaveLength(1);
    const results = await runReproTests(
      { docker: createDocker(), image: env.image, plan: env.plan, repoDir, repoHead: head, timeoutMs: 20_000, limits: { cpus: 1, memoryMb: 512, pids: 256 } },
      collection,
      [
        { id: "c0", index: 0, patch: wrong },
        { id: "c1", index: 1, patch: right },
      ],
    );
    // The bundle hung on every tree and was run again one rollout's tests at a time: only the hanging test's own runs hang then.
    const hung = results.runs.filter((r) => /did not finish/.test(r.error ?? ""));
    expect(hung.filter((r) => r.command.includes("test_issue_pos.py")).map((r) => r.tree)).toEqual(["unpatched", 0, 1]);
    expect(hung.filter((r) => !r.command.includes("test_issue_pos.py")).every((r) => r.command.endsWith("tests/test_issue_hang.py"))).toBe(true);
    // The fork bomb met the PID limit and the run went on.
    expect(results.unpatched["r3:tests/test_issue_fork.py::test_forks"]).toBe(true);
    expect(results.unpatched).toMatchObject({ "r0:tests/test_issue_pos.py::test_add_positive": false, "r1:tests/test_issue_neg.py::test_add_negative": false });
    expect(results.candidates.c0).toMatchObject({ "r0:tests/test_issue_pos.py::test_add_positive": true, "r1:tests/test_issue_neg.py::test_add_negative": false });
    expect(results.candidates.c1).toMatchObject({ "r0:tests/test_issue_pos.py::test_add_positive": true, "r1:tests/test_issue_neg.py::test_add_negative": true });
    expect(results.candidates.c1?.["r2:tests/test_issue_hang.py::test_hangs"]).not.toBe(true);

    const ranking = hybridRank({
      candidates: [
        { id: "c0", index: 0, score: 0.95, changedLines: 2, regressionPassed: 2, repro: results.candidates.c0 ?? {} },
        { id: "c1", index: 1, score: 0.7, changedLines: 2, regressionPassed: 2, repro: results.candidates.c1 ?? {} },
      ],
      unpatched: results.unpatched,
    });
    expect(ranking.rows[0]?.index).toBe(1);
    expect(ranking.decidedBy).toEqual(["reproduction tests"]);
  }, 300_000);
});
