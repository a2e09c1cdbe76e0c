// `lego export sft` as a library function: trajectories in (a stream of tasks with their
// rollouts), SFT files and a manifest out. LLaMA-Factory format: one sharegpt file per
// curriculum tier, `dataset_info.json`, a YAML for the whole set and one per curriculum stage.
// OpenAI format: one chat fine-tuning file with `weight`. Held-out tasks never get in.
import path from "node:path";
import type { RolloutOutcome } from "../db/schema.js";
import { TIERS, DEFAULT_TIERS, stagePlan, tierOf, type Tier, type TierThresholds } from "./curriculum.js";
import { datasetInfo, sizeClassOf, trainingYaml } from "./llamafactory.js";
import type { MaskMode } from "./masking.js";
import { ExportDir, type HashedFile } from "./output.js";
import { choosePerTask, DEFAULT_SELECTION, outcomeExclusion, type Candidate, type SelectionRules } from "./select.js";
import { toOpenAiChat, toSharegpt, type SharegptRecord } from "./sharegpt.js";
import { Provenance, Tally, type ExportRollout, type ExportSource, type Problem, type TaskGroup } from "./source.js";
import { taskExclusion, type TaskScreen } from "./screen.js";
import { toTextConversation } from "./text-mode.js";
import { estimateConversationTokens } from "./tokens.js";
import { parseStoredTrajectory } from "./trajectory.js";

export type SftFormat = "llamafactory" | "openai";

export interface SftExportOptions extends TaskScreen {
  outDir: string;
  format: SftFormat;
  /** Dataset name: file and dataset_info prefix. Default "lego_sft". */
  name?: string;
  /** LLaMA-Factory reads both; default jsonl. */
  fileFormat?: "jsonl" | "json";
  mask?: MaskMode;
  selection?: Partial<SelectionRules>;
  tiers?: TierThresholds;
  /** Decides the learning rate and is the first stage's model. Default Qwen/Qwen3-8B. */
  baseModel?: string;
  /** Where the YAMLs put checkpoints; default saves/<name>. */
  outputRoot?: string;
  yamlOverrides?: Record<string, unknown>;
  /** Wrap the task in OpenHands' in-context example, as the text-mode agent does. Default true. */
  inContextExample?: boolean;
  onProblem?: (problem: Problem) => void;
  now?: () => Date;
}

export interface SftExportResult {
  dir: string;
  manifest: Record<string, unknown>;
}

/** Input that cannot be used as it is: reported, and the export goes on. */
const BAD_INPUT = new Set(["corrupt-trajectory", "unrenderable-action", "cannot-alternate", "task-without-tests"]);

interface Prepared extends Candidate {
  rollout: ExportRollout;
  record: SharegptRecord;
  maskedTurns: number;
  tier: Tier;
}

