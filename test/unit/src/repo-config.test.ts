import { describe, expect, it } from "vitest";
import { configErrorIssueBody, defaultRepoConfig, parseRepoConfig, parseRepoConfigText, trajgenSettings } from "../../../src/repo-config.js";

describe(".github/lego.yml", () => {
  it("uses documented defaults when the file is absent or empty", () => {
    expect(parseRepoConfig(null)).toEqual({ ok: true, config: defaultRepoConfig });
    expect(defaultRepoConfig.autofix).toEqual({ trigger: "command", label: "lego:fix", k: 4, maxOpenPrs: 3, maxPrsPerHour: 2, minScore: 0.5, allowUnscored: false, selection: "hybrid", maxCostUsd: 10, maxCostUsdPerDay: 50, untrustedReviewComments: false, reproTimeoutSec: 300 });
    expect(defaultRepoConfig.harvest.skipBots).toBe(true);
  });
  it("fills defaults around partial settings and ignores _extends", () => {
    const r = parseRepoConfig({ _extends: ".github", autofix: { trigger: "all" } });
    expect(r.ok && r.config.autofix).toMatchObject({ trigger: "all", k: 4 });
  });
  it("explains every problem with its path", () => {
    const r = parseRepoConfig({ autofix: { trigger: "sometimes", k: 99 }, harvset: {} });
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    expect(errors.some((e) => e.startsWith("autofix.trigger:"))).toBe(true);
    expect(errors.some((e) => e.startsWith("autofix.k:"))).toBe(true);
    expect(errors.some((e) => /harvset/.test(e))).toBe(true);
  });
  it("rejects a file that is not a mapping", () => {
    expect(parseRepoConfig(["a"])).toEqual({ ok: false, errors: [expect.stringMatching(/YAML mapping/)] });
  });
  it("writes an issue body that lists the problems and carries a marker", () => {
    const body = configErrorIssueBody(["autofix.k: too big"]);
    expect(body).toContain("- autofix.k: too big");
    expect(body).toContain("<!-- lego:config-error -->");
  });
});

describe("parseRepoConfigText", () => {
  it("reads a file and reports YAML problems as problems", () => {
    expect(parseRepoConfigText("autofix:\n  minScore: 0.7\n")).toMatchObject({ ok: true, config: { autofix: { minScore: 0.7 } } });
    expect(parseRepoConfigText("autofix: [\n")).toMatchObject({ ok: false, errors: [expect.stringMatching(/^not valid YAML: /)] });
    expect(parseRepoConfigText("*a")).toMatchObject({ ok: false, errors: [expect.stringMatching(/^not valid YAML: /)] });
  });
  // Each of these crashed the process with a fatal out-of-memory inside the yaml library.
  it.each(["[", "{a: ", "- ", "? "])("refuses %j nested thousands deep before parsing it", (piece) => {
    expect(parseRepoConfigText(piece.repeat(3000))).toEqual({ ok: false, errors: ["collections are nested more than 32 levels deep"] });
  });
  it("refuses a file over 64 KB", () => {
    expect(parseRepoConfigText(`# ${"x".repeat(70_000)}\n`)).toEqual({ ok: false, errors: ["the file is larger than 64 KB"] });
  });

  it("takes per-repository trajgen settings, only the keys set, and refuses bad ones with the key and the reason", () => {
    expect(defaultRepoConfig.trajgen).toEqual({});
    expect(trajgenSettings(defaultRepoConfig)).toEqual({});
    const r = parseRepoConfigText("trajgen:\n  k: 0\n  maxCostUsdPerDay: 2.5\n");
    expect(r.ok && trajgenSettings(r.config)).toEqual({ k: 0, maxCostUsdPerDay: 2.5 });
    const all = parseRepoConfigText("trajgen:\n  k: 8\n  maxRolloutsPerDay: 500\n  maxCostUsdPerDay: 0\n");
    expect(all.ok && trajgenSettings(all.config)).toEqual({ k: 8, maxRolloutsPerDay: 500, maxCostUsdPerDay: 0 });
    const bad = parseRepoConfig({ trajgen: { k: 65, maxRolloutsPerDay: 1.5, maxCostUsdPerDay: "lots", rolloutsPerDay: 3 } });
    expect(bad.ok).toBe(false);
    const errors = bad.ok ? [] : bad.errors;
    expect(errors).toEqual([
      expect.stringMatching(/^trajgen\.k: Too big: expected number to be <=64/),
      expect.stringMatching(/^trajgen\.maxRolloutsPerDay: Invalid input: expected int, received number/),
      expect.stringMatching(/^trajgen\.maxCostUsdPerDay: Invalid input: expected number, received string/),
      expect.stringMatching(/^trajgen: Unrecognized key: "rolloutsPerDay"/),
    ]);
    expect(parseRepoConfig({ trajgen: { k: -1 } })).toEqual({ ok: false, errors: [expect.stringMatching(/^trajgen\.k: Too small: expected number to be >=0/)] });
  });
});
