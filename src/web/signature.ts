// GitHub's webhook signature: HMAC-SHA256 of the raw body bytes, compared in constant time,
// against each configured secret (more than one while a secret is being rotated).
import { createHmac, timingSafeEqual } from "node:crypto";

export function sign(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

/**
 * True when `header` is the signature of `rawBody` with any of `secrets` (one, or the new and
 * the old during a rotation). Every secret is compared, in constant time, whatever matched.
 */
export function verifySignature(secrets: string | string[], rawBody: string | Buffer, header: string | undefined): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const given = Buffer.from(header);
  let ok = false;
  for (const secret of typeof secrets === "string" ? [secrets] : secrets) {
    const expected = Buffer.from(sign(secret, rawBody));
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}
