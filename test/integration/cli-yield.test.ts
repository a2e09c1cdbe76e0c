// `lego harvest --max-tasks N` stops once N valid tasks are in (skipped PRs do not count), and
// `lego eval` writes the SWE-bench-style report.json (resolved / unresolved / error ids) beside
// the predictions. node:test fixtures: only a Node runtime is installed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commit, git, nodeTestFix, nodeTestProject } from "../support/fixture-repos.js";
import { runLego } from "../support/lego-process.js";
import { TEST_CACHE_DIR } from "../support/services.js";

const work = mkdtempSync(path.join(os.tmpdir(), "lego-cli-yield-"));
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

// Squash-merged PRs, oldest first: #7 fixes isBlank, #8 adds twice() with its test, #9 only docs.
const dir = path.join(work, "strutil");
mkdirSync(dir, { recursive: true });
git(dir, "init", "-q", "-b", "main");
commit(dir, "initial", nodeTestProject);
commit(dir, "Fix isBlank (#7)", nodeTestFix);
commit(dir, "Add twice (#8)", {
  "src/str.js": `${nodeTestFix["src/str.js"]}exports.twice = (s) => s + s;\n`,
  "test/twice.test.js": `const test = require("node:test");\nconst assert = require("node:assert");\nconst { twice } = require("../src/str.js");\n\ntest("twice repeats", () => assert.strictEqual(twice("ab"), "abab"));\n`,
});
commit(dir, "Docs (#9)", { "README.md": "strutil\n" });

describe("lego harvest --max-tasks / lego eval report.json", () => {
  it("--max-tasks 1 stops after the first valid task; the docs PR before it is skipped without counting", async () => {
    const r = await lego(["harvest", dir, "--max-tasks", "1", "--json"]);
    expect(r.code).toBe(0);
    const rows = jsonLines(r.stdout);
    expect(rows.map((t) => [t.instance_id, t.status])).toEqual([
      ["local__strutil-9", "skipped"],
      ["local__strutil-8", "valid"],
    ]);
    expect(rows[1]).toMatchObject({ FAIL_TO_PASS: ["twice repeats"] });
    // #7 was never reached; harvested on its own it is valid too.
    const seven = await lego(["harvest", dir, "--pr", "7", "--json"]);
    expect(jsonLines(seven.stdout).map((t) => [t.instance_id, t.status])).toEqual([["local__strutil-7", "valid"]]);
    writeFileSync(path.join(work, "tasks.jsonl"), [rows[1], ...jsonLines(seven.stdout)].map((t) => JSON.stringify(t)).join("\n"));
  }, 600_000);

  it("lego eval writes report.json beside the predictions: resolved, unresolved and error ids", async () => {
    const tasks = readFileSync(path.join(work, "tasks.jsonl"), "utf8").split("\n").map((l) => JSON.parse(l) as { instance_id: string; patch: string });
    const byId = new Map(tasks.map((t) => [t.instance_id, t]));
    const gold8 = byId.get("local__strutil-8")?.patch ?? "";
    const wrong7 = (byId.get("local__strutil-7")?.patch ?? "").replace("s.trim().length === 0", "s.length === -1");
    expect(wrong7).toContain("s.length === -1");
    mkdirSync(path.join(work, "preds"), { recursive: true });
    const preds = path.join(work, "preds", "predictions.jsonl");
    const pred = (id: string, patch: string) => JSON.stringify({ instance_id: id, model_name_or_path: "m", model_patch: patch });
    writeFileSync(preds, [pred("local__strutil-8", gold8), pred("local__strutil-7", wrong7), pred("local__strutil-99", gold8)].join("\n"));
    const r = await lego(["eval", path.join(work, "tasks.jsonl"), preds, "--repo", dir, "--json"]);
    expect(r.stderr).toContain(`report: ${path.join(work, "preds", "report.json")}`);
    const report = JSON.parse(readFileSync(path.join(work, "preds", "report.json"), "utf8")) as Record<string, unknown>;
    expect(report).toMatchObject({
      total_instances: 3,
      submitted_instances: 3,
      completed_instances: 2,
      resolved_instances: 1,
      unresolved_instances: 1,
      error_instances: 1,
      resolved_ids: ["local__strutil-8"],
      unresolved_ids: ["local__strutil-7"],
      error_ids: ["local__strutil-99"],
      empty_patch_ids: [],
      schema_version: 2,
    });
    expect(jsonLines(r.stdout).map((x) => [x.instance_id, x.resolved, x.valid])).toEqual([
      ["local__strutil-8", true, true],
      ["local__strutil-7", false, true],
      ["local__strutil-99", false, false],
    ]);
  }, 600_000);
});
