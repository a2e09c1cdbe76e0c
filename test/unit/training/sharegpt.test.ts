import { describe, expect, it } from "vitest";
import type { MaskMode } from "../../../training/masking.js";
import { toOpenAiChat, toSharegpt } from "../../../training/sharegpt.js";
import { toTextConversation, type ConversationMessage } from "../../../training/text-mode.js";
import { parseStoredTrajectory } from "../../../training/trajectory.js";
import { buildTrajectory, failedActionsScript } from "../../support/trajectory-fixtures.js";

function conversation(): ConversationMessage[] {
  const parsed = parseStoredTrajectory(buildTrajectory("tools", failedActionsScript()));
  if (!parsed.ok) throw new Error(parsed.reason);
  const converted = toTextConversation(parsed.value);
  if (!converted.ok) throw new Error(converted.reason);
  return converted.messages;
}

const step = { index: 0, turn: 1, action: null, observation: "", exitCode: null, error: false };

describe("toSharegpt", () => {
  it.each([
    ["tool-errors", [false, true, false, true, true, true, false, false, false, false]],
    ["all-nonzero", [false, true, true, true, true, true, false, false, false, false]],
    ["none", [false, false, false, false, false, false, false, false, false, false]],
  ] as [MaskMode, boolean[]][])("marks exactly the failed actions under %s", (mode, expected) => {
    const result = toSharegpt(conversation(), mode);
    if (!result.ok) throw new Error(result.reason);
    const assistants = result.record.messages.filter((m) => m.role === "assistant");
    expect(assistants.map((m) => m.turn_mask === true)).toEqual(expected);
    // Only `turn_mask: true` is ever written; unmasked messages carry no key.
    expect(assistants.filter((m) => "turn_mask" in m).every((m) => m.turn_mask === true)).toBe(true);
    expect(result.maskedTurns).toBe(expected.filter(Boolean).length);
    expect(result.assistantTurns).toBe(10);
  });

  it("alternates user and assistant strictly after the system prompt and ends on an assistant message", () => {
    const result = toSharegpt(conversation(), "tool-errors");
    if (!result.ok) throw new Error(result.reason);
    const roles = result.record.messages.map((m) => m.role);
    expect(roles[0]).toBe("system");
    roles.slice(1).forEach((role, i) => expect(role).toBe(i % 2 === 0 ? "user" : "assistant"));
    expect(roles.at(-1)).toBe("assistant");
  });

  it("joins consecutive user messages and drops the results nobody answered", () => {
    const messages: ConversationMessage[] = [
      { role: "system", content: "s" },
      { role: "user", content: "task" },
      { role: "user", content: "more" },
      { role: "assistant", content: "a", step },
      { role: "user", content: "result" },
      { role: "user", content: "another" },
    ];
    expect(toSharegpt(messages, "none")).toEqual({
      ok: true,
      record: { messages: [{ role: "system", content: "s" }, { role: "user", content: "task\n\nmore" }, { role: "assistant", content: "a" }] },
      assistantTurns: 1,
      maskedTurns: 0,
    });
  });

  it.each([
    ["two assistant messages in a row", [{ role: "system", content: "s" }, { role: "user", content: "u" }, { role: "assistant", content: "a", step }, { role: "assistant", content: "b", step }], /cannot alternate/],
    ["an assistant message right after the system prompt", [{ role: "system", content: "s" }, { role: "assistant", content: "a", step }], /cannot alternate/],
    ["no assistant message", [{ role: "system", content: "s" }, { role: "user", content: "u" }], /no assistant message/],
    ["no system prompt", [{ role: "user", content: "u" }], /system prompt/],
  ] as [string, ConversationMessage[], RegExp][])("reports %s", (_name, messages, reason) => {
    const result = toSharegpt(messages, "none");
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe("toOpenAiChat", () => {
  it("puts weight 0 on exactly the messages that carry turn_mask and weight 1 on the other assistant messages", () => {
    const result = toSharegpt(conversation(), "tool-errors");
    if (!result.ok) throw new Error(result.reason);
    const chat = toOpenAiChat(result.record);
    expect(chat.messages.map((m) => m.content)).toEqual(result.record.messages.map((m) => m.content));
    chat.messages.forEach((m, i) => {
      const source = result.record.messages[i];
      if (m.role === "assistant") expect(m.weight).toBe(source?.turn_mask ? 0 : 1);
      else expect(m).not.toHaveProperty("weight");
      expect(m).not.toHaveProperty("turn_mask");
    });
  });
});
