// Idle resident memory of the real `lego` processes, side by side in one run: `lego serve` on the
// embedded PGlite database (first start, which creates it, and a restart) against `lego serve`
// and `lego web` on PostgreSQL. RSS of the whole process tree (tsx's esbuild service included),
// sampled every second over an idle period after the server says it listens.
//
//   npx tsx bench/idle-memory.ts [--idle 20]
import { readFileSync, readdirSync, mkdtempSync, rmSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startLego } from "../test/support/lego-process.js";
import { createTempDatabase } from "../test/support/pg.js";
import { requireRedis, TEST_REDIS_URL } from "../test/support/services.js";
import { uniquePrefix } from "../test/support/test-config.js";

const { values } = parseArgs({ options: { idle: { type: "string", default: "20" } } });
const idleSec = Number(values.idle);

/** Resident kB of a process and all its descendants, from /proc. */
function treeRssKb(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      total += Number(m?.[1] ?? 0);
    } catch {
      continue;
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

async function idleRss(label: string, command: "serve" | "web", env: Record<string, string>, cwd: string) {
  const lego = await startLego(command, { LOG_LEVEL: "info", REDIS_URL: TEST_REDIS_URL, LEGO_QUEUE_PREFIX: uniquePrefix(), ...env }, cwd, 120_000);
  const samples: number[] = [];
  try {
    for (let i = 0; i < idleSec; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      samples.push(treeRssKb(lego.proc.pid as number) / 1024);
    }
  } finally {
    await lego.stop();
  }
  const last = samples.slice(-5);
  return { label, idleMb: last.reduce((a, b) => a + b, 0) / last.length, maxMb: Math.max(...samples) };
}

async function main(): Promise<void> {
  await requireRedis();
  const work = mkdtempSync(path.join(os.tmpdir(), "lego-bench-mem-"));
  const temp = await createTempDatabase();
  try {
    const dataDir = path.join(work, "data");
    const rows = [
      await idleRss("lego serve, embedded PGlite (first start: creates the database)", "serve", { LEGO_DATA_DIR: dataDir }, work),
      await idleRss("lego serve, embedded PGlite (restart)", "serve", { LEGO_DATA_DIR: dataDir }, work),
      await idleRss("lego serve, PostgreSQL", "serve", { DATABASE_URL: temp.url, LEGO_DATA_DIR: path.join(work, "pg-data") }, work),
      await idleRss("lego web, PostgreSQL", "web", { DATABASE_URL: temp.url, LEGO_DATA_DIR: path.join(work, "pg-data") }, work),
    ];
    const pg = rows[3]?.idleMb ?? NaN;
    console.log(`idle resident memory of the process tree, mean of the last 5 of ${idleSec} one-second samples\n`);
    console.log("| process | idle MB | max MB | ÷ lego web on PostgreSQL |");
    console.log("|---|---|---|---|");
    for (const r of rows) console.log(`| ${r.label} | ${r.idleMb.toFixed(0)} | ${r.maxMb.toFixed(0)} | ${(r.idleMb / pg).toFixed(2)} |`);
    mkdirSync("bench/results", { recursive: true });
    writeFileSync("bench/results/idle-memory.json", JSON.stringify({ at: new Date().toISOString(), idleSec, rows }, null, 2));
  } finally {
    await temp.drop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
