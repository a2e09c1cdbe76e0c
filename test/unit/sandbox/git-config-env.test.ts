import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { git } from "../../../src/git.js";
import { configEnv, GitError } from "../../../sandbox/git.js";

describe("git settings travel in the environment, not the arguments", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lego-git-env-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("maps name=value to GIT_CONFIG_COUNT/KEY/VALUE, values may hold '='", () => {
    expect(configEnv([])).toEqual({});
    expect(configEnv(["http.extraHeader=Authorization: Basic eD1h==", "core.quotePath=false"])).toEqual({
      GIT_CONFIG_COUNT: "2",
      GIT_CONFIG_KEY_0: "http.extraHeader",
      GIT_CONFIG_VALUE_0: "Authorization: Basic eD1h==",
      GIT_CONFIG_KEY_1: "core.quotePath",
      GIT_CONFIG_VALUE_1: "false",
    });
    expect(() => configEnv(["=value"])).toThrow(GitError);
  });

  it("an installation token reaches git's config but never its argument list", async () => {
    // A `git` first on PATH that records its arguments, then runs the real one.
    const bin = path.join(dir, "bin");
    const argv = path.join(dir, "argv.txt");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "git"), `#!/bin/sh\nprintf '%s\\n' "$@" >> ${argv}\nexec /usr/bin/git "$@"\n`);
    chmodSync(path.join(bin, "git"), 0o755);
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      const token = "ghs_canaryTOKEN0123456789";
      const header = (await git(dir, ["config", "--get", "http.extraHeader"], { token })).trim();
      expect(header).toBe(`Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`);
      const recorded = readFileSync(argv, "utf8");
      expect(recorded).toContain("config");
      expect(recorded).not.toContain(Buffer.from(`x-access-token:${token}`).toString("base64"));
      expect(recorded).not.toContain("extraHeader=");
    } finally {
      process.env.PATH = oldPath;
    }
  });
});
