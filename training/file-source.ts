// The exporters' source from files, so data made on one machine can be exported on another:
// trajectories as `lego rollout` writes them (one JSON line per rollout) and tasks as
// `lego validate --json` writes them. The trajectory file is indexed in one pass (task, outcome
// and byte range of each line, read from the line's ends without parsing it), then read back
// one task at a time: memory holds the index and one task's trajectories, whatever the size.
import { createReadStream } from "node:fs";
import { open, readFile, type FileHandle } from "node:fs/promises";
import { z } from "zod";
import { rolloutOutcomes, type RolloutOutcome } from "../db/schema.js";
import { parseJsonl, taskInstanceSchema } from "../src/tasks/swebench.js";
import { ahead } from "./ahead.js";
import { parseInstanceId } from "./holdout.js";
import { parseJsonLine } from "./json-line.js";
import type { ExportRollout, ExportTask, Problem, TaskGroup } from "./source.js";

export interface FileSourceOptions {
  /** Whether a rollout's trajectory is needed; the others are passed on without reading it. */
  wants: (outcome: RolloutOutcome | null) => boolean;
  onProblem?: (problem: Problem) => void;
  /** Tasks whose lines are being read ahead of the one being exported. Default 4. */
  prefetch?: number;
}

interface LineRef {
  line: number;
  offset: number;
  length: number;
  outcome: RolloutOutcome | null;
  /** The rollout's index among its task's, when the line's head says it. */
  index: number | null;
}

const HEAD_BYTES = 2048;
const TAIL_BYTES = 8192;
const INSTANCE_ID = /"instance_id"\s*:\s*"((?:[^"\\]|\\.)*)"/;
const ROLLOUT_INDEX = /"rollout"\s*:\s*(\d+)/;
// Inside a JSON string every quote is escaped, so an unescaped `"outcome":` is a key, and
// `lego rollout` writes it after the messages.
const OUTCOME = /"outcome"\s*:\s*(?:null|"([a-z-]+)")/g;

export async function* fileTaskGroups(trajectoriesPath: string, tasksPath: string, opts: FileSourceOptions): AsyncIterable<TaskGroup> {
  const tasks = await readTasks(tasksPath, opts);
  const index = await indexTrajectories(trajectoriesPath, opts);
  const handle = await open(trajectoriesPath, "r");
  try {
    const groups = ahead(index, opts.prefetch ?? 4, async ([instanceId, refs]) => {
      const task = tasks.get(instanceId);
      const rollouts = task ? await Promise.all(refs.map((ref) => (opts.wants(ref.outcome) ? readRollout(handle, ref, instanceId, trajectoriesPath) : Promise.resolve(bareRollout(instanceId, ref))))) : [];
      return { instanceId, refs, task, rollouts };
    });
    for await (const { instanceId, refs, task, rollouts } of groups) {
      if (!task) {
        for (const ref of refs) opts.onProblem?.({ task: instanceId, reason: "unknown-task", detail: `${trajectoriesPath}:${ref.line}: ${instanceId} is not in ${tasksPath}; export it with lego validate --json and pass it with --tasks` });
        continue;
      }
      yield { task, rollouts };
    }
  } finally {
    await handle.close();
  }
}

async function readTasks(tasksPath: string, opts: FileSourceOptions): Promise<Map<string, ExportTask>> {
  const tasks = new Map<string, ExportTask>();
  for (const line of parseJsonl(await readFile(tasksPath, "utf8"), taskInstanceSchema)) {
    if (!line.ok) {
      opts.onProblem?.({ task: `${tasksPath}:${line.line}`, reason: "corrupt-task", detail: line.error });
      continue;
    }
    const t = line.value;
    tasks.set(t.instance_id, {
      instanceId: t.instance_id,
      repo: t.repo,
      kind: t.kind,
      pullNumber: t.kind === "real" ? (parseInstanceId(t.instance_id)?.pullNumber ?? null) : null,
      patch: t.patch,
      failToPass: t.FAIL_TO_PASS,
      passToPass: t.PASS_TO_PASS,
      problemStatement: t.problem_statement,
    });
  }
  return tasks;
}

/** Task id → its lines, in the order tasks first appear. */
async function indexTrajectories(path: string, opts: FileSourceOptions): Promise<Map<string, LineRef[]>> {
  const index = new Map<string, LineRef[]>();
  // The line being read, in pieces: only its head and tail are looked at, so it is never copied whole.
  let pieces: Buffer[] = [];
  let lineStart = 0;
  let lineNumber = 0;
  const finish = (last: Buffer) => {
    const parts = pieces.length === 0 ? [last] : [...pieces, last];
    pieces = [];
    const length = parts.reduce((n, p) => n + p.length, 0);
    lineNumber += 1;
    const ref = { line: lineNumber, offset: lineStart, length };
    lineStart += length + 1;
    if (length < 64 && Buffer.concat(parts).toString("latin1").trim() === "") return;
    const keys = keysOf(headOf(parts, HEAD_BYTES), tailOf(parts, TAIL_BYTES), () => Buffer.concat(parts, length));
    if (!keys) {
      opts.onProblem?.({ task: `${path}:${lineNumber}`, reason: "corrupt-line", detail: "not a rollout record: no instance_id and outcome (a truncated or corrupt line)" });
      return;
    }
    const refs = index.get(keys.instanceId) ?? [];
    refs.push({ ...ref, outcome: keys.outcome, index: keys.index });
    index.set(keys.instanceId, refs);
  };
  // Large chunks: the index pass touches every byte, and fewer reads mean fewer waits.
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      finish(chunk.subarray(from, nl));
      from = nl + 1;
    }
    if (from < chunk.length) pieces.push(chunk.subarray(from));
  }
  if (pieces.length > 0) finish(pieces.pop() as Buffer);
  return index;
}

