import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import fc from "fast-check";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportSft } from "../../../training/export-sft.js";
import { ExportDir, HashedFile, jsonPieces } from "../../../training/output.js";
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

describe("records written in pieces through reused buffers", () => {
  // Values as records are built, plus what JSON.stringify treats specially.
  const anyValue = fc.oneof(
    fc.jsonValue(),
    fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), fc.array(fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.constant(() => 1))), fc.constant(undefined), fc.date({ noInvalidDate: true }))),
    fc.record({ messages: fc.array(fc.record({ role: fc.constantFrom("user", "assistant"), content: fc.string({ unit: "binary" }), turn_mask: fc.option(fc.constant(true as const), { nil: undefined }) })) }),
  );

  it("jsonPieces concatenates to exactly JSON.stringify", () => {
    fc.assert(fc.property(anyValue, (value) => [...jsonPieces(value)].join("") === JSON.stringify(value)), { numRuns: 500 });
    expect([...jsonPieces({ when: new Date(0), list: Object.assign([1], { toJSON: () => "x" }) })].join("")).toBe('{"when":"1970-01-01T00:00:00.000Z","list":"x"}');
  });

  it("writes and hashes the same bytes as one Buffer.from at any buffer size, surrogate pairs whole", async () => {
    const dir = outDir();
    mkdirSync(dir);
    const pieces = fc.array(fc.string({ unit: "grapheme", maxLength: 40 }), { maxLength: 30 });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(pieces, fc.constantFrom(4, 5, 7, 64, 1 << 20), async (texts, size) => {
        const file = new HashedFile("f", path.join(dir, `f${++n}`), "raw", size);
        for (const t of texts) await file.write(t);
        const done = await file.close();
        const expected = Buffer.from(texts.join(""), "utf8");
        const written = readFileSync(path.join(dir, `f${n}`));
        return written.equals(expected) && done.bytes === expected.length && done.sha256 === createHash("sha256").update(expected).digest("hex");
      }),
      { numRuns: 300 },
    );
    expect(() => new HashedFile("g", path.join(dir, "g"), "raw", 3)).toThrow(/at least one character/);
  });

  it("reports a file it could not create when written", async () => {
    const file = new HashedFile("x", path.join(work, "no-such-dir", "x"), "jsonl");
    await file.record({ a: 1 });
    await expect(file.close()).rejects.toThrow(/ENOENT/);
  });
});
