// The output kept per run goes into a jsonb column: PostgreSQL cannot store NUL, which a test
// may print (jshttp/cookie tests a path holding one), so it is written out.
import { describe, expect, it } from "vitest";
import { LOG_TAIL_BYTES, logTailOf } from "../../../../src/validation/validate.js";

describe("a run's stored log tail", () => {
  it("keeps the end of the output and writes NUL as \\0", () => {
    expect(logTailOf("ok /foo\u0000 passed\n")).toBe("ok /foo\\0 passed\n");
    expect(logTailOf(`${"x".repeat(LOG_TAIL_BYTES)}END`)).toBe(`${"x".repeat(LOG_TAIL_BYTES - 3)}END`);
  });
});
