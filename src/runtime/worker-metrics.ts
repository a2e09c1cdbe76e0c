// What a worker process adds to its metrics (sandboxes it runs now) and, for `lego worker`, the
// small HTTP listener Prometheus scrapes it on.
import type Docker from "dockerode";
import Fastify, { type FastifyInstance } from "fastify";
import { Gauge } from "prom-client";
import type { Logger } from "pino";
import { OWNER_LABEL, SANDBOX_LABEL, sandboxOwner } from "../../sandbox/labels.js";
import type { Metrics } from "../metrics.js";
import { registerMetricsEndpoint } from "../web/metrics.js";
import { withTimeout } from "../web/dashboard/queues.js";
import type { Runtime } from "./runtime.js";

export function trackActiveSandboxes(metrics: Metrics, docker: Docker, log: Logger): void {
  new Gauge({
    name: "lego_active_sandboxes",
    help: "Sandbox containers this process is running now.",
    registers: [metrics.registry],
    async collect() {
      try {
        const filters = { label: [`${SANDBOX_LABEL}=1`, `${OWNER_LABEL}=${sandboxOwner()}`], status: ["running", "created"] };
        const list = await withTimeout("listing sandboxes", docker.listContainers({ filters }), 3000);
        this.set(list.length);
      } catch (err) {
        log.warn({ err: (err as Error).message }, "metrics: could not count sandboxes");
      }
    },
  });
}

export async function serveWorkerMetrics(rt: Runtime, port: number): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  registerMetricsEndpoint(app, rt.metrics, rt.config.LEGO_METRICS_TOKEN);
  app.get("/healthz", async (_req, reply) => {
    const redis = await rt.queues.ping();
    return reply.code(redis ? 200 : 503).send({ status: redis ? "ok" : "degraded", redis: redis ? "ok" : "down", redisErrors: rt.queues.errors.summary() });
  });
  const url = await app.listen({ port, host: rt.config.HOST });
  rt.log.info({ url: `${url}/metrics` }, "worker metrics listening");
  return app;
}
