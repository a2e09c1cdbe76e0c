// `npm run bench:faults`: the fault run at full size. 10,000 signed deliveries to a real
// `lego web` while two real `lego worker` processes run; three workers killed with SIGKILL and
// one Redis restart (private redis-server, AOF on) spread over the run. Prints deliveries sent,
// stored and processed, duplicates, what is stuck, and the time from the last fault to the last
// delivery processed. Sizes: LEGO_FAULT_DELIVERIES, LEGO_FAULT_KILLS, LEGO_FAULT_REDIS_RESTARTS.
import { runFaults } from "../test/support/faults.js";

const n = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const plan = {
  deliveries: n("LEGO_FAULT_DELIVERIES", 10_000),
  workerKills: n("LEGO_FAULT_KILLS", 3),
  redisRestarts: n("LEGO_FAULT_REDIS_RESTARTS", 1),
  concurrency: n("LEGO_FAULT_CONCURRENCY", 16),
  stallMs: n("LEGO_FAULT_STALL_SEC", 120) * 1000,
};
console.log(`fault run: ${JSON.stringify(plan)}`);
const f = await runFaults(plan, (line) => console.log(`  ${line}`));
const rows: [string, string | number][] = [
  ["deliveries sent (acknowledged 2xx)", f.sent],
  ["redelivered after a 5xx / no answer", f.redelivered],
  ["stored", f.stored],
  ["processed", f.processed],
  ["processed more than once", f.processedTwice],
  ["failed", f.failed],
  ["stuck (stored, never processed)", f.stuck],
  ["issues without a reply", f.missingReplies],
  ["issues with duplicate replies", f.duplicateReplies],
  ["worker SIGKILLs / Redis restarts", `${f.workerKills} / ${f.redisRestarts}`],
  ["recovery: last fault → last delivery processed", `${(f.recoveryMs / 1000).toFixed(1)} s`],
  ["whole run", `${(f.totalMs / 1000).toFixed(1)} s`],
  ["processed / sent", (f.processed / Math.max(1, f.sent)).toFixed(4)],
];
console.log(["| figure | value |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n"));
process.exit(f.stuck === 0 && f.duplicateReplies === 0 && f.processedTwice === 0 ? 0 : 1);
