import { describe, expect, it } from "vitest";
import { estimateConversationTokens } from "../../../training/tokens.js";

describe("estimateConversationTokens", () => {
  it("counts about 3.5 characters a token plus the template's markers", () => {
    expect(estimateConversationTokens([{ content: "x".repeat(35) }, { content: "" }])).toBe(10 + 5 + 5);
  });
});
