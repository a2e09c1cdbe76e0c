import { describe, expect, it } from "vitest";
import { CappedBuffer } from "../../../sandbox/output.js";

describe("CappedBuffer", () => {
  it("keeps everything under the limit", () => {
    const buf = new CappedBuffer(16);
    buf.push("hello ");
    buf.push(Buffer.from("world"));
    expect(buf.toString()).toBe("hello world");
    expect(buf.truncated).toBe(false);
    expect(buf.totalBytes).toBe(11);
    expect(buf.droppedBytes).toBe(0);
  });

  it("keeps the first and last halves and says how much it dropped", () => {
    const buf = new CappedBuffer(10);
    for (const chunk of ["01234", "56789", "abcde", "fghij"]) buf.push(chunk);
    expect(buf.truncated).toBe(true);
    expect(buf.totalBytes).toBe(20);
    expect(buf.droppedBytes).toBe(10);
    expect(buf.toBuffer().toString()).toBe("01234fghij");
    expect(buf.toString()).toBe("01234\n[... 10 bytes truncated ...]\nfghij");
  });

  it("handles one chunk larger than the whole limit", () => {
    const buf = new CappedBuffer(6);
    buf.push("abcdefghijklmnopqrstuvwxyz");
    expect(buf.toBuffer().toString()).toBe("abcxyz");
    expect(buf.droppedBytes).toBe(20);
  });

  it("trims the tail correctly across many small chunks", () => {
    const buf = new CappedBuffer(8);
    const text = Array.from({ length: 5000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");
    for (const ch of text) buf.push(ch);
    expect(buf.toBuffer().toString()).toBe(text.slice(0, 4) + text.slice(-4));
    expect(buf.totalBytes).toBe(5000);
  });

  it("decodes invalid UTF-8 without throwing", () => {
    const buf = new CappedBuffer();
    buf.push(Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0x21]));
    expect(buf.toString()).toBe("ok\uFFFD\uFFFD!");
  });

  it("does not merge the halves of a character cut at the seam", () => {
    const buf = new CappedBuffer(4);
    buf.push("éééé"); // 8 bytes: head keeps "é", tail keeps "é"
    expect(buf.toString()).toBe("é\n[... 4 bytes truncated ...]\né");
    const odd = new CappedBuffer(3);
    odd.push("ééé"); // head: 1 byte (half a character), tail: 2 bytes
    expect(odd.toString()).toBe("\uFFFD\n[... 3 bytes truncated ...]\né");
  });

  it("with limit 0 keeps nothing but still counts", () => {
    const buf = new CappedBuffer(0);
    buf.push("abc");
    expect(buf.toBuffer().length).toBe(0);
    expect(buf.totalBytes).toBe(3);
    expect(buf.truncated).toBe(true);
  });

  it("works as a stream sink", async () => {
    const buf = new CappedBuffer(100);
    const sink = buf.writable();
    sink.write(Buffer.from("a"));
    await new Promise<void>((resolve) => sink.end(Buffer.from("b"), resolve));
    expect(buf.toString()).toBe("ab");
  });

  it("rejects a negative limit", () => {
    expect(() => new CappedBuffer(-1)).toThrow(RangeError);
  });
});
