import { describe, expect, it } from "vitest";
import { defaultRepoConfig, repoConfigSchema, synthSettings } from "../../../../src/repo-config.js";
import { synthJobAfterHarvest } from "../../../../src/synthetic/enqueue.js";

const on = synthSettings(repoConfigSchema.parse({ synth: { enabled: true, perSnapshot: 3 } }));
const off = synthSettings(defaultRepoConfig);
const built = { repo: "acme/calc", baseCommit: "abc123", environmentId: 4, evidence: { environment: { reused: false } } };

describe("synthJobAfterHarvest", () => {
  it("a fresh environment build with synth.enabled: one job synth-<repo>-<commit> carrying the settings", () => {
    expect(on).not.toBeNull();
    expect(synthJobAfterHarvest(built, on, 7)).toEqual({ id: "synth-acme_calc-abc123", data: { installationId: 7, repo: "acme/calc", commit: "abc123", settings: on } });
  });

  it("nothing with synth.enabled false, a reused environment, no environment, or no build evidence", () => {
    expect(off).toBeNull();
    expect(synthJobAfterHarvest(built, off, 7)).toBeNull();
    expect(synthJobAfterHarvest({ ...built, evidence: { environment: { reused: true } } }, on, 7)).toBeNull();
    expect(synthJobAfterHarvest({ ...built, environmentId: null }, on, 7)).toBeNull();
    expect(synthJobAfterHarvest({ ...built, evidence: undefined }, on, 7)).toBeNull();
  });
});
