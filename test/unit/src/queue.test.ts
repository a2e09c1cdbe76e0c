import { describe, expect, it } from "vitest";
import { jobId } from "../../../src/queue.js";

describe("jobId", () => {
  it("is deterministic and free of ':'", () => {
    expect(jobId("harvest", "acme/widgets", 12)).toBe("harvest-acme_widgets-12");
    expect(jobId("delivery", "a:b")).toBe("delivery-a_b");
  });
});
