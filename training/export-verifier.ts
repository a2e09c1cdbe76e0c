// `lego export verifier` as a library function: judge examples in the SWE-Lego format, built by
// the same code the verifier scores with at inference (src/verifier/prompt.ts), so training and
// scoring cannot drift apart. Labels come from the tests or, for fix PRs, from maintainers, and
// say which; YES and NO are balanced per task where both exist.
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { RolloutOutcome } from "../db/schema.js";
import { judgeExample } from "../src/verifier/prompt.js";
import { datasetInfo, trainingYaml } from "./llamafactory.js";
import { ExportDir } from "./output.js";
import { taskExclusion, type TaskScreen } from "./screen.js";
import { Provenance, Tally, type ExportRollout, type ExportSource, type Problem, type TaskGroup } from "./source.js";
import { parseStoredTrajectory } from "./trajectory.js";
import { balancePerTask, decideLabel, type Judgement, type LabelSource, type Signal } from "./verifier-labels.js";

export interface VerifierExportOptions extends TaskScreen {
  outDir: string;
  /** Default "lego_verifier". */
  name?: string;
  fileFormat?: "jsonl" | "json";
  /** Balance YES and NO per task. Default true. */
  balance?: boolean;
  /** The judge's character budget; the verifier's default when unset. */
  maxChars?: number;
  baseModel?: string;
  outputRoot?: string;
  yamlOverrides?: Record<string, unknown>;
  onProblem?: (problem: Problem) => void;
  now?: () => Date;
}

interface Example {
  rolloutId: string;
  rollout: ExportRollout;
  messages: ChatCompletionMessageParam[];
  label: Judgement;
  source: LabelSource;
}

/** For a source that loads trajectories only where they can be used: those that get a label. */
export function verifierNeedsTrajectory(outcome: RolloutOutcome | null, signals: Signal[]): boolean {
  return decideLabel(outcome, signals).label !== null;
}

export async function exportVerifier(source: ExportSource, opts: VerifierExportOptions): Promise<{ dir: string; manifest: Record<string, unknown> }> {
  const name = opts.name ?? "lego_verifier";
  const fileFormat = opts.fileFormat ?? "jsonl";
  const baseModel = opts.baseModel ?? "Qwen/Qwen3-8B";
  const out = await ExportDir.create(opts.outDir);
  const data = out.file(`${name}.${fileFormat}`, fileFormat);
  const labels = out.file("labels.jsonl", "jsonl");
  const excluded = out.file("excluded.jsonl", "jsonl");
  const provenance = new Provenance();
  const byLabel = new Tally();
  const bySource = new Tally();
  const byOutcome = new Tally();
  const exclusions = new Tally();
  const excludedTasks = new Tally();
  let tasksSeen = 0;
  let rolloutsSeen = 0;

  const exclude = async (group: TaskGroup, rollout: ExportRollout | null, reason: string, detail: string, problem = false) => {
    exclusions.add(reason, rollout ? 1 : group.rollouts.length);
    const line: Problem = { task: group.task.instanceId, ...(rollout ? { rollout: rollout.rolloutId } : {}), reason, detail };
    await excluded.record(line);
    if (problem) opts.onProblem?.(line);
  };

  try {
    for await (const group of source) {
      tasksSeen += 1;
      rolloutsSeen += group.rollouts.length;
      const screened = taskExclusion(group.task, opts, { requireTests: false });
      if (screened) {
        excludedTasks.add(screened.reason);
        await exclude(group, null, screened.reason, screened.detail);
        continue;
      }
      const examples: Example[] = [];
      for (const rollout of group.rollouts) {
        const decision = decideLabel(rollout.outcome, rollout.signals);
        if (decision.label === null) {
          await exclude(group, rollout, decision.reason, `no label: the rollout is ${rollout.outcome ?? "ungraded"} and no maintainer judged it`);
          continue;
        }
        // A test label needs tests; a maintainer's needs none.
        if (decision.source === "tests" && group.task.failToPass.length === 0) {
          await exclude(group, rollout, "task-without-tests", `${group.task.instanceId} has no FAIL_TO_PASS tests to label its rollouts by`, true);
          continue;
        }
        const parsed = rollout.corrupt
          ? { ok: false as const, reason: rollout.corrupt }
          : rollout.trajectory
            ? parseStoredTrajectory(rollout.trajectory)
            : { ok: false as const, reason: "the rollout has no stored trajectory" };
        if (!parsed.ok) {
          await exclude(group, rollout, "corrupt-trajectory", parsed.reason, true);
          continue;
        }
        const messages = parsed.value.messages as ChatCompletionMessageParam[];
        examples.push({ rolloutId: rollout.rolloutId, rollout, messages, label: decision.label, source: decision.source });
      }
      const { kept, dropped } = opts.balance === false ? { kept: examples, dropped: [] } : balancePerTask(examples);
      for (const example of dropped) await exclude(group, example.rollout, "balance", `the task has more ${example.label} than ${example.label === "YES" ? "NO" : "YES"} examples`);
      for (const example of kept) {
        const record = judgeExample(
          { problemStatement: group.task.problemStatement, messages: example.messages, patch: example.rollout.patch },
          example.label === "YES",
          opts.maxChars === undefined ? {} : { maxChars: opts.maxChars },
        );
        await data.record(record);
        await labels.record({ task: group.task.instanceId, rollout: example.rolloutId, label: example.label, source: example.source, outcome: example.rollout.outcome });
        provenance.include(group.task, example.rollout);
        byLabel.add(example.label);
        bySource.add(example.source);
        byOutcome.add(example.rollout.outcome ?? "ungraded");
      }
    }
    await out.writeText("dataset_info.json", `${JSON.stringify(datasetInfo([{ name, fileName: `${name}.${fileFormat}` }]), null, 2)}\n`);
    await out.writeText(
      "train.yaml",
      trainingYaml({ kind: "verifier", modelNameOrPath: baseModel, datasets: [name], datasetDir: out.finalDir, outputDir: opts.outputRoot ?? `saves/${name}`, overrides: opts.yamlOverrides ?? {} }),
    );
    return await out.commit((files) => ({
      kind: "verifier",
      format: "llamafactory",
      name,
      created_at: (opts.now?.() ?? new Date()).toISOString(),
      options: { balance: opts.balance !== false, max_chars: opts.maxChars ?? null, base_model: baseModel, file_format: fileFormat },
      counts: {
        tasks_seen: tasksSeen,
        rollouts_seen: rolloutsSeen,
        records: (byLabel.counts.YES ?? 0) + (byLabel.counts.NO ?? 0),
        by_label: byLabel.counts,
        by_label_source: bySource.counts,
        by_outcome: byOutcome.counts,
        excluded: exclusions.counts,
        excluded_tasks: excludedTasks.counts,
      },
      ...provenance.toJSON(),
      files,
    }));
  } catch (error) {
    await out.abort();
    throw error;
  }
}
