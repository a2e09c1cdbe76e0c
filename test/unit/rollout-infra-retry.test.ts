import { describe, expect, it } from "vitest";
import { checkInfraRetry, storedRun } from "../../workers/rollout.js";

describe("checkInfraRetry", () => {
  const base = { editsTests: false };
  it("asks for a retry when the sandbox could not run the check", () => {
    expect(checkInfraRetry({ ...base, infraError: "connect ECONNREFUSED /tmp/d.sock" })).toBe("connect ECONNREFUSED /tmp/d.sock");
  });
  it("lets a check stand when it ran, or when its verdict needs no sandbox", () => {
    expect(checkInfraRetry(base)).toBeNull();
    expect(checkInfraRetry({ editsTests: true, infraError: "engine away" })).toBeNull();
    expect(checkInfraRetry({ ...base, hangs: "the suite hangs with the patch", infraError: "engine away" })).toBeNull();
  });
});

describe("storedRun", () => {
  const row = { patch: "diff --git a/x b/x\n", finishReason: "submitted", turns: 4, promptTokens: 100, completionTokens: 20, costUsd: 0.5 };
  const messages = [{ role: "user", content: "fix it" }];
  it("rebuilds what the check and the verifier need from an earlier try's row", () => {
    expect(storedRun(row, messages)).toEqual({ messages, patch: row.patch, finishReason: "submitted", turns: 4, tokens: { prompt: 100, completion: 20 }, costUsd: 0.5 });
  });
  it("keeps an empty patch (the agent changed nothing): still a finished run", () => {
    expect(storedRun({ ...row, patch: "" }, messages)?.patch).toBe("");
  });
  it("is null when no run was stored, it was cancelled, or its messages are missing", () => {
    expect(storedRun(undefined, messages)).toBeNull();
    expect(storedRun({ ...row, patch: null }, messages)).toBeNull();
    expect(storedRun({ ...row, finishReason: null }, messages)).toBeNull();
    expect(storedRun({ ...row, finishReason: "cancelled" }, messages)).toBeNull();
    expect(storedRun(row, undefined)).toBeNull();
  });
});
