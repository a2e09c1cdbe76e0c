import { describe, expect, it } from "vitest";
import { TRUNCATION_MARKER, truncateHead, truncateMiddle } from "../../../../src/agent/truncate.js";

describe("truncateMiddle", () => {
  it("keeps short text as it is", () => {
    expect(truncateMiddle("short", 10)).toBe("short");
  });

  it("keeps the first and last halves around OpenHands' marker", () => {
    const text = "a".repeat(50) + "b".repeat(50);
    expect(truncateMiddle(text, 20)).toBe(`${"a".repeat(10)}${TRUNCATION_MARKER}${"b".repeat(10)}`);
    expect(TRUNCATION_MARKER).toBe("\n[... Observation truncated due to length ...]\n");
  });

  it("defaults to 30 000 characters", () => {
    const out = truncateMiddle("x".repeat(40_000));
    expect(out.length).toBe(30_000 + TRUNCATION_MARKER.length);
  });

  it("keeps the head of a file view with the notice", () => {
    expect(truncateHead("abcdef", "<clipped>", 3)).toBe("abc<clipped>");
  });
});
