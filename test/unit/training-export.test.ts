import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { exportSft } from "../../training/export-sft.js";
import { exportVerifier } from "../../training/export-verifier.js";
import { HoldoutIndex } from "../../training/holdout.js";
import { ExportDir } from "../../training/output.js";
import type { SharegptRecord } from "../../training/sharegpt.js";
import type { ExportRollout, ExportTask, Problem, TaskGroup } from "../../training/source.js";
import { JUDGE_SYSTEM_PROMPT } from "../../src/verifier/prompt.js";
import { bashCall, buildTrajectory, failedActionsScript, finishCall, type ScriptedTurn } from "../support/trajectory-fixtures.js";

const work = mkdtempSync(path.join(os.tmpdir(), "lego-export-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const outDir = () => path.join(work, `out-${++n}`);

function task(instanceId: string, extra: Partial<ExportTask> = {}): ExportTask {
  return { instanceId, repo: "acme/calc", kind: "real", pullNumber: null, patch: "diff --git a/calc/ops.py b/calc/ops.py\n", failToPass: ["tests/test_ops.py::test_add"], passToPass: [], problemStatement: "add is wrong", ...extra };
}

/** `turns` assistant turns: bash calls, then finish. */
function longScript(turns: number): ScriptedTurn[] {
  return [...Array.from({ length: turns - 1 }, (_, i) => ({ calls: [bashCall(`echo ${i}`)] })), { calls: [finishCall()] }];
}

function rollout(rolloutId: string, outcome: ExportRollout["outcome"], turns: ScriptedTurn[] | ExportRollout["trajectory"], extra: Partial<ExportRollout> = {}): ExportRollout {
  return {
    rolloutId,
    model: "teacher-model",
    outcome,
    createdAt: new Date(`2026-01-0${1 + (n % 8)}T00:00:00Z`),
    patch: "diff --git a/calc/ops.py b/calc/ops.py\n-    return a - b\n+    return a + b\n",
    trajectory: Array.isArray(turns) ? buildTrajectory("tools", turns) : turns,
    signals: [],
    ...extra,
  };
}

async function* from(groups: TaskGroup[]): AsyncIterable<TaskGroup> {
  yield* groups;
}

const groups = (): TaskGroup[] => [
  {
    task: task("acme__calc-1"),
    rollouts: [
      rollout("a-long", "resolved", failedActionsScript()),
      rollout("a-short", "resolved", longScript(3)),
      rollout("a-unres", "unresolved", longScript(2)),
      rollout("a-cheat", "cheated", longScript(2)),
      rollout("a-semi", "semi-resolved", longScript(2)),
      rollout("a-infra", "infra-error", longScript(2)),
    ],
  },
  { task: task("acme__calc-2", { pullNumber: 2 }), rollouts: [rollout("b-0", "resolved", longScript(2))] },
  { task: task("acme__calc-3", { failToPass: [] }), rollouts: [rollout("c-0", "resolved", longScript(2))] },
  {
    task: task("acme__calc-4"),
    rollouts: [rollout("d-corrupt", "resolved", { messages: [{ role: "system", content: "s" }], steps: [] }), rollout("d-medium", "resolved", longScript(60))],
  },
  { task: task("acme__calc-5"), rollouts: [rollout("e-hard", "resolved", longScript(80))] },
  { task: task("acme__calc-6"), rollouts: [rollout("f-masked", "resolved", failedActionsScript())] },
];

const holdout = new HoldoutIndex([{ instanceId: null, repo: "acme/calc", pullNumber: 2, patchHash: null, wholeRepo: false }]);

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as T);
}

function checkHashes(dir: string, manifest: Record<string, unknown>): void {
  const files = manifest.files as { path: string; bytes: number; sha256: string }[];
  expect(files.map((f) => f.path).sort()).toEqual(readdirSync(dir).filter((f) => f !== "manifest.json").sort());
  for (const f of files) {
    const bytes = readFileSync(path.join(dir, f.path));
    expect({ path: f.path, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length }).toEqual({ path: f.path, sha256: f.sha256, bytes: f.bytes });
  }
}

