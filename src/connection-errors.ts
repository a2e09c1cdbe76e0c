// Errors that Redis connections and BullMQ queues emit on their own (a reconnect, a refused
// socket): ioredis and BullMQ retry by themselves, but an `error` event with no listener
// crashes the process and a listener that drops it hides an outage. Every one is counted and
// kept for /healthz; the log gets the first of each source and then one line per interval
// saying how many more there were, so a Redis restart cannot flood it.
import type { Logger } from "pino";

export interface ConnectionErrorSummary {
  /** Errors since the process started, every source together. */
  count: number;
  /** The most recent one, or null when none happened. */
  last: { source: string; message: string; at: string } | null;
}

interface SourceState {
  lastLoggedAt: number;
  suppressed: number;
}

export class ConnectionErrors {
  private count = 0;
  private last: ConnectionErrorSummary["last"] = null;
  private readonly sources = new Map<string, SourceState>();

  constructor(
    private readonly log?: Pick<Logger, "warn">,
    private readonly intervalMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  record(source: string, err: Error): void {
    const at = this.now();
    this.count += 1;
    this.last = { source, message: err.message, at: new Date(at).toISOString() };
    const state = this.sources.get(source);
    if (state && at - state.lastLoggedAt < this.intervalMs) {
      state.suppressed += 1;
      return;
    }
    const suppressed = state?.suppressed ?? 0;
    this.sources.set(source, { lastLoggedAt: at, suppressed: 0 });
    this.log?.warn({ source, err: err.message, ...(suppressed ? { suppressed } : {}) }, suppressed ? `redis connection error (and ${suppressed} more since the last report)` : "redis connection error");
  }

  /** A listener for an emitter's `error` event. */
  listener(source: string): (err: Error) => void {
    return (err) => this.record(source, err);
  }

  summary(): ConnectionErrorSummary {
    return { count: this.count, last: this.last };
  }
}
