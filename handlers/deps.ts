import type { Db } from "../db/client.js";
import type { Queues } from "../src/queue.js";

/** What handlers may touch: the database and the queues. Slow work goes on a queue. */
export interface HandlerDeps {
  db: Db;
  queues: Queues;
  /** A policy model is promoted or configured, so fix requests can be served; asked per request. */
  fixEnabled?: boolean | (() => Promise<boolean>);
}
