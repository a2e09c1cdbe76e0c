// Small SFT task groups the tiny CPU trainer learns from in a second: text-mode trajectories
// with a short system prompt, one editor error (masked) each, spread over the three tiers.
import type { ExportRollout, TaskGroup } from "../../training/source.js";
import type { StoredMessage } from "../../training/trajectory.js";

function trajectory(turns: number): { messages: StoredMessage[]; steps: unknown[]; mode: "text" } {
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
  return { rolloutId: id, model: "teacher", outcome: "resolved", createdAt: null, patch: "diff --git a/c.py b/c.py\n-a\n+b\n", trajectory: trajectory(turns), signals: [] };
}

export async function* tinyGroups(): AsyncIterable<TaskGroup> {
  const task = (id: string) => ({ instanceId: id, repo: "acme/calc", kind: "real" as const, pullNumber: null, patch: "", failToPass: ["t::a"], passToPass: [], problemStatement: "add() subtracts." });
  yield { task: task("acme__calc-1"), rollouts: [rollout("r1", 3)] };
  yield { task: task("acme__calc-2"), rollouts: [rollout("r2", 5)] };
}

/** The bundled trainer on the tiny model, one step per stage, as a command template. */
export const TINY_TRAIN_COMMAND = "/usr/bin/python3 -m lego_train sft --data {data} --model tiny --output-dir {output} --max-steps 1 --grad-accum 1 --cutoff-len 4096";
