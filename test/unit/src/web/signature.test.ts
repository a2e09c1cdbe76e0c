import { describe, expect, it } from "vitest";
import { sign, verifySignature } from "../../../../src/web/signature.js";

describe("webhook signatures", () => {
  // The example from GitHub's "Validating webhook deliveries" documentation.
  it("matches GitHub's documented test vector", () => {
    expect(sign("It's a Secret to Everybody", "Hello, World!")).toBe(
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
  });
  it("accepts the right signature and rejects everything else", () => {
    const body = '{"a":1}';
    expect(verifySignature("s", body, sign("s", body))).toBe(true);
    expect(verifySignature("s", body, sign("t", body))).toBe(false);
    expect(verifySignature("s", '{"a": 1}', sign("s", body))).toBe(false);
    expect(verifySignature("s", body, undefined)).toBe(false);
    expect(verifySignature("s", body, "sha1=abc")).toBe(false);
    expect(verifySignature("s", body, sign("s", body).toUpperCase())).toBe(false);
  });
  it("accepts a signature made with any of the listed secrets (a rotation), and nothing else", () => {
    const body = '{"a":1}';
    expect(verifySignature(["new", "old"], body, sign("new", body))).toBe(true);
    expect(verifySignature(["new", "old"], body, sign("old", body))).toBe(true);
    expect(verifySignature(["new", "old"], body, sign("other", body))).toBe(false);
    expect(verifySignature([], body, sign("", body))).toBe(false);
  });
});
