import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, hostConfigFor, resolveLimits } from "../../../sandbox/limits.js";

describe("hostConfigFor", () => {
  it("turns the default limits into a locked-down HostConfig", () => {
    expect(hostConfigFor(DEFAULT_LIMITS)).toEqual({
      NanoCpus: 2_000_000_000,
      Memory: 4096 * 1024 * 1024,
      MemorySwap: 4096 * 1024 * 1024,
      PidsLimit: 512,
      NetworkMode: "none",
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      Init: true,
      Ulimits: [{ Name: "fsize", Soft: 2048 * 1024 * 1024, Hard: 2048 * 1024 * 1024 }],
    });
  });

  it("caps one file's size always and the writable layer when asked", () => {
    const config = hostConfigFor(resolveLimits({ fileSizeMb: 10, diskMb: 500 }));
    expect(config.Ulimits).toEqual([{ Name: "fsize", Soft: 10 * 1024 * 1024, Hard: 10 * 1024 * 1024 }]);
    expect(config.StorageOpt).toEqual({ size: "500M" });
  });

  it("allows fractional CPUs, network and capabilities for builds", () => {
    const config = hostConfigFor(resolveLimits({ cpus: 0.5, memoryMb: 256, network: true }), {
      capAdd: ["CHOWN", "SETUID"],
    });
    expect(config.NanoCpus).toBe(500_000_000);
    expect(config.Memory).toBe(256 * 1024 * 1024);
    expect(config.MemorySwap).toBe(config.Memory);
    expect(config.NetworkMode).toBe("bridge");
    expect(config.CapDrop).toEqual(["ALL"]);
    expect(config.CapAdd).toEqual(["CHOWN", "SETUID"]);
  });

  it("adds no CapAdd key for an empty list", () => {
    expect(hostConfigFor(DEFAULT_LIMITS, { capAdd: [] })).not.toHaveProperty("CapAdd");
  });
});

describe("resolveLimits", () => {
  it("fills defaults and keeps overrides", () => {
    expect(resolveLimits({ pids: 64 })).toEqual({ ...DEFAULT_LIMITS, pids: 64 });
  });

  it.each([
    [{ cpus: 0 }, /cpus/],
    [{ memoryMb: -1 }, /memoryMb/],
    [{ memoryMb: 4 }, /at least 6/],
    [{ pids: Number.NaN }, /pids/],
    [{ lifetimeSec: Infinity }, /lifetimeSec/],
  ])("rejects %o", (partial, message) => {
    expect(() => resolveLimits(partial)).toThrow(message);
  });
});
