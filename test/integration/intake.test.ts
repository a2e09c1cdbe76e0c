import { randomUUID } from "node:crypto";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { getDelivery } from "../../db/deliveries.js";
import { webhookDeliveries } from "../../db/schema.js";
import { createLogger } from "../../src/logger.js";
import { Metrics } from "../../src/metrics.js";
import { Queues } from "../../src/queue.js";
import { sweepUnqueuedDeliveries } from "../../src/runtime/sweep.js";
import { buildServer } from "../../src/web/server.js";
import { sign } from "../../src/web/signature.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { requireRedis } from "../support/services.js";
import { testConfig } from "../support/test-config.js";

const log = createLogger("silent");
const config = testConfig({ LEGO_WEBHOOK_BODY_LIMIT: String(64 * 1024) });

let temp: TempDatabase;
let database: DatabaseHandle;
let queues: Queues;
let app: FastifyInstance;

async function serverWith(q: Queues): Promise<FastifyInstance> {
  return buildServer({ config, log, database, queues: q, appYmlPath: path.resolve("app.yml"), envFile: "/nonexistent/.env", metrics: new Metrics() });
}

function delivery(event: string, payload: unknown, opts: { id?: string; secret?: string; raw?: string; contentType?: string } = {}) {
  const body = opts.raw ?? JSON.stringify(payload);
  const id = opts.id ?? randomUUID();
  return {
    id,
    request: {
      method: "POST" as const,
      url: "/api/github/webhooks",
      payload: body,
      headers: {
        "content-type": opts.contentType ?? "application/json",
        "x-github-event": event,
        "x-github-delivery": id,
        "x-hub-signature-256": sign(opts.secret ?? "test-secret", body),
      },
    },
  };
}

const issuePayload = { action: "opened", installation: { id: 1 }, repository: { full_name: "acme/widgets" }, issue: { number: 1 } };

async function rowCount(): Promise<number> {
  return (await database.db.select().from(webhookDeliveries)).length;
}

beforeAll(async () => {
  await requireRedis();
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  queues = new Queues(config.REDIS_URL, config.LEGO_QUEUE_PREFIX);
  app = await serverWith(queues);
});

afterAll(async () => {
  await app?.close();
  await queues?.get("webhooks").obliterate({ force: true });
  await queues?.close();
  await database?.close();
  await temp?.drop();
});

