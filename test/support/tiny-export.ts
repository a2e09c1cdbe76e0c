// Small SFT task groups the tiny CPU trainer learns from in a second: text-mode trajectories
// with a short system prompt, one editor error (masked) each, spread over the three tiers.
import path from "node:path";
import type { Db } from "../../db/client.js";
import { storeTaskRollout } from "../../db/fixes.js";
import type { ExportRollout, TaskGroup } from "../../training/source.js";
import type { StoredMessage } from "../../training/trajectory.js";

export function tinyTrajectory(turns: number): { messages: StoredMessage[]; steps: unknown[]; mode: "text" } {
  const messages: StoredMessage[] = [
    { role: "system", content: "You fix bugs." },
    { role: "user", content: "add() subtracts." },
  ];
  const steps: unknown[] = [];
  for (let t = 1; t <= turns; t++) {
    const last = t === turns;
    messages.push({ role: "assistant", content: last ? "<function=finish>\n<parameter=message>done</parameter>\n</function>" : `<function=execute_bash>\n<parameter=command>echo ${t}</parameter>\n</function>` });
    const failed = t === 2 && !last;
    steps.push({ index: t - 1, turn: t, action: { tool: last ? "finish" : "execute_bash", args: {} }, observation: `${t}`, exitCode: last ? null : 0, error: failed, ...(failed ? { errorKind: "editor" } : {}) });
    if (!last) messages.push({ role: "user", content: `EXECUTION RESULT of [execute_bash]:\n${t}` });
  }
  return { messages, steps, mode: "text" };
}

function rollout(id: string, turns: number): ExportRollout {
  return { rolloutId: id, model: "teacher", outcome: "resolved", createdAt: null, patch: "diff --git a/c.py b/c.py\n-a\n+b\n", trajectory: tinyTrajectory(turns), signals: [] };
}

export async function* tinyGroups(): AsyncIterable<TaskGroup> {
  const task = (id: string) => ({ instanceId: id, repo: "acme/calc", kind: "real" as const, pullNumber: null, patch: "", failToPass: ["t::a"], passToPass: [], problemStatement: "add() subtracts." });
  yield { task: task("acme__calc-1"), rollouts: [rollout("r1", 3)] };
  yield { task: task("acme__calc-2"), rollouts: [rollout("r2", 5)] };
}

/** The bundled trainer on the tiny model, one step per stage, as a command template. */
export const TINY_TRAIN_COMMAND = "/usr/bin/python3 -m lego_train sft --data {data} --model tiny --output-dir {output} --max-steps 1 --grad-accum 1 --cutoff-len 4096";

/**
 * The same for an export of stored trajectories, whose system prompt holds OpenHands' 8 KB tool
 * description: shortened first (test/support/shorten-for-tiny.py), since the tiny model
 * reads 2048 tokens at most.
 */
export const TINY_DB_TRAIN_COMMAND = `/usr/bin/python3 ${path.resolve("test/support/shorten-for-tiny.py")} {data} && ${TINY_TRAIN_COMMAND}`;

/** A resolved text-mode trajectory stored as trajgen stores one, on a valid task of its own. */
export async function storeTinyTrajectory(db: Db, n: number, finishedAt = new Date()): Promise<void> {
  const t = tinyTrajectory(3 + (n % 3));
  const instanceId = `acme__calc-${100 + n}`;
  await storeTaskRollout(
    db,
    { instanceId, repo: "acme/calc", kind: "real", baseCommit: "a".repeat(40), patch: `diff --git a/c.py b/c.py\n-x${n}\n+y\n`, failToPass: ["t::a"], passToPass: [], problemStatement: "add() subtracts.", status: "valid" },
    { id: `${instanceId}-teacher-r0`, taskInstanceId: instanceId, index: 0, model: "teacher", outcome: "resolved", outcomeReason: "all tests pass", patch: "diff --git a/c.py b/c.py\n-a\n+b\n", finishReason: "finish", turns: 3, promptTokens: 10, completionTokens: 10, costUsd: 0, startedAt: finishedAt, finishedAt, messages: t.messages, steps: t.steps },
  );
}
