// Webhook intake: verify the signature on the raw bytes, store the delivery once by its
// X-GitHub-Delivery id, enqueue it, answer. No handler runs here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Db } from "../../db/client.js";
import { insertDelivery, markEnqueued } from "../../db/deliveries.js";
import type { IntakeOutcome, Metrics } from "../metrics.js";
import { jobId, type Queues } from "../queue.js";
import { subscribedEvents, summarize } from "./events.js";
import { verifySignature } from "./signature.js";

export interface IntakeDeps {
  db: Db;
  queues: Queues;
  log: Logger;
  /** The current webhook secret and, during a rotation, the old one. */
  webhookSecrets: string[];
  bodyLimit: number;
  metrics?: Metrics;
}

export const WEBHOOK_PATH = "/api/github/webhooks";

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** GitHub can be set to send form-encoded bodies (`payload=<json>`); the signature covers the raw form. */
function payloadText(contentType: string | undefined, raw: string): string {
  if (contentType?.startsWith("application/x-www-form-urlencoded")) {
    const p = new URLSearchParams(raw).get("payload");
    if (p === null) throw new Error("form body has no 'payload' field");
    return p;
  }
  return raw;
}

export async function enqueueDelivery(deps: Pick<IntakeDeps, "db" | "queues">, id: string): Promise<void> {
  await deps.queues.add("webhooks", jobId("delivery", id), { deliveryId: id });
  await markEnqueued(deps.db, id);
}

export function registerIntake(app: FastifyInstance, deps: IntakeDeps): void {
  // Encapsulated so the raw-string parsers apply to this route only.
  app.register(async (scope) => {
    const keepRaw = (_req: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) => done(null, body);
    scope.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: deps.bodyLimit }, keepRaw);
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: deps.bodyLimit }, keepRaw);

    scope.post(WEBHOOK_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
      const raw = typeof req.body === "string" ? req.body : "";
      const event = header(req, "x-github-event");
      const id = header(req, "x-github-delivery");
      const log = deps.log.child({ delivery: id, event });
      const began = performance.now();
      const answer = (outcome: IntakeOutcome, code: number, body: unknown) => {
        deps.metrics?.observeIntake(outcome, (performance.now() - began) / 1000);
        return reply.code(code).send(body);
      };

      if (!verifySignature(deps.webhookSecrets, raw, header(req, "x-hub-signature-256"))) {
        // Never log the payload of an unverified request: it is attacker-controlled.
        log.warn({ ip: req.ip }, "webhook rejected: missing or wrong x-hub-signature-256");
        return answer("bad_signature", 401, { error: "signature does not match: check WEBHOOK_SECRET against the app's webhook secret" });
      }
      if (!event || !id) {
        return answer("malformed", 400, { error: "missing x-github-event or x-github-delivery header" });
      }
      if (event === "ping") return answer("ping", 200, { status: "pong" });
      if (!subscribedEvents.has(event)) {
        log.debug("ignoring unsubscribed event");
        return answer("ignored", 202, { status: "ignored", reason: `event '${event}' is not handled` });
      }

      let payload: unknown;
      try {
        payload = JSON.parse(payloadText(header(req, "content-type"), raw));
      } catch (err) {
        return answer("malformed", 400, { error: `body is not valid JSON: ${(err as Error).message}` });
      }
      if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
        return answer("malformed", 400, { error: "payload must be a JSON object" });
      }

      let fresh: boolean;
      try {
        fresh = await insertDelivery(deps.db, { id, event, ...summarize(payload), payload });
      } catch (err) {
        // Not stored: a 5xx makes GitHub record the failure so the delivery can be redelivered.
        log.error({ err }, "could not store delivery");
        return answer("store_failed", 503, { error: "delivery could not be stored; redeliver it once the database is back" });
      }
      if (!fresh) return answer("duplicate", 200, { status: "duplicate", id });

      try {
        await enqueueDelivery(deps, id);
      } catch (err) {
        // Stored durably: the start-up sweep enqueues it once Redis is back.
        log.error({ err }, "delivery stored but not enqueued; the sweep will enqueue it");
        return answer("stored", 202, { status: "stored", id });
      }
      return answer("queued", 202, { status: "queued", id });
    });
  });
}
