// Dashboard page times with 100k tasks against the same pages with 1k, side by side in one run:
// two fresh PostgreSQL databases seeded in bulk (tasks, rollouts, deliveries, builds, fixes over
// 50 repositories in 10 installations), each page requested through the real server as the
// dashboard token and as a GitHub viewer of one installation.
//
//   npx tsx bench/dashboard.ts [--tasks 100000] [--small 1000] [--rounds 15]
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { type DatabaseHandle, migrate, openDatabase } from "../db/client.js";
import { createLogger } from "../src/logger.js";
import { Metrics } from "../src/metrics.js";
import { Queues } from "../src/queue.js";
import { buildServer } from "../src/web/server.js";
import { createTempDatabase, type TempDatabase } from "../test/support/pg.js";
import { testConfig } from "../test/support/test-config.js";
import { summarize } from "./lib/stats.js";

const { values } = parseArgs({ options: { tasks: { type: "string", default: "100000" }, small: { type: "string", default: "1000" }, rounds: { type: "string", default: "15" } } });
const TOKEN = "bench-dashboard-token-0123456789";

/** Bulk rows in SQL: generate_series is what makes 100k rows take seconds, not minutes. */
async function seed(db: DatabaseHandle["db"], tasks: number): Promise<void> {
  await db.execute(sql`insert into installations (id, account_login, account_type) select g, 'org' || (g - 1), 'Organization' from generate_series(1, 10) g`);
  await db.execute(sql`insert into repositories (id, installation_id, full_name) select g + 1, (g % 10) + 1, 'org' || (g % 10) || '/repo' || g from generate_series(0, 49) g`);
  await db.execute(sql`
    insert into task_instances (instance_id, repo, kind, strategy, base_commit, patch, test_patch, problem_statement, status, status_reason, pull_number, fail_to_pass, pass_to_pass, created_at)
    select 'org' || (i % 50 % 10) || '__repo' || (i % 50) || '-' || i,
           'org' || (i % 50 % 10) || '/repo' || (i % 50),
           case when i % 7 = 0 then 'synthetic' else 'real' end,
           case when i % 7 = 0 then (array['ast:remove_cond','ast:swap_op','llm:modify'])[1 + i % 3] end,
           md5(i::text), 'diff --git a/x b/x', 'diff --git a/t b/t', 'problem ' || i || repeat(' words', 80),
           (array['valid','invalid','skipped','candidate'])[1 + i % 4],
           case i % 4 when 1 then 'FAIL_TO_PASS is empty' when 2 then (array['no linked issue','no test change','the PR changes tests only'])[1 + i % 3] end,
           i, '["tests/test_a.py::test_x"]', '["tests/test_a.py::test_y","tests/test_a.py::test_z"]',
           now() - ((i % 120) * interval '1 day') - ((i % 24) * interval '1 hour')
    from generate_series(1, ${tasks}) i`);
  await db.execute(sql`
    insert into environments (repo, key, image, base_image, status, failure_class, created_at)
    select 'org' || (i % 50 % 10) || '/repo' || (i % 50), 'k' || i, 'lego-env/x:' || i, 'lego/base:bookworm',
           case when i % 5 = 0 then 'failed' else 'ready' end, case when i % 5 = 0 then (array['network','compilation','timeout'])[1 + i % 3] end,
           now() - ((i % 90) * interval '1 day')
    from generate_series(1, ${Math.max(50, Math.floor(tasks / 200))}) i`);
  await db.execute(sql`
    insert into fix_attempts (repo, issue_number, trigger, k, status, pull_number, installation_id, created_at)
    select 'org' || (i % 50 % 10) || '/repo' || (i % 50), i, 'command', 4, 'done', case when i % 2 = 0 then i + 1 end, (i % 50 % 10) + 1, now() - ((i % 60) * interval '1 day')
    from generate_series(1, ${Math.max(20, Math.floor(tasks / 50))}) i`);
  await db.execute(sql`
    insert into outcomes (fix_attempt_id, signal, delivery_id)
    select id, (array['approved','merged','closed_unmerged','reaction_up'])[1 + id % 4], 'd-' || id from fix_attempts where pull_number is not null`);
  await db.execute(sql`
    insert into rollouts (id, task_instance_id, index, model, status, outcome, turns, prompt_tokens, completion_tokens, cost_usd, created_at)
    select 'r-' || i, 'org' || (i % 50 % 10) || '__repo' || (i % 50) || '-' || i, 0, 'SWE-Lego-Qwen3-8B', 'done',
           (array['resolved','semi-resolved','unresolved','cheated','infra-error'])[1 + i % 5], 30, 40000, 3000, 0.01,
           now() - ((i % 120) * interval '1 day')
    from generate_series(1, ${tasks}, 5) i`);
  await db.execute(sql`
    insert into webhook_deliveries (id, event, action, installation_id, repository, payload, status, received_at)
    select 'dl-' || i, 'issues', 'opened', (i % 50 % 10) + 1, 'org' || (i % 50 % 10) || '/repo' || (i % 50), '{}', (array['processed','processed','failed','enqueued'])[1 + i % 4],
           now() - ((i % 90) * interval '1 day')
    from generate_series(1, ${Math.floor(tasks / 10)}) i`);
  // What autovacuum does after a bulk load: statistics, and the visibility map index-only scans need.
  await db.execute(sql`vacuum analyze`);
}

