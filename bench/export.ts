// SFT export throughput and memory on stored trajectories: a PostgreSQL store and the same
// trajectories as a `lego rollout` file, each exported at two sizes, the larger four times the
// smaller, every export in its own process so its peak RSS is its own. Goal: ≥ 100 MB/s (input
// trajectory bytes over the export's wall time), peak RSS under 300 MB, and RSS flat as the
// input grows ×4. With `--baseline DIR` every export also runs with DIR's exporter (DIR is a
// checkout of an earlier commit: its training/ and db/ modules are loaded by this same harness),
// interleaved with the current one on the same data, and the ratio is printed. Each export also
// reports the CPU seconds of its own process (PostgreSQL's are not in it), a figure the machine's
// load moves less than wall time.
//
//   npx tsx bench/export.ts [--mb 1024]          (the larger size; the smaller is a quarter)
//   npx tsx bench/export.ts --baseline DIR [--runs 2]
import { execFile } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs, promisify } from "node:util";
import postgres from "postgres";
import { migrate, openDatabase } from "../db/client.js";
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
    code: { type: "string" },
    runs: { type: "string", default: "1" },
  },
});
const run = promisify(execFile);
const self = fileURLToPath(import.meta.url);
const ROLLOUTS_PER_TASK = 2;
const TURNS = 40;
const OBSERVATION_CHARS = 4000;

/** One export in this process with the exporter of `--code` (default: this checkout); prints seconds, CPU seconds, records and peak RSS as JSON. */
async function child(): Promise<void> {
  const root = path.resolve(values.code ?? path.join(path.dirname(self), ".."));
  const load = async <T>(module: string) => (await import(pathToFileURL(path.join(root, module)).href)) as T;
  const { openDatabase: open } = await load<typeof import("../db/client.js")>("db/client.ts");
  const { dbTaskGroups } = await load<typeof import("../training/db-source.js")>("training/db-source.ts");
  const { exportSft, sftNeedsTrajectory } = await load<typeof import("../training/export-sft.js")>("training/export-sft.ts");
  const { fileTaskGroups } = await load<typeof import("../training/file-source.js")>("training/file-source.ts");
  const started = performance.now();
  const cpu = process.cpuUsage();
  const wants = sftNeedsTrajectory({ perTask: ROLLOUTS_PER_TASK });
  let source;
  let close = async () => {};
  if (values.child === "db") {
    // The CLI's pool (10 connections) has room for the queries in flight.
    const handle = await open({ url: values.db as string, dataDir: os.tmpdir() });
    close = () => handle.close();
    source = dbTaskGroups(handle.db, { wants, repo: values.repo as string, batchSize: 100, prefetch: Number(values.prefetch) });
  } else {
    source = fileTaskGroups(values.from as string, values.tasks as string, { wants, prefetch: Number(values.prefetch) });
  }
  const { manifest } = await exportSft(source, { outDir: values.out as string, format: "llamafactory", selection: { perTask: ROLLOUTS_PER_TASK } });
  await close();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const files = (manifest.files as { path: string; sha256: string }[]).filter((f) => f.path.endsWith(".jsonl")).map((f) => `${f.path}:${f.sha256}`);
  process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds: (used.user + used.system) / 1e6, records: (manifest.counts as { records: number }).records, maxRssMb: process.resourceUsage().maxRSS / 1024, files })}\n`);
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

interface Measured {
  seconds: number;
  cpuSeconds: number;
  records: number;
  maxRssMb: number;
  /** The data files and their sha256: old and new must write the same bytes. */
  files: string[];
}

async function measure(args: string[]): Promise<Measured> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", self, ...args], { maxBuffer: 1 << 20, timeout: 1_800_000 });
  return JSON.parse(stdout.trim().split("\n").pop() as string) as Measured;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

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
    const codes = [...(values.baseline ? [{ name: "baseline", dir: path.resolve(values.baseline) }] : []), { name: "current", dir: null }];
    for (const set of [small, big]) {
      for (const kind of ["db", "file"] as const) {
        const runs = new Map<string, Measured[]>(codes.map((c) => [c.name, []]));
        // Interleaved, so a change in the machine's load falls on both alike.
        for (let r = 0; r < Number(values.runs); r++) {
          for (const code of codes) {
            const out = path.join(work, "out", `${kind}-${code.name}-${r}-${set.repo.replace("/", "_")}`);
            const args = kind === "db" ? ["--child", "db", "--db", temp.url, "--repo", set.repo, "--out", out] : ["--child", "file", "--from", set.trajFile, "--tasks", set.tasksFile, "--out", out];
            (runs.get(code.name) as Measured[]).push(await measure([...args, "--prefetch", values.prefetch as string, ...(code.dir ? ["--code", code.dir] : [])]));
            rmSync(out, { recursive: true, force: true });
          }
        }
        const outputs = new Set([...runs.values()].flat().map((m) => m.files.join(" ")));
        if (outputs.size !== 1) throw new Error(`${kind} ${set.repo}: the exporters wrote different files: ${[...outputs].join(" | ")}`);
        const mb = set.bytes / 1024 / 1024;
        for (const code of codes) {
          const ms = runs.get(code.name) as Measured[];
          const seconds = median(ms.map((m) => m.seconds));
          const cpu = median(ms.map((m) => m.cpuSeconds));
          rows.push({ source: kind, code: code.name, input_mb: Math.round(mb), records: ms[0]?.records, seconds: round(seconds), mb_per_s: round(mb / seconds), cpu_s: round(cpu), mb_per_cpu_s: round(mb / cpu), peak_rss_mb: Math.round(median(ms.map((m) => m.maxRssMb))), runs: ms.length });
        }
      }
    }
    const pick = (kind: string, code: string, key: string) => rows.filter((r) => r.source === kind && r.code === code).map((r) => r[key] as number);
    const ratio = (kind: string, key: string) => {
      const [a, b] = pick(kind, "current", key);
      return round((b as number) / (a as number), 2);
    };
    const versus = (kind: string, key: string) => pick(kind, "current", key).map((v, i) => round(v / (pick(kind, "baseline", key)[i] as number), 2));
    const summary = {
      rows,
      rss_ratio_x4: { db: ratio("db", "peak_rss_mb"), file: ratio("file", "peak_rss_mb") },
      throughput_ratio_x4: { db: ratio("db", "mb_per_s"), file: ratio("file", "mb_per_s") },
      ...(values.baseline ? { speedup_over_baseline: { wall: { db: versus("db", "mb_per_s"), file: versus("file", "mb_per_s") }, cpu: { db: versus("db", "mb_per_cpu_s"), file: versus("file", "mb_per_cpu_s") } } } : {}),
      same_output_as_baseline: Boolean(values.baseline),
      load_average: os.loadavg().map((l) => round(l)),
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
