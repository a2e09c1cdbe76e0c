// `npm run bench:faults`: the fault run at full size. 10,000 signed deliveries to a real
// `lego web` while two real `lego worker` processes run; three workers killed with SIGKILL, one
// Redis restart (private redis-server, AOF on) and one Postgres restart (a private cluster, fast
// shutdown, down 3 s) spread over the run. Deliveries are spread over 100 installations, as
// GitHub's traffic is (one installation is held to a write a second by GitHub's rules and
// Probot's throttle). Prints deliveries sent, stored and processed, duplicates, what is stuck,
// each fault's recovery and the time from the last fault to the last delivery processed.
// Sizes: LEGO_FAULT_DELIVERIES, LEGO_FAULT_KILLS, LEGO_FAULT_REDIS_RESTARTS,
// LEGO_FAULT_PG_RESTARTS, LEGO_FAULT_INSTALLATIONS, LEGO_FAULT_CONCURRENCY,
// LEGO_FAULT_WORKER_CONCURRENCY, LEGO_FAULT_STALL_SEC. To see where time goes:
// LEGO_FAULT_LOG_LEVEL=debug LEGO_FAULT_DUMP=/tmp/faults writes each process's log (every GitHub
// call with its status) to /tmp/faults-<pid>.log.
import { mkdirSync, writeFileSync } from "node:fs";
import { type FaultPlan, runFaults } from "../test/support/faults.js";

const n = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a whole number ≥ 0, got ${process.env[name]}`);
  return v;
};
const plan: FaultPlan = {
  deliveries: n("LEGO_FAULT_DELIVERIES", 10_000),
  workerKills: n("LEGO_FAULT_KILLS", 3),
  redisRestarts: n("LEGO_FAULT_REDIS_RESTARTS", 1),
  postgresRestarts: n("LEGO_FAULT_PG_RESTARTS", 1),
  installations: n("LEGO_FAULT_INSTALLATIONS", 100),
  concurrency: n("LEGO_FAULT_CONCURRENCY", 16),
  workerConcurrency: n("LEGO_FAULT_WORKER_CONCURRENCY", 8),
  stallMs: n("LEGO_FAULT_STALL_SEC", 120) * 1000,
};
console.log(`fault run: ${JSON.stringify(plan)}`);
const f = await runFaults(plan, (line) => console.log(`  ${line}`));
const s = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`);
const rows: [string, string | number][] = [
  ["deliveries sent (acknowledged 2xx)", f.sent],
  ["redelivered after a 5xx / no answer", f.redelivered],
  ["answers by status", Object.entries(f.answers).map(([k, v]) => `${k === "0" ? "none" : k}: ${v}`).join(", ")],
  ["answered while Postgres was down: 5xx / 2xx", `${f.answeredWhilePostgresDown["5xx"]} / ${f.answeredWhilePostgresDown["2xx"]}`],
  ["stored", f.stored],
  ["acknowledged but not stored", f.acknowledgedLost],
  ["processed", f.processed],
  ["processed more than once", f.processedTwice],
  ["failed", f.failed],
  ["stuck (stored, never processed)", f.stuck],
  ["issues without a reply", f.missingReplies],
  ["issues with duplicate replies", f.duplicateReplies],
  ["worker SIGKILLs / Redis restarts / Postgres restarts", `${f.workerKills} / ${f.redisRestarts} / ${f.postgresRestarts}`],
  ...f.faults.map((x): [string, string] => [
    `${x.kind === "kill" ? "worker SIGKILL" : `${x.kind === "redis" ? "Redis" : "Postgres"} restart`} at delivery ${x.atDelivery}: down → back, back → first ack, back → first processed`,
    `${s(x.backAtMs - x.downAtMs)}, ${s(x.firstAckAfterMs)}, ${s(x.firstProcessedAfterMs)}`,
  ]),
  ...f.duplicated.slice(0, 20).map((d): [string, string] => [`delivery ${d.delivery}: replies posted at`, d.repliesAtMs.map((ms) => s(ms)).join(", ")]),
  ["recovery: last fault → last delivery processed", s(f.recoveryMs)],
  ["whole run", s(f.totalMs)],
  ["deliveries processed per second", f.perSecond.toFixed(1)],
  ["processed / sent", (f.processed / Math.max(1, f.sent)).toFixed(4)],
];
console.log(["| figure | value |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n"));
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/faults.json", JSON.stringify({ plan, figures: f }, null, 2));
const ok = f.stuck === 0 && f.duplicateReplies === 0 && f.processedTwice === 0 && f.missingReplies === 0 && f.acknowledgedLost === 0 && f.answeredWhilePostgresDown["2xx"] === 0;
process.exit(ok ? 0 : 1);
