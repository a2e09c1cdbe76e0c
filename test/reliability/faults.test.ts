// The fault suite at a size CI can afford (bench/faults.ts runs 10,000 deliveries): signed
// deliveries to a real `lego web`, two real `lego worker` processes, and faults mid-run:
// three SIGKILLs and a restart of a private Redis; a fast restart of a private PostgreSQL.
// Nothing acknowledged is lost (deliveries stored while Redis was down are swept onto the queue
// within a minute; while Postgres is down the intake answers 503 and the sender redelivers, as
// GitHub does), nothing runs twice, nothing is stuck, work resumes by itself.
import { describe, expect, it } from "vitest";
import { runFaults } from "../support/faults.js";

describe("webhook processing through faults", () => {
  it("processes every delivery exactly once through worker kills and a Redis restart", async () => {
    const figures = await runFaults({ deliveries: 60, workerKills: 3, redisRestarts: 1, installations: 6, concurrency: 6, stallMs: 150_000 }, (l) => console.log(l));
    console.log(JSON.stringify(figures));
    expect(figures).toMatchObject({ sent: 60, stored: 60, processed: 60, failed: 0, stuck: 0, acknowledgedLost: 0, missingReplies: 0, duplicateReplies: 0, processedTwice: 0, workerKills: 3, redisRestarts: 1 });
  }, 600_000);

  it("answers 5xx while Postgres is down, loses nothing acknowledged, and resumes by itself", async () => {
    const figures = await runFaults({ deliveries: 60, workerKills: 0, redisRestarts: 0, postgresRestarts: 1, postgresDownMs: 4000, installations: 6, concurrency: 6, stallMs: 150_000 }, (l) => console.log(l));
    console.log(JSON.stringify(figures));
    expect(figures).toMatchObject({ sent: 60, stored: 60, processed: 60, failed: 0, stuck: 0, acknowledgedLost: 0, missingReplies: 0, duplicateReplies: 0, processedTwice: 0, postgresRestarts: 1 });
    // Deliveries sent and answered while it was down got a 5xx (GitHub redelivers those), none a 2xx.
    expect(figures.answeredWhilePostgresDown["2xx"]).toBe(0);
    expect(figures.answeredWhilePostgresDown["5xx"]).toBeGreaterThan(0);
    expect(figures.answers["503"]).toBeGreaterThan(0);
    // Work resumed without anyone restarting a process: deliveries were acknowledged and processed after it came back.
    const [restart] = figures.faults;
    expect(restart?.firstAckAfterMs).not.toBeNull();
    expect(restart?.firstProcessedAfterMs).not.toBeNull();
  }, 600_000);
});
