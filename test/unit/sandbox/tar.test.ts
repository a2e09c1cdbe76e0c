import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readTar, tarFile } from "../../../sandbox/tar.js";

const scratch = mkdtempSync(join(tmpdir(), "lego-tar-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("tarFile", () => {
  it("round-trips through readTar", () => {
    const content = Buffer.from([0, 1, 2, 255, ...Buffer.from("héllo")]);
    const archive = tarFile({ name: "data.bin", content, mode: 0o755 });
    expect(archive.length % 512).toBe(0);
    const [entry, ...rest] = readTar(archive);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ name: "data.bin", type: "file", mode: 0o755, size: content.length });
    expect(entry?.data.equals(content)).toBe(true);
  });

  it("is extracted by GNU tar, long names included", () => {
    const longName = `${"x".repeat(150)}.txt`;
    for (const [name, mode] of [["short.txt", 0o640], [longName, 0o600]] as const) {
      const archivePath = join(scratch, "out.tar");
      writeFileSync(archivePath, tarFile({ name, content: Buffer.from(`content of ${name.length}`), mode }));
      execFileSync("tar", ["-C", scratch, "-xf", archivePath]);
      expect(readFileSync(join(scratch, name), "utf8")).toBe(`content of ${name.length}`);
      expect(statSync(join(scratch, name)).mode & 0o777).toBe(mode);
    }
  });

  it("round-trips a long name through a PAX header", () => {
    const name = `${"dir/".repeat(40)}file.txt`;
    const [entry] = readTar(tarFile({ name, content: Buffer.from("x") }));
    expect(entry?.name).toBe(name);
  });
});

describe("readTar", () => {
  it("reads what GNU tar writes: files, directories, symlinks, ustar prefixes", () => {
    const src = join(scratch, "src");
    const deep = join(src, "a".repeat(90), "b".repeat(60));
    execFileSync("mkdir", ["-p", deep]);
    writeFileSync(join(deep, "f.txt"), "deep file");
    execFileSync("ln", ["-s", "target", join(src, "link")]);
    const archive = execFileSync("tar", ["-C", src, "--format=ustar", "-cf", "-", "."]);
    const entries = readTar(archive);
    const file = entries.find((e) => e.name.endsWith("f.txt"));
    expect(file?.type).toBe("file");
    expect(file?.name).toBe(`./${"a".repeat(90)}/${"b".repeat(60)}/f.txt`);
    expect(file?.data.toString()).toBe("deep file");
    expect(entries.find((e) => e.name === "./link")).toMatchObject({ type: "symlink", linkname: "target" });
    expect(entries.some((e) => e.type === "directory")).toBe(true);
  });

  it("reads GNU long names and PAX records", () => {
    const src = join(scratch, "long");
    const name = "n".repeat(180);
    execFileSync("mkdir", ["-p", src]);
    writeFileSync(join(src, name), "gnu");
    for (const format of ["gnu", "pax"]) {
      const archive = execFileSync("tar", ["-C", src, `--format=${format}`, "-cf", "-", name]);
      const entry = readTar(archive).find((e) => e.type === "file");
      expect(entry?.name).toBe(name);
      expect(entry?.data.toString()).toBe("gnu");
    }
  });

  it("rejects a corrupt header", () => {
    const archive = tarFile({ name: "a", content: Buffer.from("a") });
    archive[0] = "b".charCodeAt(0);
    expect(() => readTar(archive)).toThrow(/checksum/);
  });

  it("rejects a truncated archive", () => {
    const archive = tarFile({ name: "a", content: Buffer.alloc(2000) });
    expect(() => readTar(archive.subarray(0, 1024))).toThrow(/past the end/);
  });
});
