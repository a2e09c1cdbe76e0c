// The two SFT record formats of one conversation: LLaMA-Factory sharegpt, where a masked
// assistant message carries `turn_mask: true` (SWE-Lego's fork trains no loss on it), and the
// OpenAI chat fine-tuning format, where the same messages carry `weight: 0`. Pure.
import { isMasked, type MaskMode } from "./masking.js";
import type { ConversationMessage } from "./text-mode.js";

export interface SharegptMessage {
  role: "system" | "user" | "assistant";
  content: string;
  turn_mask?: true;
}

export interface SharegptRecord {
  messages: SharegptMessage[];
}

export interface OpenAiChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
  weight?: 0 | 1;
}

export interface OpenAiChatRecord {
  messages: OpenAiChatMessage[];
}

export type Alternated =
  | { ok: true; record: SharegptRecord; assistantTurns: number; maskedTurns: number }
  | { ok: false; reason: string };

/**
 * LLaMA-Factory reads pairs after the system prompt: user, assistant, user, assistant … ending
 * with an assistant message, or it drops the example. Consecutive user messages are joined and a
 * conversation's trailing user messages (a result the model never answered) are left out; an
 * assistant message with no user message before it cannot be fixed and is reported.
 */
export function toSharegpt(conversation: ConversationMessage[], mode: MaskMode): Alternated {
  const [system, ...rest] = conversation;
  if (system?.role !== "system") return { ok: false, reason: "the conversation does not start with a system prompt" };
  const out: SharegptMessage[] = [{ role: "system", content: system.content }];
  let masked = 0;
  for (const [i, message] of rest.entries()) {
    const last = out[out.length - 1] as SharegptMessage;
    if (message.role === "system") return { ok: false, reason: `message ${i + 1} is a second system prompt` };
    if (message.role === "user") {
      if (last.role === "user") last.content += `\n\n${message.content}`;
      else out.push({ role: "user", content: message.content });
      continue;
    }
    if (last.role !== "user") return { ok: false, reason: `message ${i + 1} is an assistant message that follows ${last.role === "system" ? "the system prompt" : "another assistant message"}, so roles cannot alternate` };
    const mask = isMasked(message.step, mode);
    if (mask) masked += 1;
    out.push({ role: "assistant", content: message.content, ...(mask ? { turn_mask: true as const } : {}) });
  }
  while (out.length > 1 && out[out.length - 1]?.role === "user") out.pop();
  const assistantTurns = out.filter((m) => m.role === "assistant").length;
  if (assistantTurns === 0) return { ok: false, reason: "the conversation has no assistant message" };
  return { ok: true, record: { messages: out }, assistantTurns, maskedTurns: masked };
}

/** The same conversation for OpenAI chat fine-tuning: weight 0 exactly where turn_mask is set. */
export function toOpenAiChat(record: SharegptRecord): OpenAiChatRecord {
  return {
    messages: record.messages.map((m) =>
      m.role === "assistant" ? { role: m.role, content: m.content, weight: m.turn_mask ? 0 : 1 } : { role: m.role, content: m.content },
    ),
  };
}
