// Trajectories built the way the agent loop records them (src/agent/loop.ts): the chat messages
// of a native tool-call or text-mode rollout and its step records, from a short script of turns.
// For the exporters' unit tests; the end-to-end test uses real rollouts.
import type { ActionMode, Step, StepErrorKind } from "../../src/agent/index.js";
import { buildSystemPrompt, buildUserMessage, noActionMessage } from "../../src/agent/prompts.js";
import { executionResult, formatFunctionCall } from "../../src/agent/text-format.js";
import type { StoredMessage } from "../../training/trajectory.js";

export interface ScriptedCall {
  name: string;
  args: Record<string, unknown>;
  /** The arguments text as the model sent it; default JSON.stringify(args). */
  rawArgs?: string;
  /** Default "ok"; ignored for finish. */
  observation?: string;
  exitCode?: number | null;
  errorKind?: StepErrorKind;
}

export type ScriptedTurn = { content?: string | null; calls: ScriptedCall[] } | { noAction: string };

export interface BuiltTrajectory {
  messages: StoredMessage[];
  steps: Step[];
  mode: ActionMode;
}

const ZERO = { prompt: 0, completion: 0 };

function step(index: number, turn: number, call: ScriptedCall | null, observation: string, exitCode: number | null, errorKind?: StepErrorKind): Step {
  return {
    index,
    turn,
    action: call ? { tool: call.name, args: call.args, raw: call.rawArgs ?? JSON.stringify(call.args) } : null,
    observation,
    exitCode,
    error: errorKind !== undefined,
    ...(errorKind ? { errorKind } : {}),
    durationMs: 1,
    modelMs: 1,
    tokens: ZERO,
  };
}

/** A rollout as recorded: calls after a `finish` in the same message are not run, as in the loop. */
export function buildTrajectory(mode: ActionMode, turns: ScriptedTurn[], problem = "`add(2, 3)` returns -1 instead of 5."): BuiltTrajectory {
  const messages: StoredMessage[] = [
    { role: "system", content: buildSystemPrompt(mode) },
    { role: "user", content: buildUserMessage(problem, { mode }) },
  ];
  const steps: Step[] = [];
  let callId = 0;
  turns.forEach((t, i) => {
    const turn = i + 1;
    if ("noAction" in t) {
      messages.push({ role: "assistant", content: t.noAction });
      steps.push(step(steps.length, turn, null, noActionMessage(mode), null, "no-action"));
      messages.push({ role: "user", content: noActionMessage(mode) });
      return;
    }
    if (mode === "text") {
      const call = t.calls[0] as ScriptedCall;
      const block = formatFunctionCall(call.name, call.rawArgs ?? call.args);
      messages.push({ role: "assistant", content: t.content ? `${t.content}\n\n${block}` : block });
      const observation = call.name === "finish" ? "" : (call.observation ?? "ok");
      steps.push(step(steps.length, turn, call, observation, call.exitCode ?? null, call.errorKind));
      if (call.name !== "finish") messages.push({ role: "user", content: executionResult(call.name, observation) });
      return;
    }
    const ids = t.calls.map(() => `call_${++callId}`);
    messages.push({
      role: "assistant",
      content: t.content ?? null,
      // Arguments beyond repair go into the history as {} (the step keeps what was sent).
      tool_calls: t.calls.map((c, j) => ({
        id: ids[j] as string,
        type: "function" as const,
        function: { name: c.name, arguments: c.errorKind === "bad-arguments" ? "{}" : (c.rawArgs ?? JSON.stringify(c.args)) },
      })),
    });
    for (const [j, call] of t.calls.entries()) {
      if (call.name === "finish") {
        steps.push(step(steps.length, turn, call, "", null));
        return;
      }
      const observation = call.observation ?? "ok";
      steps.push(step(steps.length, turn, call, observation, call.exitCode ?? null, call.errorKind));
      messages.push({ role: "tool", tool_call_id: ids[j] as string, content: observation });
    }
  });
  return { messages, steps, mode };
}

export const bashCall = (command: string, extra: Partial<ScriptedCall> = {}): ScriptedCall => ({ name: "execute_bash", args: { command }, ...extra });
export const finishCall = (message = "Fixed add()."): ScriptedCall => ({ name: "finish", args: { message } });

/** A resolved-looking rollout with one failed action of each kind the masking policy knows. */
export function failedActionsScript(): ScriptedTurn[] {
  return [
    { content: "Let me look around.", calls: [bashCall("grep -rn 'def add' calc/", { observation: "calc/ops.py:1:def add(a, b):\n[The command completed with exit code 0.]", exitCode: 0 })] },
    { calls: [bashCall("pytest -q", { observation: "bash: pytest: command not found\n[The command completed with exit code 127.]", exitCode: 127, errorKind: "command-not-found" })] },
    { calls: [bashCall("python3 -m pytest -q tests", { observation: "1 failed, 1 passed\n[The command completed with exit code 1.]", exitCode: 1, errorKind: "nonzero-exit" })] },
    {
      calls: [
        { name: "str_replace_editor", args: { command: "str_replace", path: "/repo/calc/ops.py", old_str: "return a-b", new_str: "return a+b" }, observation: "ERROR:\nNo replacement was performed, old_str `return a-b` did not appear verbatim in /repo/calc/ops.py.", errorKind: "editor" },
      ],
    },
    { noAction: "I think the fix is to change the operator." },
    { calls: [{ name: "execute_bash", args: {}, rawArgs: '{"command": "echo never', observation: "ERROR: The arguments of your execute_bash call are not valid JSON", errorKind: "bad-arguments" }] },
    {
      content: "Now the edit.",
      calls: [
        { name: "str_replace_editor", args: { command: "view", path: "/repo/calc/ops.py", view_range: [1, 2] }, observation: "     1\tdef add(a, b):\n     2\t    return a - b" },
        { name: "str_replace_editor", args: { command: "str_replace", path: "/repo/calc/ops.py", old_str: "def add(a, b):\n    return a - b", new_str: "def add(a, b):\n    return a + b" }, observation: "The file /repo/calc/ops.py has been edited." },
      ],
    },
    { calls: [bashCall("python3 -m pytest -q tests", { observation: "2 passed\n[The command completed with exit code 0.]", exitCode: 0, rawArgs: '{"command": "python3 -m pytest -q tests", "timeout": 60.0}' })] },
    { content: "Done.", calls: [finishCall()] },
  ];
}
