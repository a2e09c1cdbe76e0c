import { describe, expect, it } from "vitest";
import { BadQueryError, parseQuery, tasksQuery, windowStart } from "../../../../../src/web/dashboard/params.js";

describe("query strings", () => {
  it("fills defaults and treats blank form fields as unset", () => {
    expect(parseQuery(tasksQuery, { status: "", repo: "", installation: "" })).toMatchObject({ page: 1, per_page: 50, window: "30d", status: undefined, repo: undefined, installation: undefined });
  });

  it.each([
    [{ per_page: "1000000" }, "per_page: must be at most 100"],
    [{ page: "0" }, "page: must be at least 1"],
    [{ page: "1.5" }, "page: must be a whole number"],
    [{ installation: "abc" }, "installation: must be a whole number"],
    [{ repo: "no-slash" }, "repo: must be owner/name"],
    [{ status: "done" }, "status: must be one of candidate, validating, valid, invalid, skipped"],
    [{ window: "1y" }, "window: must be one of 24h, 7d, 30d, 90d, all"],
    [{ reason: "x".repeat(301) }, "reason: must be at most 300 characters"],
    [{ status: ["valid", "invalid"] }, "status: given more than once"],
  ])("refuses %j", (query, message) => {
    expect(() => parseQuery(tasksQuery, query)).toThrow(BadQueryError);
    expect(() => parseQuery(tasksQuery, query)).toThrow(message);
  });

  it("turns a window into its start", () => {
    const now = new Date("2026-01-31T00:00:00Z");
    expect(windowStart("7d", now)?.toISOString()).toBe("2026-01-24T00:00:00.000Z");
    expect(windowStart("all", now)).toBeNull();
  });
});
