import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { datasetInfo, parseOverride, sizeClassOf, trainingConfig, trainingYaml } from "../../../training/llamafactory.js";

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
