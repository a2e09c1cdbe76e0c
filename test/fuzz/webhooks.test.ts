// Property-based fuzzing of webhook intake: arbitrary headers and bodies, signed or not, sent to
// the real route (Fastify inject, real Postgres). Every answer is a deliberate one (401 unsigned,
// 400 malformed, 413 too big, 200/202 accepted, never a 5xx from a parser), nothing unsigned is
// stored, a signed delivery is stored exactly once, and the routing summary never throws.
import { randomUUID } from "node:crypto";
import path from "node:path";
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { getDelivery } from "../../db/deliveries.js";
import { webhookDeliveries } from "../../db/schema.js";
import { createLogger } from "../../src/logger.js";
import { Metrics } from "../../src/metrics.js";
import { Queues } from "../../src/queue.js";
import { summarize } from "../../src/web/events.js";
import { buildServer } from "../../src/web/server.js";
import { sign, verifySignature } from "../../src/web/signature.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { requireRedis } from "../support/services.js";
import { testConfig } from "../support/test-config.js";
import { RUNS, timed } from "./bounded.js";

const config = testConfig({ LEGO_WEBHOOK_BODY_LIMIT: String(16 * 1024) });
const SECRET = "test-secret";
let temp: TempDatabase;
let database: DatabaseHandle;
let queues: Queues;
let app: FastifyInstance;
const rows = async () => (await database.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries)).length;

beforeAll(async () => {
  await requireRedis();
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  queues = new Queues(config.REDIS_URL, config.LEGO_QUEUE_PREFIX);
  app = await buildServer({ config, log: createLogger("silent"), database, queues, appYmlPath: path.resolve("app.yml"), envFile: "/nonexistent/.env", metrics: new Metrics() });
});

afterAll(async () => {
  await app?.close();
  await queues?.get("webhooks").obliterate({ force: true });
  await queues?.close();
  await database?.close();
  await temp?.drop();
});

const event = fc.oneof(fc.constantFrom("issues", "issue_comment", "pull_request", "ping", "star", "installation", ""), fc.string({ maxLength: 20 }));
const body = fc.oneof(
  fc.json().map((j) => j),
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.record({ action: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), installation: fc.anything(), repository: fc.anything() }).map((o) => JSON.stringify(o)),
  fc.string({ maxLength: 100 }).map((s) => `payload=${encodeURIComponent(s)}`),
  fc.constant("x".repeat(20 * 1024)),
);
const contentType = fc.constantFrom("application/json", "application/x-www-form-urlencoded", "application/json; charset=utf-8", "text/plain");
const signature = fc.oneof(fc.constant("valid"), fc.constant("absent"), fc.constant("other-secret"), fc.string({ maxLength: 80 }));

describe("webhook intake under arbitrary deliveries", () => {
  it("answers every delivery deliberately and stores only signed, well-formed ones, once", async () => {
    await fc.assert(
      fc.asyncProperty(event, body, contentType, signature, fc.boolean(), async (ev, raw, type, sig, withId) => {
        const id = randomUUID();
        const headers: Record<string, string> = { "content-type": type, "x-github-event": ev };
        if (withId) headers["x-github-delivery"] = id;
        if (sig === "valid") headers["x-hub-signature-256"] = sign(SECRET, raw);
        else if (sig === "other-secret") headers["x-hub-signature-256"] = sign("other", raw);
        else if (sig !== "absent") headers["x-hub-signature-256"] = sig;
        const before = await rows();
        const res = await app.inject({ method: "POST", url: "/api/github/webhooks", payload: raw, headers });
        expect([200, 202, 400, 401, 413, 415]).toContain(res.statusCode);
        const signed = sig === "valid";
        if (!signed && res.statusCode !== 413 && res.statusCode !== 415) expect(res.statusCode).toBe(401);
        const stored = withId ? await getDelivery(database.db, id) : undefined;
        if (stored) {
          expect(signed).toBe(true);
          expect(await rows()).toBe(before + 1);
          // A redelivery is answered as a duplicate and stores nothing more.
          const again = await app.inject({ method: "POST", url: "/api/github/webhooks", payload: raw, headers });
          expect(again.statusCode).toBe(200);
          expect(await rows()).toBe(before + 1);
        } else {
          expect(await rows()).toBe(before);
        }
      }),
      { numRuns: Math.min(RUNS, 200) },
    );
  }, 120_000);

  it("summarize and verifySignature never throw on any payload or header", () => {
    fc.assert(
      fc.property(fc.anything(), fc.string(), fc.option(fc.string(), { nil: undefined }), (payload, raw, header) => {
        const s = timed(() => summarize(payload));
        expect(s.installationId === null || typeof s.installationId === "number").toBe(true);
        expect(timed(() => verifySignature([SECRET, "old"], raw, header))).toBe(header === sign(SECRET, raw) || header === sign("old", raw));
      }),
      { numRuns: RUNS },
    );
  });
});
