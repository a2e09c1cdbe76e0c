import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { parseTierThresholds, stagePlan, tierOf } from "../../training/curriculum.js";
import { datasetInfo, parseOverride, sizeClassOf, trainingConfig, trainingYaml } from "../../training/llamafactory.js";
import { choosePerTask, DEFAULT_SELECTION, outcomeExclusion, type Candidate } from "../../training/select.js";
import { estimateConversationTokens } from "../../training/tokens.js";

describe("outcomeExclusion", () => {
  it.each([
    ["resolved", false, null],
    ["resolved", true, null],
    ["semi-resolved", false, "outcome:semi-resolved"],
    ["semi-resolved", true, null],
    ["unresolved", true, "outcome:unresolved"],
    ["cheated", true, "outcome:cheated"],
    ["infra-error", true, "outcome:infra-error"],
    [null, true, "outcome:ungraded"],
  ] as const)("%s with semi-resolved included: %s → %s", (outcome, semi, reason) => {
    expect(outcomeExclusion(outcome, { ...DEFAULT_SELECTION, include: semi ? ["resolved", "semi-resolved"] : ["resolved"] })).toBe(reason);
  });
});

describe("choosePerTask", () => {
  const c = (rolloutId: string, outcome: Candidate["outcome"], assistantTurns: number, tokens = 1000): Candidate => ({ rolloutId, outcome, assistantTurns, tokens });

  it.each([
    ["the shortest resolved", [c("a", "resolved", 30), c("b", "resolved", 20), c("c", "resolved", 25)], 1, ["b"], { a: "per-task-limit", c: "per-task-limit" }],
    ["resolved before a shorter semi-resolved", [c("s", "semi-resolved", 5), c("r", "resolved", 40)], 1, ["r"], { s: "per-task-limit" }],
    ["N of them, in order", [c("a", "resolved", 30), c("b", "resolved", 20), c("s", "semi-resolved", 5)], 2, ["b", "a"], { s: "per-task-limit" }],
    ["the next one when the shortest is over the cutoff", [c("a", "resolved", 10, 200_000), c("b", "resolved", 20)], 1, ["b"], { a: "over-cutoff" }],
    ["ties broken by tokens, then id", [c("z", "resolved", 10, 500), c("y", "resolved", 10, 500), c("x", "resolved", 10, 900)], 1, ["y"], { z: "per-task-limit", x: "per-task-limit" }],
    ["nothing when all are too long", [c("a", "resolved", 10, 140_000)], 1, [], { a: "over-cutoff" }],
  ])("keeps %s", (_name, candidates, perTask, chosen, dropped) => {
    const choice = choosePerTask(candidates, { ...DEFAULT_SELECTION, perTask });
    expect(choice.chosen.map((x) => x.rolloutId)).toEqual(chosen);
    expect(Object.fromEntries(choice.dropped.map((d) => [d.candidate.rolloutId, d.reason]))).toEqual(dropped);
  });
});

describe("curriculum", () => {
  it.each([
    [0, "easy"],
    [50, "easy"],
    [51, "medium"],
    [70, "medium"],
    [71, "hard"],
    [100, "hard"],
    [140, "hard"],
  ] as const)("%i assistant turns is %s", (turns, tier) => {
    expect(tierOf(turns)).toBe(tier);
  });

  it("takes other thresholds", () => {
    expect(tierOf(11, { easy: 10, medium: 20 })).toBe("medium");
    expect(parseTierThresholds("10, 20")).toEqual({ easy: 10, medium: 20 });
    for (const bad of ["20,10", "10", "a,b", "0,5", "10,20,30"]) expect(parseTierThresholds(bad)).toBeNull();
  });

  it.each([
    [{ easy: 3, medium: 2, hard: 1 }, ["easy", "easy_medium", "all"]],
    [{ easy: 3, medium: 0, hard: 1 }, ["easy", "all"]],
    [{ easy: 0, medium: 2, hard: 1 }, ["easy_medium", "all"]],
    [{ easy: 3, medium: 0, hard: 0 }, ["easy"]],
    [{ easy: 0, medium: 0, hard: 0 }, []],
  ])("plans the stages for %o", (counts, names) => {
    const plan = stagePlan(counts);
    expect(plan.map((s) => s.name)).toEqual(names);
    expect(plan.map((s) => s.index)).toEqual(names.map((_, i) => i + 1));
  });
});

