// `lego holdout` and `lego export sft|verifier` as users run them, on files made elsewhere
// (lego rollout and lego validate output) and a real PostgreSQL database for the held-out set.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLego } from "../support/lego-process.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { bashCall, buildTrajectory, failedActionsScript, finishCall } from "../support/trajectory-fixtures.js";

const cwd = mkdtempSync(path.join(os.tmpdir(), "lego-cli-training-"));
let temp: TempDatabase;

function lego(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = runLego(args, { DATABASE_URL: temp.url }, cwd);
  let stdout = "";
  let stderr = "";
  proc.stdout?.on("data", (d) => (stdout += d));
  proc.stderr?.on("data", (d) => (stderr += d));
  return new Promise((resolve) => proc.once("exit", (code) => resolve({ code, stdout, stderr })));
}

const task = (id: string) => ({ instance_id: id, repo: "acme/calc", base_commit: "a".repeat(40), patch: `diff --git a/c.py b/c.py\n-x${id}\n+y\n`, test_patch: "", FAIL_TO_PASS: ["t::a"], PASS_TO_PASS: [] });

function rolloutLine(instanceId: string, rollout: number, outcome: string, turns = failedActionsScript()): string {
  const t = buildTrajectory("tools", turns);
  return JSON.stringify({ instance_id: instanceId, rollout, messages: t.messages, steps: t.steps, patch: "diff --git a/c.py b/c.py\n", mode: "tools", model: "teacher", outcome, outcome_reason: "r" });
}

beforeAll(async () => {
  temp = await createTempDatabase();
  writeFileSync(path.join(cwd, "tasks.jsonl"), ["acme__calc-1", "acme__calc-2", "acme__calc-3"].map((id) => JSON.stringify(task(id))).join("\n"));
  writeFileSync(
    path.join(cwd, "traj.jsonl"),
    [rolloutLine("acme__calc-1", 0, "resolved"), rolloutLine("acme__calc-1", 1, "unresolved", [{ calls: [bashCall("ls")] }, { calls: [finishCall()] }]), rolloutLine("acme__calc-2", 0, "resolved"), rolloutLine("acme__calc-3", 0, "resolved")].join("\n"),
  );
  writeFileSync(path.join(cwd, "heldout.txt"), "# SWE-bench style\nacme__calc-2\nnot an id\n");
});

afterAll(async () => {
  await temp?.drop();
  rmSync(cwd, { recursive: true, force: true });
});

describe("lego holdout and lego export", () => {
  it("holds out ids from a list, reporting the ones it cannot use", async () => {
    const r = await lego(["holdout", "add", "heldout.txt"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("not an id: not held out: LegoFactory has no such task and it is not a SWE-bench id (owner__name-PR)");
    expect(r.stderr).toContain("acme__calc-2: LegoFactory has no such task; held out by its id and repository + PR");
    expect(r.stdout.trim()).toBe("1 new held-out entry (0 already there); 1 rejected");
    const repo = await lego(["holdout", "add", "--repo", "secret/evals", "--json"]);
    expect(repo.code).toBe(0);
    expect(JSON.parse(repo.stdout)).toMatchObject({ added: 1 });
    const list = await lego(["holdout", "list"]);
    expect(list.stdout).toMatch(/^id:acme__calc-2\s+heldout\.txt\nrepo:secret\/evals\s+--repo secret\/evals\n$/);
  });

  it("exports SFT data in both formats and verifier data from files, without the held-out task", async () => {
    const sft = await lego(["export", "sft", "--from", "traj.jsonl", "--tasks", "tasks.jsonl", "--out", "sft", "--set", "num_train_epochs=2"]);
    expect(sft.stderr).toBe("");
    expect(sft.code).toBe(0);
    expect(sft.stdout.trim()).toBe(`SFT export in ${path.join(cwd, "sft")}: 2 record(s) (easy 2, medium 0, hard 0); excluded: 1 outcome:unresolved, 1 holdout:instance-id`);
    expect(readdirSync(path.join(cwd, "sft")).sort()).toEqual(["dataset_info.json", "excluded.jsonl", "lego_sft_easy.jsonl", "manifest.json", "stage1.yaml", "train.yaml"]);
    expect(readFileSync(path.join(cwd, "sft", "stage1.yaml"), "utf8")).toContain("num_train_epochs: 2\n");

    const openai = await lego(["export", "sft", "--format", "openai", "--from", "traj.jsonl", "--tasks", "tasks.jsonl", "--out", "openai", "--json"]);
    expect(openai.code).toBe(0);
    const manifest = JSON.parse(openai.stdout) as { counts: { records: number; masked_turns: number } };
    expect(manifest.counts).toMatchObject({ records: 2, masked_turns: 8 });
    const weights = readFileSync(path.join(cwd, "openai", "lego_sft.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { messages: { weight?: number }[] }).messages.filter((m) => m.weight === 0).length);
    expect(weights).toEqual([4, 4]);

    const verifier = await lego(["export", "verifier", "--from", "traj.jsonl", "--tasks", "tasks.jsonl", "--out", "verifier"]);
    expect(verifier.code).toBe(0);
    expect(verifier.stdout.trim()).toBe(`verifier export in ${path.join(cwd, "verifier")}: 3 record(s) (YES 2, NO 1); excluded: 1 holdout:instance-id`);
  });

  it("refuses a directory that is not empty, and --from without --tasks", async () => {
    mkdirSync(path.join(cwd, "taken"));
    writeFileSync(path.join(cwd, "taken", "x"), "");
    const taken = await lego(["export", "sft", "--from", "traj.jsonl", "--tasks", "tasks.jsonl", "--out", "taken"]);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/taken exists and is not empty; choose a new --out directory or remove this one/);
    const noTasks = await lego(["export", "verifier", "--from", "traj.jsonl", "--out", "v2"]);
    expect(noTasks.code).toBe(2);
    expect(noTasks.stderr).toMatch(/--from needs --tasks/);
    expect(existsSync(path.join(cwd, "v2"))).toBe(false);
  });
});
