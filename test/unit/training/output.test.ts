import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportSft } from "../../../training/export-sft.js";
import { ExportDir } from "../../../training/output.js";
import type { TaskGroup } from "../../../training/source.js";
import { from, groups, outDir, work } from "../../support/export-groups.js";

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("export output", () => {
  it("refuses a directory that is not empty and leaves it alone", async () => {
    const dir = outDir();
    mkdirSync(dir);
    writeFileSync(path.join(dir, "keep.txt"), "mine");
    await expect(exportSft(from(groups()), { outDir: dir, format: "llamafactory" })).rejects.toThrow(/exists and is not empty; choose a new --out directory/);
    expect(readdirSync(dir)).toEqual(["keep.txt"]);
  });

  it("takes an empty directory", async () => {
    const dir = outDir();
    mkdirSync(dir);
    await exportSft(from(groups().slice(1, 2)), { outDir: dir, format: "openai" });
    expect(readdirSync(dir)).toContain("manifest.json");
  });

  it("leaves nothing that looks complete when the source fails midway", async () => {
    const dir = outDir();
    async function* failing(): AsyncIterable<TaskGroup> {
      yield (groups()[0] as TaskGroup);
      throw new Error("database went away");
    }
    await expect(exportSft(failing(), { outDir: dir, format: "llamafactory" })).rejects.toThrow("database went away");
    expect(readdirSync(work).filter((f) => f.startsWith(path.basename(dir)))).toEqual([]);
  });

  it("writes under a temporary name until the end", async () => {
    const dir = outDir();
    const out = await ExportDir.create(dir);
    await out.writeText("a.txt", "x");
    expect(readdirSync(work).filter((f) => f.startsWith(path.basename(dir)))).toEqual([path.basename(out.tempDir)]);
    await out.commit(() => ({}));
    expect(readdirSync(dir).sort()).toEqual(["a.txt", "manifest.json"]);
  });
});
