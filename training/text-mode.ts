// A trajectory as a text-mode conversation: what OpenHands 0.53 sends a model with function
// calling off (fn_call_converter's convert_fncall_messages_to_non_fncall_messages, after
// convert_from_multiple_tool_calls_to_single_tool_call_messages). The released SWE-Lego models
// were trained on exactly this text, so native tool-call trajectories are rewritten into it:
//   - the system prompt gains the tool descriptions and the call format;
//   - the first user message is wrapped in the in-context example;
//   - each tool call becomes a `<function=…>` block after the assistant's text (a message with
//     several calls becomes one assistant message per call, the text on the first);
//   - each tool result becomes a user message `EXECUTION RESULT of [tool]:`.
// Text-mode trajectories pass through unchanged. Every assistant message keeps the step it
// produced, which is what error masking reads. Pure.
import { noActionMessage, textModeSuffix, withInContextExample } from "../src/agent/prompts.js";
import { executionResult, formatFunctionCall } from "../src/agent/text-format.js";
import { textOf, type StoredMessage, type StoredStep, type StoredTrajectory } from "./trajectory.js";

export type ConversationMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; step: StoredStep };

export interface ConvertOptions {
  /** OpenHands adds it unless the model is openhands-lm or devstral; our text-mode agent always does. Default true. */
  inContextExample?: boolean;
}

export type Converted =
  | { ok: true; messages: ConversationMessage[] }
  | { ok: false; kind: "corrupt-trajectory" | "unrenderable-action"; reason: string };

class ConversionError extends Error {
  constructor(
    readonly kind: "corrupt-trajectory" | "unrenderable-action",
    message: string,
  ) {
    super(message);
  }
}

export function toTextConversation(trajectory: StoredTrajectory, opts: ConvertOptions = {}): Converted {
  try {
    const messages = trajectory.mode === "text" ? passThrough(trajectory) : fromToolCalls(trajectory, opts.inContextExample ?? true);
    return { ok: true, messages };
  } catch (error) {
    if (!(error instanceof ConversionError)) throw error;
    return { ok: false, kind: error.kind, reason: error.message };
  }
}

/** The steps of each assistant turn (1-based), in order. */
function stepsByTurn(steps: StoredStep[]): Map<number, StoredStep[]> {
  const byTurn = new Map<number, StoredStep[]>();
  for (const step of steps) byTurn.set(step.turn, [...(byTurn.get(step.turn) ?? []), step]);
  return byTurn;
}

function passThrough(trajectory: StoredTrajectory): ConversationMessage[] {
  const byTurn = stepsByTurn(trajectory.steps);
  let turn = 0;
  return trajectory.messages.map((message, i) => {
    if (message.role === "tool") throw new ConversionError("corrupt-trajectory", `message ${i} is a tool result in a text-mode trajectory`);
    if (message.role === "system") return { role: "system", content: textOf(message.content) };
    if (message.role === "user") return { role: "user", content: textOf(message.content) };
    turn += 1;
    const [step, extra] = byTurn.get(turn) ?? [];
    if (!step || extra) throw new ConversionError("corrupt-trajectory", `assistant turn ${turn} has ${step ? "several step records" : "no step record"}`);
    return { role: "assistant", content: textOf(message.content), step };
  });
}

type Assistant = Extract<StoredMessage, { role: "assistant" }>;

function fromToolCalls(trajectory: StoredTrajectory, inContextExample: boolean): ConversationMessage[] {
  const byTurn = stepsByTurn(trajectory.steps);
  const out: ConversationMessage[] = [];
  // Calls of a multi-call message wait for their results, as OpenHands' splitter does.
  const pending = new Map<string, ConversationMessage>();
  const names = new Map<string, string>();
  let turn = 0;
  let seenUser = false;
  trajectory.messages.forEach((message, i) => {
    if (message.role !== "tool" && pending.size > 0) {
      throw new ConversionError("corrupt-trajectory", `message ${i} (${message.role}) comes before the results of the previous tool calls`);
    }
    switch (message.role) {
      case "system":
        out.push({ role: "system", content: textOf(message.content) + textModeSuffix() });
        return;
      case "user": {
        const content = textOf(message.content);
        // Our own nudge after an answer without an action, in the words the text-mode agent uses.
        const text = !seenUser && inContextExample ? withInContextExample(content) : content === noActionMessage("tools") ? noActionMessage("text") : content;
        seenUser = true;
        out.push({ role: "user", content: text });
        return;
      }
      case "assistant": {
        turn += 1;
        const steps = byTurn.get(turn) ?? [];
        const calls = message.tool_calls ?? [];
        if (calls.length === 0) {
          const [step, extra] = steps;
          if (!step || extra) throw new ConversionError("corrupt-trajectory", `assistant turn ${turn} has ${step ? "several step records" : "no step record"}`);
          out.push({ role: "assistant", content: textOf(message.content), step });
          return;
        }
        const rendered = assistantMessages(message, steps, turn);
        for (const call of calls) names.set(call.id, call.function.name);
        if (rendered.length === 1 && calls.length === 1) out.push(rendered[0] as ConversationMessage);
        else rendered.forEach((m, j) => pending.set(calls[j]?.id as string, m));
        return;
      }
      case "tool": {
        const waiting = pending.get(message.tool_call_id);
        if (waiting) {
          pending.delete(message.tool_call_id);
          out.push(waiting);
        } else if (pending.size > 0) {
          throw new ConversionError("corrupt-trajectory", `message ${i} answers tool call ${message.tool_call_id}, but other calls are still waiting for their results`);
        }
        const name = names.get(message.tool_call_id);
        if (name === undefined) throw new ConversionError("corrupt-trajectory", `message ${i} answers tool call ${message.tool_call_id}, which no assistant message made`);
        out.push({ role: "user", content: executionResult(name, textOf(message.content)) });
        return;
      }
    }
  });
  // What is left is a call with no result: `finish`, which ends the rollout.
  out.push(...pending.values());
  return out;
}

/**
 * One assistant message per executed call; calls after the one that finished the rollout were
 * never run and are left out, as their results never came.
 */
function assistantMessages(message: Assistant, steps: StoredStep[], turn: number): ConversationMessage[] {
  const calls = message.tool_calls ?? [];
  const out: ConversationMessage[] = [];
  for (const [j, call] of calls.entries()) {
    const step = steps[j];
    if (!step) break;
    if (step.action?.tool !== call.function.name) {
      throw new ConversionError("corrupt-trajectory", `assistant turn ${turn}: call ${j + 1} is ${call.function.name} but its step record says ${step.action?.tool ?? "no action"}`);
    }
    let block: string;
    try {
      block = formatFunctionCall(call.function.name, call.function.arguments);
    } catch (error) {
      throw new ConversionError("unrenderable-action", `assistant turn ${turn}: the ${call.function.name} call cannot be written as a function block: ${(error as Error).message}`);
    }
    const text = j === 0 ? textOf(message.content) : "";
    out.push({ role: "assistant", content: `${text}\n\n${block}`.replace(/^\s+/, ""), step });
  }
  if (out.length === 0) throw new ConversionError("corrupt-trajectory", `assistant turn ${turn} has tool calls but no step records`);
  return out;
}