describe("exportSft, LLaMA-Factory format", () => {
  it("writes tiered sharegpt files, dataset_info, the recipe YAMLs and a manifest, leaving out what must not get in", async () => {
    const problems: Problem[] = [];
    const dir = outDir();
    const { manifest } = await exportSft(from(groups()), { outDir: dir, format: "llamafactory", holdout, onProblem: (p) => problems.push(p), baseModel: "Qwen/Qwen3-32B" });

    expect(readdirSync(dir).sort()).toEqual(["dataset_info.json", "excluded.jsonl", "lego_sft_easy.jsonl", "lego_sft_hard.jsonl", "lego_sft_medium.jsonl", "manifest.json", "stage1.yaml", "stage2.yaml", "stage3.yaml", "train.yaml"]);
    const easy = readJsonl<SharegptRecord>(path.join(dir, "lego_sft_easy.jsonl"));
    expect(easy).toHaveLength(2);
    for (const record of [...easy, ...readJsonl<SharegptRecord>(path.join(dir, "lego_sft_medium.jsonl")), ...readJsonl<SharegptRecord>(path.join(dir, "lego_sft_hard.jsonl"))]) {
      const roles = record.messages.map((m) => m.role);
      expect(roles[0]).toBe("system");
      roles.slice(1).forEach((r, i) => expect(r).toBe(i % 2 === 0 ? "user" : "assistant"));
      expect(roles.at(-1)).toBe("assistant");
    }
    // The task with failed actions: exactly the failed ones carry turn_mask.
    const masked = easy[1] as SharegptRecord;
    expect(masked.messages.filter((m) => m.role === "assistant").map((m) => m.turn_mask === true)).toEqual([false, true, false, true, true, true, false, false, false, false]);
    // The shortest resolved trajectory of task 1.
    expect((easy[0] as SharegptRecord).messages.filter((m) => m.role === "assistant")).toHaveLength(3);

    expect(manifest).toMatchObject({
      kind: "sft",
      format: "llamafactory",
      options: { mask: "tool-errors", include: ["resolved"], per_task: 1, cutoff_len: 131072, base_model: "Qwen/Qwen3-32B" },
      counts: {
        tasks_seen: 6,
        rollouts_seen: 12,
        records: 4,
        by_tier: { easy: 2, medium: 1, hard: 1 },
        by_outcome: { resolved: 4 },
        masked_turns: 4,
        excluded: {
          "per-task-limit": 1,
          "outcome:unresolved": 1,
          "outcome:cheated": 1,
          "outcome:semi-resolved": 1,
          "outcome:infra-error": 1,
          "holdout:repo-pr": 1,
          "task-without-tests": 1,
          "corrupt-trajectory": 1,
        },
        excluded_tasks: { "holdout:repo-pr": 1, "task-without-tests": 1 },
      },
      task_ids: ["acme__calc-1", "acme__calc-4", "acme__calc-5", "acme__calc-6"],
      rollout_ids: ["a-short", "d-medium", "e-hard", "f-masked"],
      models: ["teacher-model"],
    });
    expect(problems.map((p) => `${p.task}/${p.rollout ?? ""}: ${p.reason}`)).toEqual(["acme__calc-3/: task-without-tests", "acme__calc-4/d-corrupt: corrupt-trajectory"]);
    checkHashes(dir, manifest);

    expect(JSON.parse(readFileSync(path.join(dir, "dataset_info.json"), "utf8"))).toMatchObject({
      lego_sft_easy: { file_name: "lego_sft_easy.jsonl", formatting: "sharegpt" },
      lego_sft_medium: { file_name: "lego_sft_medium.jsonl" },
      lego_sft_hard: { file_name: "lego_sft_hard.jsonl" },
    });
    const stages = [1, 2, 3].map((i) => parse(readFileSync(path.join(dir, `stage${i}.yaml`), "utf8")) as Record<string, unknown>);
    expect(stages.map((s) => [s.dataset, s.model_name_or_path, s.output_dir])).toEqual([
      ["lego_sft_easy", "Qwen/Qwen3-32B", "saves/lego_sft/stage1-easy"],
      ["lego_sft_easy,lego_sft_medium", "saves/lego_sft/stage1-easy", "saves/lego_sft/stage2-easy_medium"],
      ["lego_sft_easy,lego_sft_medium,lego_sft_hard", "saves/lego_sft/stage2-easy_medium", "saves/lego_sft/stage3-all"],
    ]);
    for (const s of stages) expect(s).toMatchObject({ dataset_dir: dir, learning_rate: 5e-5, turn_mask: true, template: "qwen3_nothink", cutoff_len: 131072 });
    expect(manifest.stages).toEqual([
      { index: 1, name: "easy", tiers: ["easy"], dataset: ["lego_sft_easy"], files: ["lego_sft_easy.jsonl"], yaml: "stage1.yaml", output_dir: "saves/lego_sft/stage1-easy", starts_from: "Qwen/Qwen3-32B" },
      { index: 2, name: "easy_medium", tiers: ["easy", "medium"], dataset: ["lego_sft_easy", "lego_sft_medium"], files: ["lego_sft_easy.jsonl", "lego_sft_medium.jsonl"], yaml: "stage2.yaml", output_dir: "saves/lego_sft/stage2-easy_medium", starts_from: "saves/lego_sft/stage1-easy" },
      { index: 3, name: "all", tiers: ["easy", "medium", "hard"], dataset: ["lego_sft_easy", "lego_sft_medium", "lego_sft_hard"], files: ["lego_sft_easy.jsonl", "lego_sft_medium.jsonl", "lego_sft_hard.jsonl"], yaml: "stage3.yaml", output_dir: "saves/lego_sft/stage3-all", starts_from: "saves/lego_sft/stage2-easy_medium" },
    ]);
    expect(parse(readFileSync(path.join(dir, "train.yaml"), "utf8"))).toMatchObject({ dataset: "lego_sft_easy,lego_sft_medium,lego_sft_hard", model_name_or_path: "Qwen/Qwen3-32B" });
  });

  it("takes semi-resolved ones, N per task, a cutoff, other tiers, JSON arrays and overrides", async () => {
    const dir = outDir();
    const { manifest } = await exportSft(from(groups().slice(0, 1)), {
      outDir: dir,
      format: "llamafactory",
      fileFormat: "json",
      selection: { include: ["resolved", "semi-resolved"], perTask: 3, cutoffLen: 20_000 },
      tiers: { easy: 2, medium: 5 },
      yamlOverrides: { num_train_epochs: 2, report_to: "wandb" },
      mask: "all-nonzero",
    });
    const counts = manifest.counts as Record<string, unknown>;
    expect(counts.by_outcome).toEqual({ "semi-resolved": 1, resolved: 2 });
    expect(counts.by_tier).toEqual({ easy: 1, medium: 1, hard: 1 });
    expect(JSON.parse(readFileSync(path.join(dir, "lego_sft_easy.json"), "utf8"))).toHaveLength(1);
    expect(parse(readFileSync(path.join(dir, "stage1.yaml"), "utf8"))).toMatchObject({ num_train_epochs: 2, report_to: "wandb" });
    checkHashes(dir, manifest);
  });

  it("drops and counts what exceeds the cutoff", async () => {
    const { manifest } = await exportSft(from(groups().slice(4, 5)), { outDir: outDir(), format: "llamafactory", selection: { cutoffLen: 8_000 } });
    expect(manifest.counts).toMatchObject({ records: 0, excluded: { "over-cutoff": 1 } });
    expect(manifest.stages).toEqual([]);
  });
});

