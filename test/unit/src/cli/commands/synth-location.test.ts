// `lego synth` and `lego harvest` given a location that is no repository: a specific error that
// the CLI maps to exit 2 (bad input), as it maps bad flags; a real clone still opens.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT, exitCodeFor } from "../../../../../src/cli/program.js";
import { LocalSource, SourceLocationError } from "../../../../../src/harvest/local-source.js";

const work = mkdtempSync(path.join(os.tmpdir(), "lego-synth-location-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("a repository location that cannot be read", () => {
  it("a path that does not exist is bad input, exit 2", async () => {
    const err = await LocalSource.open(path.join(work, "nonexistent"), path.join(work, "c1")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceLocationError);
    expect((err as Error).message).toMatch(/nonexistent: no such file or directory/);
    expect(exitCodeFor(err)).toBe(EXIT.config);
    expect(EXIT.config).toBe(2);
  });

  it("a directory that is no git repository is bad input, with git's reason", async () => {
    const plain = path.join(work, "plain");
    mkdirSync(plain);
    writeFileSync(path.join(plain, "a.py"), "a = 1\n");
    const err = await LocalSource.open(plain, path.join(work, "c2")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceLocationError);
    expect((err as Error).message).toMatch(/plain: not a git repository we can clone \(.+\)/);
    expect(exitCodeFor(err)).toBe(2);
  });

  it("a real clone opens, and an unexpected error stays exit 1", async () => {
    const repo = path.join(work, "repo");
    mkdirSync(repo);
    const g = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo });
    g("init", "-q");
    writeFileSync(path.join(repo, "a.py"), "a = 1\n");
    g("add", ".");
    g("commit", "-q", "-m", "init");
    const source = await LocalSource.open(repo, path.join(work, "c3"));
    expect(source.repo).toBe("local/repo");
    expect(exitCodeFor(new Error("boom"))).toBe(EXIT.failure);
  });
});

describe("lego synth's flags", () => {
  it("--group of 0 is refused as bad input, with what is expected", () => {
    let out = "";
    let status = 0;
    try {
      execFileSync(process.execPath, [path.resolve("bin/lego.js"), "synth", work, "--group", "0"], { encoding: "utf8", stdio: "pipe" });
    } catch (err) {
      out = (err as { stderr: string }).stderr;
      status = (err as { status: number }).status;
    }
    expect(out).toContain("option '--group <n>' argument '0' is invalid. expected a whole number of at least 1");
    expect(status).toBe(2);
  });
});
