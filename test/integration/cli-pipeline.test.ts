// The batch CLI on repositories the test creates: harvest → validate → eval → export, with
// exact FAIL_TO_PASS / PASS_TO_PASS, the JSON lines format, and exit codes.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { git, mochaFix, nodeTestFix, nodeTestProject, pythonFix, pythonProject, repoWithFix, repoWithMergedPulls } from "../support/fixture-repos.js";
import { runLego } from "../support/lego-process.js";
import { TEST_CACHE_DIR } from "../support/services.js";

const work = mkdtempSync(path.join(os.tmpdir(), "lego-cli-pipe-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const env = { LEGO_DATA_DIR: path.join(work, "data"), LEGO_CACHE_DIR: TEST_CACHE_DIR, LEGO_SANDBOX_CPUS: "1", LEGO_SANDBOX_MEMORY_MB: "1024" };

function lego(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = runLego(args, env, work);
  let stdout = "";
  let stderr = "";
  proc.stdout?.on("data", (d) => (stdout += d));
  proc.stderr?.on("data", (d) => (stderr += d));
  return new Promise((resolve) => proc.once("exit", (code) => resolve({ code, stdout, stderr })));
}

const jsonLines = (s: string) => s.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe("lego harvest / validate / eval / export", () => {
  const py = repoWithMergedPulls(path.join(work, "calc"), pythonProject, pythonFix, { "README.md": "calc\n" });

  it("harvests a Python repository: the merged PR is valid with exact test sets, the docs PR skipped", async () => {
    const r = await lego(["harvest", py.dir, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const tasks = jsonLines(r.stdout);
    expect(tasks.map((t) => [t.instance_id, t.status])).toEqual([
      ["local__calc-8", "skipped"],
      ["local__calc-7", "valid"],
    ]);
    const t = tasks[1]!;
    expect(t).toMatchObject({
      repo: "local/calc",
      base_commit: py.base,
      problem_statement: "The function gets it wrong\n\nFixes #3",
      FAIL_TO_PASS: ["tests/test_ops.py::test_add"],
      PASS_TO_PASS: ["tests/test_ops.py::test_mul", "tests/test_ops.py::test_sub"],
      kind: "real",
      language: "python",
    });
    expect(tasks[0]!.status_reason).toMatch(/^no test change/);
    writeFileSync(path.join(work, "tasks.jsonl"), `${JSON.stringify(t)}\n`);
  }, 300_000);

  it("takes the problem statement from --issue-text and a single --pr", async () => {
    writeFileSync(path.join(work, "issue.md"), "add() is broken<!-- ignore me -->\n\nIt subtracts.\n");
    const r = await lego(["harvest", py.dir, "--pr", "7", "--issue-text", path.join(work, "issue.md"), "--json", "--no-validate"]);
    expect(r.code).toBe(0);
    const [t] = jsonLines(r.stdout);
    expect(t).toMatchObject({ instance_id: "local__calc-7", status: "candidate", problem_statement: "add() is broken\n\nIt subtracts." });
  });

  it("validates task instances from JSON lines and reports unreadable lines without losing the rest", async () => {
    const file = path.join(work, "mixed.jsonl");
    const good = (await import("node:fs")).readFileSync(path.join(work, "tasks.jsonl"), "utf8");
    writeFileSync(file, `${good}{"instance_id": "broken"}\nnot json\n`);
    const r = await lego(["validate", file, "--repo", py.dir, "--json"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/mixed\.jsonl:2: skipped: .*repo/);
    expect(r.stderr).toMatch(/mixed\.jsonl:3: skipped: not valid JSON/);
    const [t] = jsonLines(r.stdout);
    expect(t).toMatchObject({ status: "valid", FAIL_TO_PASS: ["tests/test_ops.py::test_add"] });
  }, 300_000);

  it("evaluates predictions: the gold patch resolves, a wrong one does not, an empty one is unresolved", async () => {
    const task = JSON.parse((await import("node:fs")).readFileSync(path.join(work, "tasks.jsonl"), "utf8")) as { instance_id: string; patch: string };
    const preds = path.join(work, "preds.jsonl");
    const pred = (model: string, patch: string) => JSON.stringify({ instance_id: task.instance_id, model_name_or_path: model, model_patch: patch });
    writeFileSync(preds, [pred("gold", task.patch), pred("wrong", task.patch.replace("return a + b", "return a * b")), pred("empty", "")].join("\n"));
    const r = await lego(["eval", path.join(work, "tasks.jsonl"), preds, "--repo", py.dir, "--json"]);
    expect(r.code).toBe(0);
    const reports = jsonLines(r.stdout);
    expect(reports.map((x) => [x.model_name_or_path, x.resolved])).toEqual([["gold", true], ["wrong", false], ["empty", false]]);
    expect(reports[1]).toMatchObject({ FAIL_TO_PASS: { success: [], failure: ["tests/test_ops.py::test_add"] }, reason: "tests failed" });
    expect(reports[2]).toMatchObject({ reason: "empty patch" });
    const text = await lego(["eval", path.join(work, "tasks.jsonl"), preds, "--repo", py.dir]);
    expect(text.stdout).toMatch(/^resolved 1\/3 \(33\.3%\)/);
  }, 300_000);

  it("runs agent rollouts against an OpenAI-compatible endpoint and grades each trajectory", async () => {
    const { startModelDouble } = await import("../support/model-double.js");
    const { policyResponder } = await import("../support/scripted-agent.js");
    const models = await startModelDouble();
    const kinds = { "0": "correct", "1": "wrong", "2": "edit-tests" } as const;
    models.respondWith(policyResponder((id) => kinds[(id.split("-r").pop() ?? "0") as "0"]), { model: "policy" });
    try {
      const r = await lego(["rollout", path.join(work, "tasks.jsonl"), "--model", models.baseURL, "--model-name", "policy", "-k", "3", "--repo", py.dir, "--json", "--store"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const trajectories = jsonLines(r.stdout).sort((a, b) => Number(a.rollout) - Number(b.rollout));
      expect(trajectories.map((t) => [t.rollout, t.outcome])).toEqual([
        [0, "resolved"],
        [1, "semi-resolved"],
        [2, "cheated"],
      ]);
      const t0 = trajectories[0] as { patch: string; steps: { action: { tool: string } | null }[]; messages: unknown[]; finishReason: string; turns: number };
      expect(t0.patch).toContain("+    return a + b");
      expect(t0.steps.map((s) => s.action?.tool)).toEqual(["execute_bash", "think", "str_replace_editor", "str_replace_editor", "execute_bash", "finish"]);
      expect(t0).toMatchObject({ finishReason: "finish", turns: 6 });
      expect(t0.messages.length).toBeGreaterThan(10);
    } finally {
      await models.close();
    }
  }, 300_000);

  it("exports the rollouts --store kept as SFT and verifier data, and never a held-out task", async () => {
    const sft = await lego(["export", "sft", "--out", path.join(work, "sft")]);
    expect(sft.stderr).toBe("");
    expect(sft.stdout.trim()).toBe(`SFT export in ${path.join(work, "sft")}: 1 record(s) (easy 1, medium 0, hard 0); excluded: 1 outcome:semi-resolved, 1 outcome:cheated`);
    const manifest = JSON.parse((await import("node:fs")).readFileSync(path.join(work, "sft", "manifest.json"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({ task_ids: ["local__calc-7"], rollout_ids: ["local__calc-7-policy-r0"], models: ["policy"] });
    const verifier = await lego(["export", "verifier", "--out", path.join(work, "verifier")]);
    expect(verifier.stdout.trim()).toBe(`verifier export in ${path.join(work, "verifier")}: 2 record(s) (YES 1, NO 1); excluded: 1 balance`);

    writeFileSync(path.join(work, "heldout.txt"), "local__calc-7\n");
    expect((await lego(["holdout", "add", path.join(work, "heldout.txt")])).code).toBe(0);
    const after = await lego(["export", "sft", "--out", path.join(work, "sft-after")]);
    expect(after.code).toBe(4);
    expect(after.stdout.trim()).toBe(`SFT export in ${path.join(work, "sft-after")}: 0 record(s) (easy 0, medium 0, hard 0); excluded: 3 holdout:instance-id`);
  }, 120_000);

  it("harvests JavaScript repositories: node:test and mocha", async () => {
    const nt = repoWithMergedPulls(path.join(work, "strutil"), nodeTestProject, nodeTestFix, { "README.md": "x\n" });
    const r = await lego(["harvest", nt.dir, "--pr", "7", "--json"]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)[0]).toMatchObject({ status: "valid", language: "javascript", FAIL_TO_PASS: ["isBlank treats whitespace as blank"], PASS_TO_PASS: ["capitalize", "reverse"] });

    const { mochaProject } = await import("../support/fixture-repos.js");
    const lock = (await import("node:fs")).readFileSync(new URL("../fixtures/npm/mocha/package-lock.json", import.meta.url), "utf8");
    const mo = repoWithMergedPulls(path.join(work, "strmocha"), mochaProject(lock), mochaFix, { "README.md": "x\n" });
    const m = await lego(["harvest", mo.dir, "--pr", "7", "--json"]);
    expect(m.code).toBe(0);
    expect(jsonLines(m.stdout)[0]).toMatchObject({ status: "valid", FAIL_TO_PASS: ["test/str.spec.js > str treats whitespace as blank"] });
  }, 600_000);

  it("exports stored valid tasks in the SWE-bench format", async () => {
    const r = await lego(["export", "tasks", "--format", "swebench"]);
    expect(r.code).toBe(0);
    const ids = jsonLines(r.stdout).map((t) => t.instance_id);
    expect(ids).toEqual(expect.arrayContaining(["local__calc-7", "local__strutil-7", "local__strmocha-7"]));
    expect(ids).not.toContain("local__calc-8");
  });

  it("exits 4 when nothing valid came out, and 2 for a bad flag", async () => {
    const none = await lego(["harvest", py.dir, "--pr", "8"]);
    expect(none.code).toBe(4);
    expect(none.stdout).toMatch(/0 valid task/);
    const bad = await lego(["harvest", py.dir, "--since", "yesterday-ish"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected a date/);
    const missing = await lego(["harvest", py.dir, "--pr", "99"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no merged pull request #99/);
  });

  it("says on stderr, even with --json, when a history holds no merged pull request, and exits 4", async () => {
    const plain = path.join(work, "plain");
    repoWithFix(plain, { "a.py": "a = 1\n" }, { "a.py": "a = 2\n" });
    git(plain, "commit", "-q", "--amend", "-m", "Fix the bug without a PR number");
    const r = await lego(["harvest", plain, "--json"]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/no merged pull requests found in the last 2 commits; styles looked for: "Merge pull request #N from …" merge commits, /);
  });
});