describe("exportSft, OpenAI format", () => {
  it("writes the same conversations with weight 0 on exactly the masked messages", async () => {
    const llama = outDir();
    const openai = outDir();
    await exportSft(from(groups()), { outDir: llama, format: "llamafactory", holdout });
    const { manifest } = await exportSft(from(groups()), { outDir: openai, format: "openai", holdout });
    expect(readdirSync(openai).sort()).toEqual(["excluded.jsonl", "lego_sft.jsonl", "manifest.json"]);
    const chats = readJsonl<{ messages: { role: string; content: string; weight?: number }[] }>(path.join(openai, "lego_sft.jsonl"));
    const sharegpt = ["easy", "medium", "hard"].flatMap((t) => readJsonl<SharegptRecord>(path.join(llama, `lego_sft_${t}.jsonl`)));
    const byFirstAnswer = (messages: { role: string; content: string }[]) => messages.find((m) => m.role === "assistant")?.content;
    expect(chats).toHaveLength(sharegpt.length);
    for (const chat of chats) {
      const twin = sharegpt.find((r) => byFirstAnswer(r.messages) === byFirstAnswer(chat.messages) && r.messages.length === chat.messages.length) as SharegptRecord;
      chat.messages.forEach((m, i) => {
        const s = twin.messages[i];
        expect(m.content).toBe(s?.content);
        expect(m.weight).toBe(m.role === "assistant" ? (s?.turn_mask ? 0 : 1) : undefined);
      });
    }
    expect(chats.flatMap((c) => c.messages.filter((m) => m.weight === 0))).toHaveLength(4);
    checkHashes(openai, manifest);
  });
});

