// The HTTP surface: health, metrics, the dashboard, webhook intake, and first-run registration. Built separately from
// listen() so tests use inject() and the CLI owns the socket.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { DatabaseHandle } from "../../db/client.js";
import type { Queues } from "../queue.js";
import type { Metrics } from "../metrics.js";
import { registerDashboard } from "./dashboard/index.js";
import type { StepMasker } from "./dashboard/pages/trajectory.js";
import { registerIntake } from "./intake.js";
import { registerManifestRoutes } from "./manifest.js";
import { registerMetricsRoute } from "./metrics.js";

export interface WebDeps {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  queues: Queues;
  appYmlPath: string;
  envFile: string;
  metrics: Metrics;
  /** The SFT export's masking rule, shown by the trajectory viewer. */
  maskStep?: StepMasker;
}

export function githubWebUrl(config: Config): string {
  return config.GHE_HOST ? `${config.GHE_PROTOCOL}://${config.GHE_HOST}` : "https://github.com";
}

export async function buildServer(deps: WebDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ component: "http" }) as FastifyBaseLogger,
    // One line per webhook would drown the logs; intake logs what matters itself.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.LEGO_WEBHOOK_BODY_LIMIT,
  });

  app.get("/healthz", async (_req, reply) => {
    const database = await deps.database.db
      .execute(sql`select 1`)
      .then(() => "ok" as const)
      .catch(() => "down" as const);
    const redis = (await deps.queues.ping()) ? ("ok" as const) : ("down" as const);
    const healthy = database === "ok" && redis === "ok";
    return reply.code(healthy ? 200 : 503).send({
      status: healthy ? "ok" : "degraded",
      database: { kind: deps.database.kind, status: database },
      redis,
      redisErrors: deps.queues.errors.summary(),
      github: deps.config.hasAppCredentials ? "configured" : "unregistered",
    });
  });

  registerMetricsRoute(app, { metrics: deps.metrics, db: deps.database.db, queues: deps.queues, log: deps.log.child({ component: "metrics" }), token: deps.config.LEGO_METRICS_TOKEN });
  await registerDashboard(app, {
    db: deps.database.db,
    queues: deps.queues,
    config: deps.config,
    log: deps.log.child({ component: "dashboard" }),
    ...(deps.maskStep ? { maskStep: deps.maskStep } : {}),
  });

  if (deps.config.hasAppCredentials && deps.config.WEBHOOK_SECRET) {
    registerIntake(app, {
      db: deps.database.db,
      queues: deps.queues,
      log: deps.log.child({ component: "intake" }),
      webhookSecrets: deps.config.webhookSecrets,
      bodyLimit: deps.config.LEGO_WEBHOOK_BODY_LIMIT,
      metrics: deps.metrics,
    });
  } else {
    registerManifestRoutes(app, {
      appYmlPath: deps.appYmlPath,
      envFile: deps.envFile,
      webUrl: githubWebUrl(deps.config),
      apiUrl: deps.config.githubApiUrl,
      org: process.env.GH_ORG,
      webhookProxyUrl: process.env.WEBHOOK_PROXY_URL,
      log: deps.log,
    });
  }
  return app;
}