export async function exportSft(source: ExportSource, opts: SftExportOptions): Promise<SftExportResult> {
  const name = opts.name ?? "lego_sft";
  const mask = opts.mask ?? "tool-errors";
  const rules: SelectionRules = { ...DEFAULT_SELECTION, ...opts.selection };
  const thresholds = opts.tiers ?? DEFAULT_TIERS;
  const fileFormat = opts.fileFormat ?? "jsonl";
  const baseModel = opts.baseModel ?? "Qwen/Qwen3-8B";
  const out = await ExportDir.create(opts.outDir);
  const excluded = out.file("excluded.jsonl", "jsonl");
  const files = new Map<string, HashedFile>();
  const fileFor = (tier: Tier): HashedFile => {
    const key = opts.format === "openai" ? "all" : tier;
    let file = files.get(key);
    if (!file) {
      file = out.file(opts.format === "openai" ? `${name}.jsonl` : `${name}_${tier}.${fileFormat}`, opts.format === "openai" ? "jsonl" : fileFormat);
      files.set(key, file);
    }
    return file;
  };
  const provenance = new Provenance();
  const tiers: Record<Tier, number> = { easy: 0, medium: 0, hard: 0 };
  const byOutcome = new Tally();
  const exclusions = new Tally();
  const excludedTasks = new Tally();
  let tasksSeen = 0;
  let rolloutsSeen = 0;
  let assistantTurns = 0;
  let maskedTurns = 0;

  const exclude = async (group: TaskGroup, rollout: ExportRollout | null, reason: string, detail: string) => {
    exclusions.add(reason, rollout ? 1 : group.rollouts.length);
    const line: Problem = { task: group.task.instanceId, ...(rollout ? { rollout: rollout.rolloutId } : {}), reason, detail };
    await excluded.record(line);
    if (BAD_INPUT.has(reason)) opts.onProblem?.(line);
  };

  try {
    for await (const group of source) {
      tasksSeen += 1;
      rolloutsSeen += group.rollouts.length;
      const screened = taskExclusion(group.task, opts, { requireTests: true });
      if (screened) {
        excludedTasks.add(screened.reason);
        await exclude(group, null, screened.reason, screened.detail);
        continue;
      }
      const candidates: Prepared[] = [];
      for (const rollout of group.rollouts) {
        const outcome = outcomeExclusion(rollout.outcome, rules);
        if (outcome) {
          await exclude(group, rollout, outcome, `the rollout is ${rollout.outcome ?? "ungraded"}`);
          continue;
        }
        const prepared = prepare(rollout, mask, opts.inContextExample ?? true, thresholds);
        if (!prepared.ok) {
          await exclude(group, rollout, prepared.reason, prepared.detail);
          continue;
        }
        candidates.push(prepared.value);
      }
      const choice = choosePerTask(candidates, rules);
      for (const { candidate, reason } of choice.dropped) {
        const detail = reason === "over-cutoff" ? `about ${candidate.tokens} tokens, over the cutoff of ${rules.cutoffLen}` : `a shorter trajectory of the task was kept (at most ${rules.perTask} per task)`;
        await exclude(group, candidate.rollout, reason, detail);
      }
      for (const chosen of choice.chosen) {
        await fileFor(chosen.tier).record(opts.format === "openai" ? toOpenAiChat(chosen.record) : chosen.record);
        provenance.include(group.task, chosen.rollout);
        tiers[chosen.tier] += 1;
        byOutcome.add(chosen.outcome ?? "ungraded");
        assistantTurns += chosen.assistantTurns;
        maskedTurns += chosen.maskedTurns;
      }
    }

    const datasets = TIERS.filter((t) => files.has(t)).map((t) => ({ tier: t, name: `${name}_${t}`, fileName: `${name}_${t}.${fileFormat}` }));
    const stages = opts.format === "llamafactory" ? await writeLlamaFactory(out, { name, datasets, tiers, baseModel, outputRoot: opts.outputRoot ?? `saves/${name}`, overrides: opts.yamlOverrides ?? {}, finalDir: out.finalDir }) : [];
    const size = sizeClassOf(baseModel);
    const committed = await out.commit((written) => ({
      kind: "sft",
      format: opts.format,
      name,
      created_at: (opts.now?.() ?? new Date()).toISOString(),
      options: {
        mask,
        include: rules.include,
        per_task: rules.perTask,
        cutoff_len: rules.cutoffLen,
        token_count: "estimated: 3.5 characters a token plus 5 a message",
        tiers: { easy: [0, thresholds.easy], medium: [thresholds.easy + 1, thresholds.medium], hard: [thresholds.medium + 1, null] },
        base_model: baseModel,
        size_class: size.assumed ? `${size.sizeClass} (assumed: the name gives no size)` : size.sizeClass,
        in_context_example: opts.inContextExample ?? true,
        file_format: opts.format === "openai" ? "jsonl" : fileFormat,
      },
      counts: {
        tasks_seen: tasksSeen,
        rollouts_seen: rolloutsSeen,
        records: tiers.easy + tiers.medium + tiers.hard,
        by_tier: tiers,
        by_outcome: byOutcome.counts,
        assistant_turns: assistantTurns,
        masked_turns: maskedTurns,
        excluded: exclusions.counts,
        excluded_tasks: excludedTasks.counts,
      },
      ...provenance.toJSON(),
      stages,
      files: written,
    }));
    return committed;
  } catch (error) {
    await out.abort();
    throw error;
  }
}

