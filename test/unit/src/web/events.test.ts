import { describe, expect, it } from "vitest";
import { summarize } from "../../../../src/web/events.js";

describe("summarize", () => {
  it("extracts routing fields and tolerates odd shapes", () => {
    expect(summarize({ action: "opened", installation: { id: 5 }, repository: { full_name: "o/r" } })).toEqual({ action: "opened", installationId: 5, repository: "o/r" });
    expect(summarize({ installation: { id: "5" }, repository: null })).toEqual({ action: null, installationId: null, repository: null });
  });
});
