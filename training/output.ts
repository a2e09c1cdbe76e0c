// An export directory that is either complete or absent: everything is written under a
// temporary sibling name and renamed into place at the end, with `manifest.json` (holding the
// sha256 of every other file) written last. Files are written through two reused buffers and
// hashed a buffer at a time, so memory stays flat whatever the size, and a record is encoded in
// pieces straight into the buffer: a string or Buffer as long as a whole record (hundreds of KB)
// lands in V8's or malloc's large-object space, freshly mapped and page-faulted each time, which
// cost more than the JSON itself (see bench/export.ts).
import { createHash, randomBytes, type Hash } from "node:crypto";
import { mkdir, open, readdir, rename, rm, rmdir, type FileHandle } from "node:fs/promises";
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

/** Each file's two write buffers; one fills while the other is written. */
export const WRITE_BUFFER_BYTES = 1 << 20;

const encoder = new TextEncoder();

/**
 * `JSON.stringify(value)` in pieces that concatenate to exactly it: a plain object's members, and
 * each element of an array among them on its own (a conversation's messages), so no string as
 * long as the whole record is built. Anything else is one piece.
 */
export function* jsonPieces(value: unknown): Generator<string> {
  if (!isPlainObject(value)) {
    yield JSON.stringify(value);
    return;
  }
  let first = true;
  yield "{";
  for (const key of Object.keys(value)) {
    const member = value[key];
    // JSON.stringify leaves these members out.
    if (member === undefined || typeof member === "function" || typeof member === "symbol") continue;
    yield `${first ? "" : ","}${JSON.stringify(key)}:`;
    first = false;
    if (Array.isArray(member) && !("toJSON" in member)) {
      yield "[";
      for (let i = 0; i < member.length; i++) {
        if (i > 0) yield ",";
        // An element JSON cannot hold (undefined, a function) is written as null, as JSON.stringify does.
        yield JSON.stringify(member[i]) ?? "null";
      }
      yield "]";
    } else {
      yield JSON.stringify(member);
    }
  }
  yield "}";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && !("toJSON" in value);
}

/** A file written in pieces; `records` counts what `record()` appended. */
export class HashedFile {
  private readonly hash: Hash = createHash("sha256");
  private readonly handle: Promise<FileHandle>;
  private buffer: Buffer | null = null;
  private spare: Buffer | null = null;
  private used = 0;
  /** The write of the buffer that is not filling, if one is under way. */
  private pending: Promise<void> = Promise.resolve();
  private bytes = 0;
  private records = 0;
  private readonly format: "jsonl" | "json" | "raw";

  constructor(
    readonly relativePath: string,
    absolutePath: string,
    format: "jsonl" | "json" | "raw",
    private readonly bufferBytes = WRITE_BUFFER_BYTES,
  ) {
    if (bufferBytes < 4) throw new RangeError("a write buffer holds at least one character (4 bytes)");
    this.format = format;
    this.handle = open(absolutePath, "wx");
    // Reported by the first write or close that waits for it.
    this.handle.catch(() => {});
  }

  async write(text: string): Promise<void> {
    let rest = text;
    for (;;) {
      this.buffer ??= Buffer.allocUnsafe(this.bufferBytes);
      // Whole characters only: a surrogate pair is never split between two buffers.
      const { read, written } = encoder.encodeInto(rest, this.used === 0 ? this.buffer : this.buffer.subarray(this.used));
      this.used += written;
      if (read === rest.length) return;
      rest = rest.slice(read);
      await this.flush();
    }
  }

  /** One JSON record: a line of JSONL, or an element of a JSON array. */
  async record(value: unknown): Promise<void> {
    if (this.format === "json") await this.write(this.records === 0 ? "[\n" : ",\n");
    for (const piece of jsonPieces(value)) await this.write(piece);
    if (this.format !== "json") await this.write("\n");
    this.records += 1;
  }

  /** Hands the filled buffer to the file and goes on with the other one. */
  private async flush(): Promise<void> {
    if (this.used === 0 || !this.buffer) return;
    const filled = this.buffer;
    const chunk = filled.subarray(0, this.used);
    this.hash.update(chunk);
    this.bytes += chunk.length;
    // The spare is free once its write is done.
    await this.pending;
    const writing = this.writeOut(chunk);
    writing.catch(() => {});
    this.pending = writing;
    this.buffer = this.spare ?? Buffer.allocUnsafe(this.bufferBytes);
    this.spare = filled;
    this.used = 0;
  }

  private async writeOut(chunk: Buffer): Promise<void> {
    const handle = await this.handle;
    for (let offset = 0; offset < chunk.length; ) {
      const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
      offset += bytesWritten;
    }
  }

  async close(): Promise<WrittenFile> {
    if (this.format === "json") await this.write(this.records === 0 ? "[]\n" : "\n]\n");
    await this.flush();
    const handle = await this.handle;
    try {
      await this.pending;
    } finally {
      await handle.close();
    }
    this.buffer = this.spare = null;
    return { path: this.relativePath, bytes: this.bytes, sha256: this.hash.digest("hex"), ...(this.format === "raw" ? {} : { records: this.records }) };
  }

  destroy(): void {
    this.buffer = this.spare = null;
    void this.handle.then((h) => h.close()).catch(() => {});
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