const pages = [
  "/dashboard",
  "/dashboard?window=all",
  "/dashboard?installation=3",
  "/dashboard?repo=org3/repo13",
  "/dashboard/tasks",
  "/dashboard/tasks?status=skipped&reason=no%20linked%20issue",
  "/dashboard/tasks?window=all&page=1000&per_page=100",
  "/dashboard/tasks/org3__repo13-13",
  "/dashboard/rollouts?outcome=resolved",
  "/dashboard/environments?status=failed",
  "/dashboard/fixes?signal=merged",
  "/dashboard/deliveries",
  "/dashboard/repos",
  "/dashboard/repos/org3/repo13",
];

async function measure(tasks: number, rounds: number) {
  const temp: TempDatabase = await createTempDatabase();
  const database = await openDatabase({ url: temp.url, dataDir: "/nonexistent" });
  const config = testConfig({ LEGO_DASHBOARD_TOKEN: TOKEN });
  const queues = new Queues(config.REDIS_URL, config.LEGO_QUEUE_PREFIX);
  try {
    await migrate(database);
    const began = performance.now();
    await seed(database.db, tasks);
    const seedMs = performance.now() - began;
    const app = await buildServer({ config, log: createLogger("silent"), database, queues, appYmlPath: path.resolve("app.yml"), envFile: "/nonexistent/.env", metrics: new Metrics() });
    const results: Record<string, ReturnType<typeof summarize> & { bytes: number }> = {};
    try {
      for (const url of pages) {
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < rounds + 2; i++) {
          const t0 = performance.now();
          const res = await app.inject({ url, headers: { authorization: `Bearer ${TOKEN}`, accept: "text/html" } });
          const ms = performance.now() - t0;
          if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          bytes = res.body.length;
          if (i >= 2) times.push(ms);
        }
        results[url] = { ...summarize(times), bytes };
      }
    } finally {
      await app.close();
    }
    return { tasks, seedMs, results };
  } finally {
    await queues.close();
    await database.close();
    await temp.drop();
  }
}

async function main(): Promise<void> {
  const rounds = Number(values.rounds);
  const small = await measure(Number(values.small), rounds);
  const large = await measure(Number(values.tasks), rounds);
  const rows = pages.map((url) => {
    const a = small.results[url];
    const b = large.results[url];
    return { url, smallP50: a?.p50 ?? NaN, largeP50: b?.p50 ?? NaN, largeP99: b?.p99 ?? NaN, ratio: (b?.p50 ?? NaN) / (a?.p50 ?? NaN), kb: Math.round((b?.bytes ?? 0) / 1024) };
  });
  const f = (n: number) => n.toFixed(1);
  console.log(`seeded ${small.tasks} tasks in ${f(small.seedMs)} ms and ${large.tasks} in ${f(large.seedMs)} ms; ${rounds} requests per page after 2 warm-ups\n`);
  console.log(`| page | ${small.tasks} tasks p50 ms | ${large.tasks} tasks p50 ms | p99 ms | ratio | page KB |`);
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) console.log(`| \`${r.url}\` | ${f(r.smallP50)} | ${f(r.largeP50)} | ${f(r.largeP99)} | ${r.ratio.toFixed(2)} | ${r.kb} |`);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/dashboard.json", JSON.stringify({ at: new Date().toISOString(), small, large, rows }, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
