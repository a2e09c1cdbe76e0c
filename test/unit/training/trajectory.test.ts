import { describe, expect, it } from "vitest";
import { parseStoredTrajectory } from "../../../training/trajectory.js";

describe("parseStoredTrajectory", () => {
  it.each([
    ["not a list", { messages: "x", steps: [] }, /corrupt message list/],
    ["an unknown role", { messages: [{ role: "robot", content: "" }], steps: [] }, /corrupt message list/],
    ["a tool call without arguments", { messages: [{ role: "system", content: "" }, { role: "user", content: "" }, { role: "assistant", content: null, tool_calls: [{ id: "1", type: "function", function: { name: "x" } }] }], steps: [] }, /corrupt message list: 2\.tool_calls\.0\.function\.arguments/],
    ["a truncated list", { messages: [{ role: "system", content: "s" }], steps: [] }, /truncated message list/],
    ["steps without turns", { messages: [{ role: "system", content: "s" }, { role: "user", content: "u" }], steps: [{ index: 0 }] }, /corrupt step records/],
  ])("reports %s", (_name, raw, reason) => {
    const result = parseStoredTrajectory(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});