describe("LLaMA-Factory files", () => {
  it("describes sharegpt files with OpenAI role tags", () => {
    expect(datasetInfo([{ name: "lego_easy", fileName: "lego_easy.jsonl" }])).toEqual({
      lego_easy: {
        file_name: "lego_easy.jsonl",
        formatting: "sharegpt",
        columns: { messages: "messages" },
        tags: { role_tag: "role", content_tag: "content", user_tag: "user", assistant_tag: "assistant", system_tag: "system" },
      },
    });
  });

  it.each([
    ["Qwen/Qwen3-8B", "8B", false],
    ["Qwen/Qwen2.5-Coder-7B-Instruct", "8B", false],
    ["Qwen/Qwen3-32B", "32B", false],
    ["Qwen/Qwen3-30B-A3B", "32B", false],
    ["/checkpoints/my-model", "8B", true],
  ] as const)("%s is %s-class", (name, sizeClass, assumed) => {
    expect(sizeClassOf(name)).toEqual({ sizeClass, assumed });
  });

  it("writes the SWE-Lego recipe for an 8B and a 32B base model", () => {
    const eight = parse(trainingYaml({ modelNameOrPath: "Qwen/Qwen3-8B", datasets: ["a", "b"], datasetDir: "/data", outputDir: "saves/x" }));
    expect(eight).toMatchObject({
      model_name_or_path: "Qwen/Qwen3-8B",
      stage: "sft",
      finetuning_type: "full",
      deepspeed: "examples/deepspeed/ds_z3_config.json",
      dataset: "a,b",
      dataset_dir: "/data",
      template: "qwen3_nothink",
      cutoff_len: 131072,
      rope_scaling: "yarn",
      turn_mask: true,
      per_device_train_batch_size: 1,
      gradient_accumulation_steps: 8,
      learning_rate: 1e-4,
      weight_decay: 0.01,
      max_grad_norm: 1.0,
      num_train_epochs: 4,
      lr_scheduler_type: "cosine",
      warmup_ratio: 0.1,
      bf16: true,
      output_dir: "saves/x",
    });
    expect(trainingConfig({ modelNameOrPath: "Qwen/Qwen3-32B", datasets: ["a"], datasetDir: "/d", outputDir: "o" }).learning_rate).toBe(5e-5);
    // A later stage starts from a checkpoint path; its learning rate still follows the base model.
    expect(trainingConfig({ modelNameOrPath: "saves/stage1", baseModel: "Qwen/Qwen3-32B", datasets: ["a"], datasetDir: "/d", outputDir: "o" }).learning_rate).toBe(5e-5);
  });

  it("lets every value be overridden or removed", () => {
    const config = trainingConfig({ modelNameOrPath: "Qwen/Qwen3-8B", datasets: ["a"], datasetDir: "/d", outputDir: "o", overrides: { learning_rate: 2e-5, report_to: "wandb", flash_attn: null, new_key: 3 } });
    expect(config).toMatchObject({ learning_rate: 2e-5, report_to: "wandb", new_key: 3 });
    expect(config).not.toHaveProperty("flash_attn");
  });

  it("writes the verifier recipe without turn masks", () => {
    const config = trainingConfig({ modelNameOrPath: "Qwen/Qwen3-8B", datasets: ["v"], datasetDir: "/d", outputDir: "o", kind: "verifier" });
    expect(config).toMatchObject({ learning_rate: 2e-5, num_train_epochs: 5 });
    expect(config).not.toHaveProperty("turn_mask");
  });

  it.each([
    ["learning_rate=1e-5", { key: "learning_rate", value: 1e-5 }],
    ["num_train_epochs=2", { key: "num_train_epochs", value: 2 }],
    ["report_to=wandb", { key: "report_to", value: "wandb" }],
    ["flash_attn=null", { key: "flash_attn", value: null }],
    ["bf16=false", { key: "bf16", value: false }],
    ["=3", null],
    ["no-equals", null],
    ["bad key=1", null],
  ])("parses the override %s", (text, expected) => {
    expect(parseOverride(text)).toEqual(expected);
  });
});

describe("estimateConversationTokens", () => {
  it("counts about 3.5 characters a token plus the template's markers", () => {
    expect(estimateConversationTokens([{ content: "x".repeat(35) }, { content: "" }])).toBe(10 + 5 + 5);
  });
});
