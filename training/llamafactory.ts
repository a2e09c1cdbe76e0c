// LLaMA-Factory's side of an export: `dataset_info.json` entries for sharegpt files with
// OpenAI-style role tags, and training YAMLs with the SWE-Lego recipe's values (the fork's
// examples/train_full/swe_lego_qwen3_{8b,32b}.yaml), every one overridable. Pure.
import { parse, stringify } from "yaml";

export interface DatasetEntry {
  /** The name a YAML's `dataset:` refers to. */
  name: string;
  /** Relative to dataset_dir. */
  fileName: string;
}

export function datasetInfo(entries: DatasetEntry[]): Record<string, unknown> {
  return Object.fromEntries(
    entries.map((e) => [
      e.name,
      {
        file_name: e.fileName,
        formatting: "sharegpt",
        columns: { messages: "messages" },
        tags: { role_tag: "role", content_tag: "content", user_tag: "user", assistant_tag: "assistant", system_tag: "system" },
      },
    ]),
  );
}

export type SizeClass = "8B" | "32B";

/**
 * The recipe's learning rate follows the base model's size: 1e-4 for 8B-class, 5e-5 for
 * 32B-class. The size is read from the name (Qwen3-8B, Qwen3-30B-A3B counts its 30B total);
 * a name without one is taken as 8B-class and said so.
 */
export function sizeClassOf(baseModel: string): { sizeClass: SizeClass; assumed: boolean } {
  const match = /(?:^|[^0-9.])(\d+(?:\.\d+)?)[Bb](?![a-z])/.exec(baseModel);
  if (!match) return { sizeClass: "8B", assumed: true };
  return { sizeClass: Number(match[1]) >= 20 ? "32B" : "8B", assumed: false };
}

const LEARNING_RATE: Record<SizeClass, number> = { "8B": 1e-4, "32B": 5e-5 };

export interface YamlInput {
  /** A hub name or a path: the base model, or the previous stage's output. */
  modelNameOrPath: string;
  /** Decides the learning rate; default modelNameOrPath. */
  baseModel?: string;
  datasets: string[];
  datasetDir: string;
  outputDir: string;
  /** Keys replaced or added last; null removes a key. */
  overrides?: Record<string, unknown>;
  /** The verifier recipe differs in learning rate and epochs and has no turn masks. */
  kind?: "sft" | "verifier";
}

/** The recipe's values as an object, in the fork's order. */
export function trainingConfig(input: YamlInput): Record<string, unknown> {
  const verifier = input.kind === "verifier";
  const { sizeClass } = sizeClassOf(input.baseModel ?? input.modelNameOrPath);
  const config: Record<string, unknown> = {
    model_name_or_path: input.modelNameOrPath,
    trust_remote_code: true,
    stage: "sft",
    do_train: true,
    finetuning_type: "full",
    deepspeed: "examples/deepspeed/ds_z3_config.json",
    dataset: input.datasets.join(","),
    dataset_dir: input.datasetDir,
    template: "qwen3_nothink",
    cutoff_len: 131072,
    rope_scaling: "yarn",
    max_samples: 1000000,
    overwrite_cache: true,
    preprocessing_num_workers: 16,
    dataloader_num_workers: 4,
    ...(verifier ? {} : { turn_mask: true }),
    output_dir: input.outputDir,
    logging_steps: 1,
    save_strategy: "epoch",
    plot_loss: true,
    overwrite_output_dir: true,
    save_only_model: true,
    report_to: "none",
    per_device_train_batch_size: 1,
    gradient_accumulation_steps: 8,
    learning_rate: verifier ? 2e-5 : LEARNING_RATE[sizeClass],
    weight_decay: 0.01,
    max_grad_norm: 1.0,
    num_train_epochs: verifier ? 5.0 : 4.0,
    lr_scheduler_type: "cosine",
    warmup_ratio: 0.1,
    bf16: true,
    ddp_timeout: 180000000,
    resume_from_checkpoint: null,
    enable_liger_kernel: true,
    use_unsloth_gc: true,
    flash_attn: "fa2",
  };
  for (const [key, value] of Object.entries(input.overrides ?? {})) {
    if (value === null) delete config[key];
    else config[key] = value;
  }
  return config;
}

export function trainingYaml(input: YamlInput): string {
  return stringify(trainingConfig(input), { lineWidth: 0 });
}

/** Parses `key=value` overrides; the value is read as YAML (`4`, `true`, `1e-5`, `null`, text). */
export function parseOverride(text: string): { key: string; value: unknown } | null {
  const at = text.indexOf("=");
  if (at <= 0) return null;
  const key = text.slice(0, at).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(key)) return null;
  try {
    return { key, value: parse(text.slice(at + 1)) as unknown };
  } catch {
    return null;
  }
}
