import { describe, expect, it } from "vitest";
import { ConnectionErrors } from "../../../src/connection-errors.js";

function recorder() {
  const lines: { obj: Record<string, unknown>; msg: string }[] = [];
  return { lines, log: { warn: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }) } as never };
}

describe("ConnectionErrors", () => {
  it("logs the first error of a source, then one line per interval with the count it held back", () => {
    let now = 1_000_000;
    const { lines, log } = recorder();
    const errors = new ConnectionErrors(log, 30_000, () => now);
    const onError = errors.listener("queues");
    onError(new Error("connect ECONNREFUSED 127.0.0.1:6379"));
    for (let i = 0; i < 500; i++) {
      now += 10;
      onError(new Error("connect ECONNREFUSED 127.0.0.1:6379"));
    }
    expect(lines).toHaveLength(1);
    now += 30_000;
    onError(new Error("read ECONNRESET"));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toEqual({ obj: { source: "queues", err: "read ECONNRESET", suppressed: 500 }, msg: "redis connection error (and 500 more since the last report)" });
    expect(errors.summary()).toEqual({ count: 502, last: { source: "queues", message: "read ECONNRESET", at: new Date(now).toISOString() } });
  });

  it("rate-limits each source on its own", () => {
    const { lines, log } = recorder();
    const errors = new ConnectionErrors(log, 30_000, () => 5);
    errors.record("queues", new Error("a"));
    errors.record("worker harvest", new Error("b"));
    errors.record("worker harvest", new Error("c"));
    expect(lines.map((l) => l.obj.source)).toEqual(["queues", "worker harvest"]);
  });

  it("starts empty", () => {
    expect(new ConnectionErrors().summary()).toEqual({ count: 0, last: null });
  });
});
