// SFT export throughput and memory on stored trajectories: a PostgreSQL store and the same
// trajectories as a `lego rollout` file, each exported at two sizes, the larger four times the
// smaller, every export in its own process so its peak RSS is its own. Goal: ≥ 100 MB/s, peak
// RSS under 300 MB, and RSS flat as the input grows ×4. Each export runs twice, side by side:
// reading one task at a time (`--prefetch 1`, how the sources read before) and with the next
// tasks' trajectories read ahead (the default, 4), and the ratio is printed.
//
//   npx tsx bench/export.ts [--mb 1024]          (the larger size; the smaller is a quarter)
//   npx tsx bench/export.ts --baseline DIR       (also runs DIR/bench/export.ts's exporter on the
//                                                 same data: DIR is a checkout of an earlier commit)
import { execFile } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import postgres from "postgres";
import { migrate, openDatabase } from "../db/client.js";
import { dbTaskGroups } from "../training/db-source.js";
import { exportSft, sftNeedsTrajectory } from "../training/export-sft.js";
import { fileTaskGroups } from "../training/file-source.js";
import { createTempDatabase } from "../test/support/pg.js";
import { bashCall, buildTrajectory, finishCall, type ScriptedTurn } from "../test/support/trajectory-fixtures.js";

const { values } = parseArgs({
  options: {
    mb: { type: "string", default: "1024" },
    child: { type: "string" },
    db: { type: "string" },
    repo: { type: "string" },
    from: { type: "string" },
    tasks: { type: "string" },
    out: { type: "string" },
    prefetch: { type: "string", default: "4" },
    baseline: { type: "string" },
  },
});
const run = promisify(execFile);
const self = fileURLToPath(import.meta.url);
const ROLLOUTS_PER_TASK = 2;
const TURNS = 40;
const OBSERVATION_CHARS = 4000;

/** One export in this process; prints seconds, records and peak RSS as JSON. */
async function child(): Promise<void> {
  const started = performance.now();
  const wants = sftNeedsTrajectory({ perTask: ROLLOUTS_PER_TASK });
  let source;
  let close = async () => {};
  if (values.child === "db") {
    // The CLI's pool (10 connections) has room for the queries in flight.
    const handle = await openDatabase({ url: values.db as string, dataDir: os.tmpdir() });
    close = () => handle.close();
    source = dbTaskGroups(handle.db, { wants, repo: values.repo as string, batchSize: 100, prefetch: Number(values.prefetch) });
  } else {
    source = fileTaskGroups(values.from as string, values.tasks as string, { wants, prefetch: Number(values.prefetch) });
  }
  const { manifest } = await exportSft(source, { outDir: values.out as string, format: "llamafactory", selection: { perTask: ROLLOUTS_PER_TASK } });
  await close();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ seconds, records: (manifest.counts as { records: number }).records, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

/** A 40-turn native tool-call trajectory with 4 KB observations: about 200 KB stored. */
function trajectory(seed: number): { messages: unknown; steps: unknown } {
  const line = (i: number) => `test_module_${seed}_${i}.py::test_case PASSED [${(i * 7) % 100}%] ${"x".repeat(60)}\n`;
  const observation = Array.from({ length: Math.ceil(OBSERVATION_CHARS / 100) }, (_, i) => line(i)).join("").slice(0, OBSERVATION_CHARS);
  const turns: ScriptedTurn[] = [
    ...Array.from({ length: TURNS - 1 }, (_, i) => ({ content: `Step ${i}: run the tests again.`, calls: [bashCall(`python -m pytest -q tests/test_${seed}_${i}.py`, { observation, exitCode: i % 5 === 0 ? 1 : 0, ...(i % 5 === 0 ? { errorKind: "nonzero-exit" as const } : {}) })] })),
    { calls: [finishCall()] },
  ];
  const t = buildTrajectory("tools", turns, `Issue ${seed}: add() subtracts.`);
  return { messages: t.messages, steps: t.steps };
}

interface Dataset {
  repo: string;
  tasks: number;
  bytes: number;
  trajFile: string;
  tasksFile: string;
}

/** Stores `mb` of trajectories under `repo` and writes the same as lego rollout/validate files. */
async function generate(sql: postgres.Sql, dir: string, repo: string, mb: number): Promise<Dataset> {
  const trajFile = path.join(dir, `${repo.replace("/", "_")}.traj.jsonl`);
  const tasksFile = path.join(dir, `${repo.replace("/", "_")}.tasks.jsonl`);
  const trajOut = createWriteStream(trajFile);
  const taskLines: string[] = [];
  let bytes = 0;
  let tasks = 0;
  while (bytes < mb * 1024 * 1024) {
    const id = `${repo.replace("/", "__")}-${tasks + 1}`;
    const base = { instance_id: id, repo, base_commit: "a".repeat(40), patch: `diff --git a/m${tasks}.py b/m${tasks}.py\n-a\n+b\n`, test_patch: "", FAIL_TO_PASS: ["t::a"], PASS_TO_PASS: [] };
    taskLines.push(JSON.stringify(base));
    await sql`insert into task_instances (instance_id, repo, kind, base_commit, patch, fail_to_pass, status) values (${id}, ${repo}, 'real', ${base.base_commit}, ${base.patch}, ${sql.json(["t::a"])}, 'valid')`;
    for (let r = 0; r < ROLLOUTS_PER_TASK; r++) {
      const rolloutId = `${id}-r${r}`;
      const t = trajectory(tasks * ROLLOUTS_PER_TASK + r);
      const json = JSON.stringify(t);
      bytes += Buffer.byteLength(json);
      await sql`insert into rollouts (id, task_instance_id, index, model, status, outcome, patch) values (${rolloutId}, ${id}, ${r}, 'teacher', 'done', 'resolved', 'diff')`;
      await sql`insert into trajectories (rollout_id, messages, steps) values (${rolloutId}, ${sql.json(t.messages as postgres.JSONValue)}, ${sql.json(t.steps as postgres.JSONValue)})`;
      const line = `${JSON.stringify({ instance_id: id, rollout: r, ...t, patch: "diff", mode: "tools", model: "teacher", outcome: "resolved", outcome_reason: "bench" })}\n`;
      if (!trajOut.write(line)) await new Promise<void>((resolve) => trajOut.once("drain", () => resolve()));
    }
    tasks += 1;
  }
  await new Promise<void>((resolve) => trajOut.end(() => resolve()));
  await writeFile(tasksFile, `${taskLines.join("\n")}\n`);
  return { repo, tasks, bytes, trajFile, tasksFile };
}

async function measure(args: string[], script = self): Promise<{ seconds: number; records: number; maxRssMb: number }> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", script, ...args], { maxBuffer: 1 << 20, timeout: 1_800_000 });
  return JSON.parse(stdout.trim().split("\n").pop() as string) as { seconds: number; records: number; maxRssMb: number };
}