describe("webhook intake", () => {
  it("stores a signed delivery once, enqueues it, and ignores a redelivery", async () => {
    const d = delivery("issues", issuePayload);
    const first = await app.inject(d.request);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ status: "queued", id: d.id });
    const row = await getDelivery(database.db, d.id);
    expect(row).toMatchObject({ event: "issues", action: "opened", installationId: 1, repository: "acme/widgets", status: "enqueued" });
    expect(row?.enqueuedAt).toBeInstanceOf(Date);
    const job = await queues.get("webhooks").getJob(`delivery-${d.id}`);
    expect(job?.data).toEqual({ deliveryId: d.id });

    const again = await app.inject(d.request);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ status: "duplicate", id: d.id });
    expect((await database.db.select().from(webhookDeliveries)).filter((r) => r.id === d.id)).toHaveLength(1);
  });

  it("rejects an unsigned or wrongly signed delivery with 401 and stores nothing", async () => {
    const before = await rowCount();
    const wrong = delivery("issues", issuePayload, { secret: "not-the-secret" });
    expect((await app.inject(wrong.request)).statusCode).toBe(401);
    const unsigned = delivery("issues", issuePayload);
    delete (unsigned.request.headers as Record<string, string>)["x-hub-signature-256"];
    const res = await app.inject(unsigned.request);
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatch(/WEBHOOK_SECRET/);
    expect(await rowCount()).toBe(before);
  });

  it("answers 400 to a signed but malformed body or a missing delivery id, 413 to an oversized one", async () => {
    const before = await rowCount();
    const bad = delivery("issues", null, { raw: '{"action": "opened",' });
    const res = await app.inject(bad.request);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/not valid JSON/);
    expect((await app.inject(delivery("issues", null, { raw: "[1,2]" }).request)).statusCode).toBe(400);
    const noId = delivery("issues", issuePayload);
    delete (noId.request.headers as Record<string, string>)["x-github-delivery"];
    expect((await app.inject(noId.request)).statusCode).toBe(400);
    const huge = delivery("issues", { ...issuePayload, blob: "x".repeat(100 * 1024) });
    expect((await app.inject(huge.request)).statusCode).toBe(413);
    expect(await rowCount()).toBe(before);
  });

  it("acknowledges unsubscribed events and pings without storing them", async () => {
    const before = await rowCount();
    const star = await app.inject(delivery("star", { action: "created" }).request);
    expect(star.statusCode).toBe(202);
    expect(star.json()).toMatchObject({ status: "ignored" });
    expect((await app.inject(delivery("ping", { zen: "Keep it logically awesome." }).request)).json()).toEqual({ status: "pong" });
    expect(await rowCount()).toBe(before);
  });

  it("accepts GitHub's form-encoded content type, verifying the raw form body", async () => {
    const form = `payload=${encodeURIComponent(JSON.stringify(issuePayload))}`;
    const d = delivery("issues", null, { raw: form, contentType: "application/x-www-form-urlencoded" });
    expect((await app.inject(d.request)).statusCode).toBe(202);
    expect((await getDelivery(database.db, d.id))?.repository).toBe("acme/widgets");
  });

  it("keeps a delivery when Redis is down, and the sweep enqueues it later", async () => {
    const deadQueues = new Queues("redis://127.0.0.1:1", config.LEGO_QUEUE_PREFIX, 500);
    const offline = await serverWith(deadQueues);
    try {
      const d = delivery("issues", issuePayload);
      const res = await offline.inject(d.request);
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ status: "stored", id: d.id });
      expect((await getDelivery(database.db, d.id))?.enqueuedAt).toBeNull();

      const health = await offline.inject({ method: "GET", url: "/healthz" });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({ status: "degraded", redis: "down", database: { status: "ok" } });
      // The connection's own errors are no longer dropped: /healthz says what they were.
      expect(health.json().redisErrors.count).toBeGreaterThan(0);
      expect(health.json().redisErrors.last).toMatchObject({ source: expect.stringMatching(/^queue/), message: expect.stringMatching(/ECONNREFUSED/) });

      expect(await sweepUnqueuedDeliveries(database.db, queues, log)).toBeGreaterThanOrEqual(1);
      expect((await getDelivery(database.db, d.id))?.status).toBe("enqueued");
      expect(await queues.get("webhooks").getJob(`delivery-${d.id}`)).toBeDefined();
      expect(await sweepUnqueuedDeliveries(database.db, queues, log)).toBe(0);
    } finally {
      await offline.close();
      await deadQueues.close();
    }
  });

  it("accepts deliveries signed with the new or the old secret while WEBHOOK_SECRET lists both", async () => {
    const rotating = await buildServer({ config: testConfig({ WEBHOOK_SECRET: "new-secret, test-secret" }), log, database, queues, appYmlPath: path.resolve("app.yml"), envFile: "/nonexistent/.env", metrics: new Metrics() });
    try {
      for (const secret of ["new-secret", "test-secret"]) {
        const d = delivery("issues", issuePayload, { secret });
        expect((await rotating.inject(d.request)).statusCode).toBe(202);
        expect(await getDelivery(database.db, d.id)).toBeDefined();
      }
      const before = await rowCount();
      expect((await rotating.inject(delivery("issues", issuePayload, { secret: "retired-secret" }).request)).statusCode).toBe(401);
      expect(await rowCount()).toBe(before);
      // Once the old secret is removed, its signatures are refused.
      expect((await app.inject(delivery("issues", issuePayload, { secret: "new-secret" }).request)).statusCode).toBe(401);
    } finally {
      await rotating.close();
    }
  });

  it("reports healthy with both services up", async () => {
    const res = await app.inject({ method: "GET", url: "/healthz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok", database: { kind: "postgres", status: "ok" }, redis: "ok", redisErrors: { count: 0, last: null }, github: "configured" });
  });
});
