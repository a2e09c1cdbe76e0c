// `lego synth` as users meet it before any environment is built: a location that is no repository
// is bad input (exit 2, as `lego harvest`), and the repository's .github/lego.yml is read (a broken
// one stops the command with its problems, exit 2) so its sandbox settings apply as in harvest.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLego } from "../support/lego-process.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { TEST_CACHE_DIR } from "../support/services.js";
import { pythonSynthProject, synthRepo } from "../support/synth-fixtures.js";

const work = mkdtempSync(path.join(os.tmpdir(), "lego-synth-cli-"));
let temp: TempDatabase;
const env: Record<string, string> = { LEGO_DATA_DIR: path.join(work, "data"), LEGO_CACHE_DIR: TEST_CACHE_DIR };
beforeAll(async () => {
  temp = await createTempDatabase();
  env.DATABASE_URL = temp.url;
});
afterAll(async () => {
  await temp?.drop();
  rmSync(work, { recursive: true, force: true });
});

function lego(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = runLego(args, env, work);
  let stdout = "";
  let stderr = "";
  proc.stdout?.on("data", (d) => (stdout += d));
  proc.stderr?.on("data", (d) => (stderr += d));
  return new Promise((resolve) => proc.once("exit", (code) => resolve({ code, stdout, stderr })));
}

describe("lego synth: bad input", () => {
  it("exits 2 for a location that does not exist, as harvest does", async () => {
    const missing = path.join(work, "nonexistent");
    const synth = await lego(["synth", missing]);
    expect(synth.stderr).toMatch(/nonexistent: no such file or directory/);
    expect(synth.code).toBe(2);
    const harvest = await lego(["harvest", missing]);
    expect(harvest.code).toBe(2);
  }, 300_000);

  it("reads .github/lego.yml: a broken one stops it with exit 2 naming the problem", async () => {
    const dir = path.join(work, "broken");
    synthRepo(dir, { ...pythonSynthProject, ".github/lego.yml": "sandbox:\n  testCmd: [1, 2]\n" });
    const r = await lego(["synth", dir, "--max", "1"]);
    expect(r.stderr).toMatch(/\.github\/lego\.yml: .*testCmd/);
    expect(r.code).toBe(2);
  }, 300_000);
});