/** The first `n` bytes of a line held in pieces. */
function headOf(parts: Buffer[], n: number): Buffer {
  const out: Buffer[] = [];
  let have = 0;
  for (const p of parts) {
    if (have >= n) break;
    out.push(p.subarray(0, n - have));
    have += Math.min(p.length, n - have);
  }
  return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out, have);
}

/** The last `n` bytes of a line held in pieces. */
function tailOf(parts: Buffer[], n: number): Buffer {
  const out: Buffer[] = [];
  let have = 0;
  for (let i = parts.length - 1; i >= 0 && have < n; i--) {
    const p = parts[i] as Buffer;
    out.unshift(p.subarray(Math.max(0, p.length - (n - have))));
    have += Math.min(p.length, n - have);
  }
  return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out, have);
}

function keysOf(headBytes: Buffer, tailBytes: Buffer, whole: () => Buffer): { instanceId: string; outcome: RolloutOutcome | null; index: number | null } | null {
  const head = headBytes.toString("utf8");
  const tail = tailBytes.toString("latin1");
  const id = INSTANCE_ID.exec(head);
  const outcomes = [...tail.matchAll(OUTCOME)];
  const last = outcomes[outcomes.length - 1];
  if (id && last) {
    const outcome = last[1] ?? null;
    if (outcome === null || (rolloutOutcomes as readonly string[]).includes(outcome)) {
      const index = ROLLOUT_INDEX.exec(head);
      return { instanceId: JSON.parse(`"${id[1]}"`) as string, outcome: outcome as RolloutOutcome | null, index: index ? Number(index[1]) : null };
    }
  }
  // Written some other way: read the whole line.
  try {
    const record = z.object({ instance_id: z.string(), outcome: z.enum(rolloutOutcomes).nullable(), rollout: z.number().int().optional() }).safeParse(JSON.parse(whole().toString("utf8")));
    return record.success ? { instanceId: record.data.instance_id, outcome: record.data.outcome, index: record.data.rollout ?? null } : null;
  } catch {
    return null;
  }
}

const rolloutRecord = z.object({
  instance_id: z.string(),
  rollout: z.number().int(),
  rollout_id: z.string().optional(),
  model: z.string().default("unknown"),
  patch: z.string().default(""),
  messages: z.unknown(),
  steps: z.unknown(),
  mode: z.unknown().optional(),
  finished_at: z.string().optional(),
});

/** `lego rollout` names rollout n of a task `<instance_id>-r<n>`, as its sandboxes are. */
function rolloutIdOf(instanceId: string, index: number | string): string {
  return `${instanceId}-r${index}`;
}

function bareRollout(instanceId: string, ref: LineRef): ExportRollout {
  return { rolloutId: rolloutIdOf(instanceId, ref.index ?? `line${ref.line}`), model: "unknown", outcome: ref.outcome, createdAt: null, patch: "", trajectory: null, signals: [] };
}

/** A line that cannot be read is passed on as corrupt, for the exporter to count and report. */
async function readRollout(handle: FileHandle, ref: LineRef, instanceId: string, path: string): Promise<ExportRollout> {
  const buffer = Buffer.allocUnsafe(ref.length);
  await handle.read(buffer, 0, ref.length, ref.offset);
  let record;
  try {
    record = rolloutRecord.safeParse(parseJsonLine(buffer));
  } catch (error) {
    return { ...bareRollout(instanceId, ref), corrupt: `${path}:${ref.line}: not valid JSON: ${(error as Error).message}` };
  }
  if (!record.success) {
    const issue = record.error.issues[0];
    return { ...bareRollout(instanceId, ref), corrupt: `${path}:${ref.line}: ${issue?.path.join(".") || "(line)"}: ${issue?.message ?? "unreadable"}` };
  }
  const r = record.data;
  return {
    rolloutId: r.rollout_id ?? rolloutIdOf(instanceId, r.rollout),
    model: r.model,
    outcome: ref.outcome,
    createdAt: r.finished_at ? new Date(r.finished_at) : null,
    patch: r.patch,
    trajectory: { messages: r.messages, steps: r.steps, mode: r.mode },
    signals: [],
  };
}