async function main(): Promise<void> {
  if (values.child) return child();
  const large = Number(values.mb);
  const work = mkdtempSync(path.join(os.tmpdir(), "lego-bench-export-"));
  const temp = await createTempDatabase();
  try {
    const handle = await openDatabase({ url: temp.url, dataDir: work });
    await migrate(handle);
    await handle.close();
    const sql = postgres(temp.url, { max: 1, onnotice: () => {} });
    process.stderr.write(`storing ${large / 4} MB and ${large} MB of trajectories…\n`);
    const small = await generate(sql, work, "bench/small", large / 4);
    const big = await generate(sql, work, "bench/large", large);
    await sql.end();
    await mkdir(path.join(work, "out"));
    const rows: Record<string, unknown>[] = [];
    for (const set of [small, big]) {
      for (const kind of ["db", "file"] as const) {
        const variants = [...(values.baseline ? [{ code: "baseline", prefetch: null }] : []), { code: "current", prefetch: 1 }, { code: "current", prefetch: 4 }];
        for (const { code, prefetch } of variants) {
          const out = path.join(work, "out", `${kind}-${code}-${prefetch}-${set.repo.replace("/", "_")}`);
          const args = kind === "db" ? ["--child", "db", "--db", temp.url, "--repo", set.repo, "--out", out] : ["--child", "file", "--from", set.trajFile, "--tasks", set.tasksFile, "--out", out];
          const m = prefetch === null ? await measure(args, path.resolve(values.baseline as string, "bench/export.ts")) : await measure([...args, "--prefetch", String(prefetch)]);
          const mb = set.bytes / 1024 / 1024;
          rows.push({ source: kind, code, prefetch, input_mb: Math.round(mb), records: m.records, seconds: Math.round(m.seconds * 10) / 10, mb_per_s: Math.round((mb / m.seconds) * 10) / 10, peak_rss_mb: Math.round(m.maxRssMb) });
          rmSync(out, { recursive: true, force: true });
        }
      }
    }
    const pick = (kind: string, prefetch: number | null, key: string) => rows.filter((r) => r.source === kind && r.prefetch === prefetch).map((r) => r[key] as number);
    const ratio = (kind: string, key: string) => {
      const [a, b] = pick(kind, 4, key);
      return Math.round(((b as number) / (a as number)) * 100) / 100;
    };
    const versus = (kind: string) => pick(kind, 4, "mb_per_s").map((v, i) => Math.round((v / (pick(kind, null, "mb_per_s")[i] as number)) * 100) / 100);
    const speedup = (kind: string) => pick(kind, 4, "mb_per_s").map((v, i) => Math.round((v / (pick(kind, 1, "mb_per_s")[i] as number)) * 100) / 100);
    const summary = {
      rows,
      rss_ratio_x4: { db: ratio("db", "peak_rss_mb"), file: ratio("file", "peak_rss_mb") },
      throughput_ratio_x4: { db: ratio("db", "mb_per_s"), file: ratio("file", "mb_per_s") },
      read_ahead_speedup: { db: speedup("db"), file: speedup("file") },
      ...(values.baseline ? { speedup_over_baseline: { db: versus("db"), file: versus("file") } } : {}),
      load_average: os.loadavg().map((l) => Math.round(l * 10) / 10),
    };
    console.table(rows);
    console.log(JSON.stringify(summary, null, 2));
    await mkdir(path.join(path.dirname(self), "results"), { recursive: true });
    await writeFile(path.join(path.dirname(self), "results", "export.json"), `${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await temp.drop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
