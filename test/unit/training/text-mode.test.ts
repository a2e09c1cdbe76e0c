import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildSystemPrompt, buildUserMessage, noActionMessage } from "../../../src/agent/prompts.js";
import { toTextConversation, type ConversationMessage } from "../../../training/text-mode.js";
import { parseStoredTrajectory, type StoredTrajectory } from "../../../training/trajectory.js";
import { bashCall, buildTrajectory, failedActionsScript, finishCall, type ScriptedTurn } from "../../support/trajectory-fixtures.js";

const openhands = JSON.parse(readFileSync(new URL("../../fixtures/openhands-0.53/converted-tools-trajectory.json", import.meta.url), "utf8")) as { role: string; content: string }[];

function stored(mode: "tools" | "text", turns: ScriptedTurn[], withMode = true): StoredTrajectory {
  const built = buildTrajectory(mode, turns);
  const parsed = parseStoredTrajectory(withMode ? built : { messages: built.messages, steps: built.steps });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

function converted(t: StoredTrajectory): ConversationMessage[] {
  const result = toTextConversation(t);
  if (!result.ok) throw new Error(result.reason);
  return result.messages;
}

const plain = (messages: ConversationMessage[]) => messages.map((m) => ({ role: m.role, content: m.content }));

describe("toTextConversation", () => {
  it("writes a native tool-call trajectory exactly as OpenHands 0.53 does with function calling off", () => {
    expect(plain(converted(stored("tools", failedActionsScript())))).toEqual(openhands);
  });

  it("gives the tools-mode system prompt the text-mode suffix and the task the in-context example, as the text-mode agent sends them", () => {
    const [system, user] = converted(stored("tools", [{ calls: [finishCall()] }]));
    expect(system?.content).toBe(buildSystemPrompt("text"));
    expect(user?.content).toBe(buildUserMessage("`add(2, 3)` returns -1 instead of 5.", { mode: "text" }));
  });

  it("can leave out the in-context example, as OpenHands does for openhands-lm", () => {
    const result = toTextConversation(stored("tools", [{ calls: [finishCall()] }]), { inContextExample: false });
    expect(result.ok && result.messages[1]?.content).toBe(buildUserMessage("`add(2, 3)` returns -1 instead of 5.", { mode: "tools" }));
  });

  it("passes a text-mode trajectory through unchanged, each assistant message with its step", () => {
    const t = stored("text", failedActionsScript().filter((turn) => "noAction" in turn || turn.calls.length === 1 && !turn.calls[0]?.rawArgs));
    const out = converted(t);
    expect(plain(out)).toEqual(t.messages.map((m) => ({ role: m.role, content: m.content })));
    const assistants = out.filter((m) => m.role === "assistant");
    expect(assistants.map((m) => m.role === "assistant" && m.step.index)).toEqual(t.steps.map((s) => s.index));
  });

  it("infers the mode when the record does not say it", () => {
    expect(stored("text", [{ calls: [finishCall()] }], false).mode).toBe("text");
    expect(stored("tools", [{ calls: [finishCall()] }], false).mode).toBe("tools");
    expect(stored("tools", [{ noAction: "hm" }, { calls: [finishCall()] }], false).mode).toBe("tools");
  });

  it("links every assistant message to the step it produced, one message per executed call", () => {
    const out = converted(stored("tools", failedActionsScript()));
    const kinds = out.flatMap((m) => (m.role === "assistant" ? [`${m.step.action?.tool ?? "none"}:${m.step.errorKind ?? "ok"}`] : []));
    expect(kinds).toEqual([
      "execute_bash:ok",
      "execute_bash:command-not-found",
      "execute_bash:nonzero-exit",
      "str_replace_editor:editor",
      "none:no-action",
      "execute_bash:bad-arguments",
      "str_replace_editor:ok",
      "str_replace_editor:ok",
      "execute_bash:ok",
      "finish:ok",
    ]);
  });

  it("keeps a finish among several calls and leaves out the calls after it, which never ran", () => {
    const out = converted(stored("tools", [{ content: "Wrap up.", calls: [bashCall("ls"), finishCall("done"), bashCall("never")] }]));
    expect(plain(out.slice(2))).toEqual([
      { role: "assistant", content: "Wrap up.\n\n<function=execute_bash>\n<parameter=command>ls</parameter>\n</function>" },
      { role: "user", content: "EXECUTION RESULT of [execute_bash]:\nok" },
      { role: "assistant", content: "<function=finish>\n<parameter=message>done</parameter>\n</function>" },
    ]);
  });

  it("replaces the tools-mode nudge after an answer without an action by the text-mode one", () => {
    const out = converted(stored("tools", [{ noAction: "thinking" }, { calls: [finishCall()] }]));
    expect(out[3]).toEqual({ role: "user", content: noActionMessage("text") });
  });

  it.each([
    [
      "a step record that names another tool",
      (t: StoredTrajectory) => ({ ...t, steps: t.steps.map((s) => (s.index === 0 ? { ...s, action: { tool: "think", args: {} } } : s)) }),
      "corrupt-trajectory",
      /call 1 is execute_bash but its step record says think/,
    ],
    ["a turn with no step record", (t: StoredTrajectory) => ({ ...t, steps: t.steps.slice(1) }), "corrupt-trajectory", /no step record|but no step records/],
    [
      "a tool result for a call nobody made",
      (t: StoredTrajectory) => ({ ...t, messages: t.messages.map((m) => (m.role === "tool" ? { ...m, tool_call_id: "nope" } : m)) }),
      "corrupt-trajectory",
      /tool call nope, which no assistant message made/,
    ],
    [
      "arguments that are not a JSON object",
      (t: StoredTrajectory) => ({
        ...t,
        messages: t.messages.map((m) => (m.role === "assistant" && m.tool_calls ? { ...m, tool_calls: m.tool_calls.map((c) => ({ ...c, function: { ...c.function, arguments: "[1, 2]" } })) } : m)),
      }),
      "unrenderable-action",
      /cannot be written as a function block/,
    ],
  ] as const)("reports %s", (_name, corrupt, kind, reason) => {
    const result = toTextConversation(corrupt(stored("tools", [{ calls: [bashCall("ls")] }, { calls: [finishCall()] }])));
    expect(result).toMatchObject({ ok: false, kind });
    expect(!result.ok && result.reason).toMatch(reason);
  });
});
