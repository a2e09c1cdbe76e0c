import { describe, expect, it } from "vitest";
import { hintsBefore } from "../../../../src/harvest/source.js";

describe("hintsBefore", () => {
  const comments = [
    { body: "second", createdAt: "2024-01-02T00:00:00.900Z" },
    { body: "first", createdAt: "2024-01-01T00:00:00Z" },
    { body: "after the work started", createdAt: "2024-01-02T00:00:01Z" },
    { body: "  ", createdAt: "2024-01-01T00:00:00Z" },
  ];
  it("keeps comments made before the PR's first commit, oldest first, at git's one-second resolution", () => {
    expect(hintsBefore(comments, "2024-01-02T00:00:00Z")).toBe("first\n\nsecond");
  });
  it("is empty when the first commit is unknown", () => {
    expect(hintsBefore(comments, null)).toBe("");
  });
});