/** For a source that loads trajectories only where they can be used. */
export function sftNeedsTrajectory(selection: Partial<SelectionRules> = {}): (outcome: RolloutOutcome | null) => boolean {
  const rules = { ...DEFAULT_SELECTION, ...selection };
  return (outcome) => outcomeExclusion(outcome, rules) === null;
}

type PrepareResult = { ok: true; value: Prepared } | { ok: false; reason: string; detail: string };

function prepare(rollout: ExportRollout, mask: MaskMode, inContextExample: boolean, thresholds: TierThresholds): PrepareResult {
  if (rollout.corrupt) return { ok: false, reason: "corrupt-trajectory", detail: rollout.corrupt };
  if (!rollout.trajectory) return { ok: false, reason: "corrupt-trajectory", detail: "the rollout has no stored trajectory" };
  const parsed = parseStoredTrajectory(rollout.trajectory);
  if (!parsed.ok) return { ok: false, reason: "corrupt-trajectory", detail: parsed.reason };
  const converted = toTextConversation(parsed.value, { inContextExample });
  if (!converted.ok) return { ok: false, reason: converted.kind, detail: converted.reason };
  const alternated = toSharegpt(converted.messages, mask);
  if (!alternated.ok) return { ok: false, reason: "cannot-alternate", detail: alternated.reason };
  return {
    ok: true,
    value: {
      rolloutId: rollout.rolloutId,
      outcome: rollout.outcome,
      assistantTurns: alternated.assistantTurns,
      tokens: estimateConversationTokens(alternated.record.messages),
      rollout,
      record: alternated.record,
      maskedTurns: alternated.maskedTurns,
      tier: tierOf(alternated.assistantTurns, thresholds),
    },
  };
}

interface LlamaFactoryInput {
  name: string;
  datasets: { tier: Tier; name: string; fileName: string }[];
  tiers: Record<Tier, number>;
  baseModel: string;
  outputRoot: string;
  overrides: Record<string, unknown>;
  finalDir: string;
}

/** dataset_info.json, train.yaml (everything at once) and one YAML per curriculum stage. */
async function writeLlamaFactory(out: ExportDir, input: LlamaFactoryInput): Promise<Record<string, unknown>[]> {
  await out.writeText("dataset_info.json", `${JSON.stringify(datasetInfo(input.datasets), null, 2)}\n`);
  if (input.datasets.length === 0) return [];
  const common = { baseModel: input.baseModel, datasetDir: input.finalDir, overrides: input.overrides };
  await out.writeText(
    "train.yaml",
    trainingYaml({ ...common, modelNameOrPath: input.baseModel, datasets: input.datasets.map((d) => d.name), outputDir: path.posix.join(input.outputRoot, "full") }),
  );
  const stages: Record<string, unknown>[] = [];
  let previous: string | null = null;
  for (const stage of stagePlan(input.tiers)) {
    const datasets = input.datasets.filter((d) => stage.tiers.includes(d.tier));
    const outputDir = path.posix.join(input.outputRoot, `stage${stage.index}-${stage.name}`);
    const yaml = `stage${stage.index}.yaml`;
    await out.writeText(yaml, trainingYaml({ ...common, modelNameOrPath: previous ?? input.baseModel, datasets: datasets.map((d) => d.name), outputDir }));
    // `name` and `dataset` are what the trainer (training/python) reads.
    stages.push({ index: stage.index, name: stage.name, dataset: datasets.map((d) => d.name), tiers: stage.tiers, files: datasets.map((d) => d.fileName), yaml, output_dir: outputDir, starts_from: previous ?? input.baseModel });
    previous = outputDir;
  }
  return stages;
}
