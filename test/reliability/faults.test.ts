// The fault suite at a size CI can afford (bench/faults.ts runs 10,000 deliveries): signed
// deliveries (60 here) to a real `lego web`, two real `lego worker` processes, three SIGKILLs
// and a restart of a private Redis mid-run. Nothing acknowledged is lost (deliveries stored while
// Redis was down are swept onto the queue within a minute), nothing runs twice, nothing is stuck.
import { describe, expect, it } from "vitest";
import { runFaults } from "../support/faults.js";

describe("webhook processing through worker kills and a Redis restart", () => {
  it("processes every delivery exactly once, with one reply each", async () => {
    const figures = await runFaults({ deliveries: 60, workerKills: 3, redisRestarts: 1, concurrency: 6, stallMs: 150_000 }, (l) => console.log(l));
    console.log(JSON.stringify(figures));
    expect(figures).toMatchObject({ sent: 60, stored: 60, processed: 60, failed: 0, stuck: 0, missingReplies: 0, duplicateReplies: 0, processedTwice: 0, workerKills: 3, redisRestarts: 1 });
  }, 600_000);
});