describe("exportVerifier", () => {
  it("writes judge examples with the inference prompt, labels with their source, balanced per task", async () => {
    const dir = outDir();
    const fixTask = task("fix:acme/calc#9", { kind: "fix", failToPass: [], patch: "" });
    const merged = rollout("fix-chosen", null, longScript(2), { signals: [{ signal: "merged", at: new Date() }] });
    const { manifest } = await exportVerifier(from([...groups(), { task: fixTask, rollouts: [merged, rollout("fix-sibling", null, longScript(2))] }]), { outDir: dir, holdout });
    const records = readJsonl<{ messages: { role: string; content: string }[] }>(path.join(dir, "lego_verifier.jsonl"));
    const labels = readJsonl<{ rollout: string; label: string; source: string }>(path.join(dir, "labels.jsonl"));
    expect(labels.map((l) => `${l.rollout}:${l.label}:${l.source}`)).toEqual([
      "a-long:YES:tests",
      "a-short:YES:tests",
      "a-cheat:NO:tests",
      "a-semi:NO:tests",
      "d-medium:YES:tests",
      "e-hard:YES:tests",
      "f-masked:YES:tests",
      "fix-chosen:YES:maintainer:merged",
    ]);
    expect(records).toHaveLength(labels.length);
    for (const [i, record] of records.entries()) {
      expect(record.messages.map((m) => m.role)).toEqual(["system", "user", "assistant"]);
      expect(record.messages[0]?.content).toBe(JUDGE_SYSTEM_PROMPT);
      expect(record.messages[1]?.content).toMatch(/^Please evaluate the following interaction between an AI assistant and a user:\n\n=== INTERACTION LOG ===/);
      expect(record.messages[1]?.content).toContain("=== FINAL PATCH ===");
      expect(record.messages[2]?.content).toBe(`<judgement>${labels[i]?.label}</judgement>`);
    }
    expect(manifest).toMatchObject({
      kind: "verifier",
      counts: {
        records: 8,
        by_label: { NO: 2, YES: 6 },
        by_label_source: { tests: 7, "maintainer:merged": 1 },
        excluded: { balance: 1, "outcome:infra-error": 1, "holdout:repo-pr": 1, "task-without-tests": 1, "corrupt-trajectory": 1, "outcome:ungraded": 1 },
      },
    });
    checkHashes(dir, manifest);
    expect(parse(readFileSync(path.join(dir, "train.yaml"), "utf8"))).toMatchObject({ dataset: "lego_verifier", learning_rate: 2e-5, num_train_epochs: 5 });
  });
});

describe("export output", () => {
  it("refuses a directory that is not empty and leaves it alone", async () => {
    const dir = outDir();
    mkdirSync(dir);
    writeFileSync(path.join(dir, "keep.txt"), "mine");
    await expect(exportSft(from(groups()), { outDir: dir, format: "llamafactory" })).rejects.toThrow(/exists and is not empty; choose a new --out directory/);
    expect(readdirSync(dir)).toEqual(["keep.txt"]);
  });

  it("takes an empty directory", async () => {
    const dir = outDir();
    mkdirSync(dir);
    await exportSft(from(groups().slice(1, 2)), { outDir: dir, format: "openai" });
    expect(readdirSync(dir)).toContain("manifest.json");
  });

  it("leaves nothing that looks complete when the source fails midway", async () => {
    const dir = outDir();
    async function* failing(): AsyncIterable<TaskGroup> {
      yield (groups()[0] as TaskGroup);
      throw new Error("database went away");
    }
    await expect(exportSft(failing(), { outDir: dir, format: "llamafactory" })).rejects.toThrow("database went away");
    expect(readdirSync(work).filter((f) => f.startsWith(path.basename(dir)))).toEqual([]);
  });

  it("writes under a temporary name until the end", async () => {
    const dir = outDir();
    const out = await ExportDir.create(dir);
    await out.writeText("a.txt", "x");
    expect(readdirSync(work).filter((f) => f.startsWith(path.basename(dir)))).toEqual([path.basename(out.tempDir)]);
    await out.commit(() => ({}));
    expect(readdirSync(dir).sort()).toEqual(["a.txt", "manifest.json"]);
  });
});
