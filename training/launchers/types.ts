// One interface over the engines a training run can go to: submit, poll, logs, cancel,
// artifacts. The scheduler (workers/training.ts) drives it and records what it says.

export interface LaunchSpec {
  /** Names the run on the engine: lego-train-<run id>. */
  name: string;
  /** The export snapshot (dataset_info.json, manifest.json, train.yaml, stageN.yaml). */
  dataDir: string;
  /** The export's whole-set LLaMA-Factory YAML. */
  configPath: string;
  /** Where the trainer writes checkpoints and result.json. */
  outputDir: string;
  baseModel: string;
}

export type LaunchState =
  | { state: "running" }
  | { state: "succeeded" }
  /** `transient`: the engine says retrying may work (an evicted pod, a lost worker); otherwise retrying repeats the failure. */
  | { state: "failed"; reason: string; transient: boolean };

export interface Artifacts {
  /** Null when no checkpoint appeared where the trainer should have written it. */
  checkpointUri: string | null;
  /** OUTPUT/result.json when the launcher can read it. */
  result: Record<string, unknown> | null;
}

export interface Launcher {
  readonly kind: "command" | "kubernetes";
  /** Starts the run; the returned id is stored and given back to every other call. */
  submit(spec: LaunchSpec): Promise<string>;
  poll(spec: LaunchSpec, id: string): Promise<LaunchState>;
  /** Resolves when the state may have changed (a watch event) or after `ms`, whichever is first. */
  waitForChange(spec: LaunchSpec, id: string, ms: number): Promise<void>;
  /** The whole log so far. */
  logs(spec: LaunchSpec, id: string): Promise<string>;
  cancel(spec: LaunchSpec, id: string): Promise<void>;
  artifacts(spec: LaunchSpec, id: string): Promise<Artifacts>;
}

/** A failure starting a run: `transient` when the engine was unreachable or overloaded rather than refusing. */
export class LaunchError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/** Pure: the trainer's step lines (JSON with step and loss) out of a log that has other lines too. */
export function lossCurve(log: string): { step: number; loss: number; stage?: string }[] {
  const points: { step: number; loss: number; stage?: string }[] = [];
  for (const line of log.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("{") || !t.includes('"loss"')) continue;
    try {
      const rec = JSON.parse(t) as { step?: unknown; loss?: unknown; stage?: unknown };
      if (typeof rec.step === "number" && typeof rec.loss === "number") points.push({ step: rec.step, loss: rec.loss, ...(typeof rec.stage === "string" ? { stage: rec.stage } : {}) });
    } catch {
      // a line that only looks like JSON: people's output, not a step
    }
  }
  return points;
}

/** Pure: the last `lines` lines of a log, for a failure's explanation. */
export function logTail(log: string, lines = 40, maxChars = 8000): string {
  const tail = log.replace(/\n+$/, "").split("\n").slice(-lines).join("\n");
  return tail.length > maxChars ? tail.slice(-maxChars) : tail;
}

/** Pure: a template's {placeholders} filled with shell-quoted values; an unknown one is an error. */
export function fillTemplate(template: string, values: Record<string, string>, quote: (s: string) => string): string {
  return template.replace(/\{([a-z_]+)\}/g, (m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new LaunchError(`the training command template has an unknown placeholder ${m}; use ${Object.keys(values).map((k) => `{${k}}`).join(", ")}`, false);
    return quote(v);
  });
}

export function templateValues(spec: LaunchSpec): Record<string, string> {
  return { data: spec.dataDir, config: spec.configPath, yaml: spec.configPath, output: spec.outputDir, name: spec.name, base_model: spec.baseModel };
}
