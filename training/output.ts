// An export directory that is either complete or absent: everything is written under a
// temporary sibling name and renamed into place at the end, with `manifest.json` (holding the
// sha256 of every other file) written last. Files are streamed with backpressure and hashed as
// they are written, so memory stays flat whatever the size.
import { createHash, randomBytes, type Hash } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, rmdir } from "node:fs/promises";
import path from "node:path";

export class ExportError extends Error {
  constructor(
    readonly code: "export_dir_not_empty" | "export_write_failed",
    message: string,
  ) {
    super(message);
  }
}

export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
  records?: number;
}

/** A file written in pieces; `records` counts what `record()` appended. */
export class HashedFile {
  private readonly hash: Hash = createHash("sha256");
  private readonly stream: WriteStream;
  private bytes = 0;
  private records = 0;
  private failed: Error | null = null;
  private readonly format: "jsonl" | "json" | "raw";

  constructor(
    readonly relativePath: string,
    absolutePath: string,
    format: "jsonl" | "json" | "raw",
  ) {
    this.format = format;
    this.stream = createWriteStream(absolutePath, { flags: "wx" });
    this.stream.on("error", (error) => {
      this.failed = error;
    });
  }

  async write(text: string): Promise<void> {
    if (this.failed) throw this.failed;
    const chunk = Buffer.from(text, "utf8");
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          this.stream.off("drain", done);
          this.stream.off("error", done);
          if (error) reject(error);
          else resolve();
        };
        this.stream.once("drain", done);
        this.stream.once("error", done);
      });
    }
  }

  /** One JSON record: a line of JSONL, or an element of a JSON array. */
  async record(value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    if (this.format === "json") await this.write(`${this.records === 0 ? "[\n" : ",\n"}${json}`);
    else await this.write(`${json}\n`);
    this.records += 1;
  }

  async close(): Promise<WrittenFile> {
    if (this.format === "json") await this.write(this.records === 0 ? "[]\n" : "\n]\n");
    await new Promise<void>((resolve, reject) => this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
    if (this.failed) throw this.failed;
    return { path: this.relativePath, bytes: this.bytes, sha256: this.hash.digest("hex"), ...(this.format === "raw" ? {} : { records: this.records }) };
  }

  destroy(): void {
    this.stream.destroy();
  }
}

export class ExportDir {
  private readonly open: HashedFile[] = [];
  private readonly written: WrittenFile[] = [];

  private constructor(
    readonly finalDir: string,
    readonly tempDir: string,
  ) {}

  /** Refuses a directory that exists with something in it; an empty one is replaced. */
  static async create(dir: string): Promise<ExportDir> {
    const finalDir = path.resolve(dir);
    const entries = await readdir(finalDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw error;
    });
    if (entries && entries.length > 0) {
      throw new ExportError("export_dir_not_empty", `${finalDir} exists and is not empty; choose a new --out directory or remove this one.`);
    }
    await mkdir(path.dirname(finalDir), { recursive: true });
    const tempDir = `${finalDir}.partial-${process.pid}-${randomBytes(4).toString("hex")}`;
    await mkdir(tempDir);
    return new ExportDir(finalDir, tempDir);
  }

  file(relativePath: string, format: "jsonl" | "json" | "raw" = "raw"): HashedFile {
    const file = new HashedFile(relativePath, path.join(this.tempDir, relativePath), format);
    this.open.push(file);
    return file;
  }

  async writeText(relativePath: string, text: string): Promise<void> {
    const file = this.file(relativePath);
    await file.write(text);
    await this.close(file);
  }

  async close(file: HashedFile): Promise<WrittenFile> {
    const done = await file.close();
    this.open.splice(this.open.indexOf(file), 1);
    this.written.push(done);
    return done;
  }

  /** Closes what is open, writes the manifest with every file's hash, and renames into place. */
  async commit(build: (files: WrittenFile[]) => Record<string, unknown>): Promise<{ dir: string; manifest: Record<string, unknown> }> {
    for (const file of [...this.open]) await this.close(file);
    const files = [...this.written].sort((a, b) => (a.path < b.path ? -1 : 1));
    const manifest = build(files);
    const manifestFile = this.file("manifest.json");
    await manifestFile.write(`${JSON.stringify(manifest, null, 2)}\n`);
    await manifestFile.close();
    // An empty directory may have been made meanwhile; anything else in the way stops us.
    await rmdir(this.finalDir).catch(() => undefined);
    try {
      await rename(this.tempDir, this.finalDir);
    } catch (error) {
      throw new ExportError("export_write_failed", `could not move the finished export into ${this.finalDir}: ${(error as Error).message}; it is complete under ${this.tempDir}.`);
    }
    return { dir: this.finalDir, manifest };
  }

  /** Leaves nothing behind that could pass for an export. */
  async abort(): Promise<void> {
    for (const file of this.open) file.destroy();
    await rm(this.tempDir, { recursive: true, force: true });
  }
}
