import { describe, expect, it } from "vitest";
import { grants, isBotActor } from "../../../handlers/permissions.js";

describe("isBotActor", () => {
  it.each([
    [{ login: "renovate[bot]", type: "Bot" }, true],
    [{ login: "some-app", type: "Bot" }, true],
    [{ login: "sneaky[bot]", type: "User" }, true],
    [{ login: "Sneaky[BOT]", type: "User" }, true],
    [{ login: "alice", type: "User" }, false],
    [{ login: "bot", type: "User" }, false],
    [null, true],
  ] as [{ login: string; type: string } | null, boolean][])("%j → %s", (user, bot) => expect(isBotActor(user)).toBe(bot));
});

describe("grants", () => {
  it.each([
    ["admin", undefined, "write"],
    ["write", undefined, "write"],
    ["read", "maintain", "write"],
    ["read", "triage", "read"],
    ["read", undefined, "read"],
    ["none", undefined, "none"],
  ] as [string, string | undefined, string][])("%s / %s → %s", (permission, role, level) => expect(grants(permission, role)).toBe(level));
});
