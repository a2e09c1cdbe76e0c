// Prometheus metrics of one process (prom-client, every name prefixed lego_). Events counted as
// they happen live here; figures read from the database and Redis at scrape time are added by
// the role that serves them (src/web/metrics.ts, src/runtime/worker-metrics.ts).
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export type IntakeOutcome = "queued" | "stored" | "duplicate" | "ignored" | "ping" | "bad_signature" | "malformed" | "store_failed";

export class Metrics {
  readonly registry = new Registry();
  readonly intakeSeconds: Histogram<"outcome">;
  readonly deliveries: Counter<"outcome">;
  readonly jobSeconds: Histogram<"queue" | "outcome">;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "lego_" });
    this.intakeSeconds = new Histogram({
      name: "lego_webhook_intake_seconds",
      help: "Time from a webhook request to its answer, by outcome.",
      labelNames: ["outcome"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [this.registry],
    });
    this.deliveries = new Counter({
      name: "lego_webhook_deliveries_total",
      help: "Webhook requests answered, by outcome.",
      labelNames: ["outcome"],
      registers: [this.registry],
    });
    this.jobSeconds = new Histogram({
      name: "lego_job_duration_seconds",
      help: "Time a queue job ran, by queue and outcome (completed, failed, retried).",
      labelNames: ["queue", "outcome"],
      buckets: [0.05, 0.25, 1, 5, 15, 60, 180, 600, 1800, 3600],
      registers: [this.registry],
    });
  }

  observeIntake(outcome: IntakeOutcome, seconds: number): void {
    this.intakeSeconds.observe({ outcome }, seconds);
    this.deliveries.inc({ outcome });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
