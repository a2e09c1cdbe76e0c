import { describe, expect, it } from "vitest";
import { buildPath, buildsText, healthText, parseCloneArg, reasonKey, yieldTable } from "../../../bench/lib/yield-report.js";

describe("yield benchmark report", () => {
  it("names a clone from path=owner/name, else leaves naming to its origin", () => {
    expect(parseCloneArg("/work/real/kleur=lukeed/kleur")).toEqual({ location: "/work/real/kleur", name: "lukeed/kleur" });
    expect(parseCloneArg("/work/real/kleur")).toEqual({ location: "/work/real/kleur" });
    expect(parseCloneArg("a=b=c/d")).toEqual({ location: "a=b", name: "c/d" });
  });

  it("counts reasons by their first words", () => {
    expect(reasonKey("no test change: the PR adds or edits no test file")).toBe("no test change");
    expect(reasonKey("environment build failed (network): x")).toBe("environment build failed");
    expect(reasonKey(null)).toBe("unknown");
  });

  it("reads the install path and skipped requirements from the build log", () => {
    const log = 'x\n##lego-env {"path":"index-one-at-a-time"}\n##lego-skip hypothesis>=6\n##lego-env {"python":"3.11.2"}\n';
    expect(buildPath({ fallback: "package index, one requirement at a time", buildLog: log })).toBe(
      'path index-one-at-a-time, fallback "package index, one requirement at a time", skipped hypothesis>=6',
    );
    expect(buildPath({ fallback: null, buildLog: "npm ci\n" })).toBe("first install");
  });

  it("shows the health check's counts and first error", () => {
    expect(healthText({ ran: true, collected: 10, passed: 8, failed: 2, firstError: null, durationMs: 1 })).toBe("10 collected, 8 passed, 2 failed");
    expect(healthText({ ran: true, collected: 3, passed: 0, failed: 3, firstError: "ModuleNotFoundError: No module named 'freezegun'", durationMs: 1 })).toContain(
      "first error: ModuleNotFoundError: No module named 'freezegun'",
    );
    expect(healthText({ ran: false, collected: 0, passed: 0, failed: 0, firstError: null, durationMs: 1, error: "timed out" })).toBe("did not run (timed out)");
    expect(healthText(null)).toBe("not run");
  });

  it("counts the images built for the PRs' bases and how the failed ones failed", () => {
    const b = (status: string, failureClass: string | null = null) => ({ status, fallback: null, failureClass, buildLog: null, health: null });
    expect(buildsText([b("ready"), b("failed", "network"), b("failed", "network"), b("ready")])).toBe("2/4 built; failed: 2 network");
    expect(buildsText([])).toBe("-");
  });

  it("prints the table and the overall rates", () => {
    const text = yieldTable([
      { repo: "a/b", env: "built (pytest; first install)", envOk: true, health: "1 collected, 1 passed, 0 failed", builds: "1/1 built", scanned: 10, candidates: 4, valid: 2, invalid: new Map([["x | y", 2]]), skipped: new Map([["no test change", 6]]), minutes: 3 },
      { repo: "c/d", env: "failed: no-project", envOk: false, health: "-", builds: "-", scanned: 10, candidates: 0, valid: 0, invalid: new Map(), skipped: new Map(), minutes: 1 },
    ]);
    expect(text).toContain("| a/b | built (pytest; first install) | 1 collected, 1 passed, 0 failed | 1/1 built | 10 | 4 | 2 | 2 x \\| y | 6 no test change | 3.0 |");
    expect(text).toContain("environment success rate 1/2; valid tasks per PR scanned 2/20 = 0.10 (per candidate 2/4); minutes per valid task 2.0 (4.0 min in all)");
  });
});
