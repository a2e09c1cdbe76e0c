import { readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { exportSft } from "../../../training/export-sft.js";
import type { SharegptRecord } from "../../../training/sharegpt.js";
import type { Problem } from "../../../training/source.js";
import { checkHashes, from, groups, holdout, outDir, readJsonl, work } from "../../support/export-groups.js";

afterAll(() => rmSync(work, { recursive: true, force: true }));

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
