import { describe, expect, it } from "vitest";
import { decodeSession, encodeSession, narrowTo, safeNext, secretMatches, sessionKey, type Viewer } from "../../../../../src/web/dashboard/session.js";

describe("sessions", () => {
  const alice: Viewer = { login: "alice", via: "github", installations: [101] };

  it("round-trips a viewer until it expires", () => {
    const value = encodeSession(alice, 1000);
    expect(decodeSession(value, 2000)).toEqual(alice);
    expect(decodeSession(value, 1000 + 9 * 3600_000)).toBeNull();
  });

  it.each([
    ["not base64 json", "%%%"],
    ["a GitHub session claiming every installation", Buffer.from(JSON.stringify({ l: "x", v: "github", i: "all", e: 9e15 })).toString("base64url")],
    ["installations that are not numbers", Buffer.from(JSON.stringify({ l: "x", v: "github", i: ["101"], e: 9e15 })).toString("base64url")],
    ["an unknown kind", Buffer.from(JSON.stringify({ l: "x", v: "root", i: "all", e: 9e15 })).toString("base64url")],
  ])("rejects %s", (_what, value) => expect(decodeSession(value, 0)).toBeNull());

  it.each([
    ["/dashboard/tasks?status=valid", "/dashboard/tasks?status=valid"],
    ["/dashboard", "/dashboard"],
    ["//evil.example/dashboard", "/dashboard"],
    ["https://evil.example/", "/dashboard"],
    ["/dashboardx", "/dashboard"],
    ["/dashboard/\\evil", "/dashboard"],
    [undefined, "/dashboard"],
  ])("follows %j after sign-in as %j", (next, to) => expect(safeNext(next)).toBe(to));

  it("narrows a viewer to one of their installations, never to another", () => {
    expect(narrowTo(alice, undefined)).toEqual([101]);
    expect(narrowTo(alice, 101)).toEqual([101]);
    expect(narrowTo(alice, 202)).toBeNull();
    expect(narrowTo({ login: "token", via: "token", installations: "all" }, 202)).toEqual([202]);
  });

  it("compares secrets and derives a signing key", () => {
    expect(secretMatches("abc", "abc")).toBe(true);
    expect(secretMatches("abc", "abcd")).toBe(false);
    expect(sessionKey({ sessionSecret: "s".repeat(32) })).toBe("s".repeat(32));
    expect(sessionKey({ privateKey: "pem" })).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionKey({})).toBeUndefined();
  });
});
