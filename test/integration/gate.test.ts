// `lego gate` from the command line against model doubles, on a task harvested and validated
// here, with rollouts in real containers: a better candidate is promoted, a worse one rejected,
// too few tasks is insufficient evidence, and a candidate whose endpoint is down changes nothing.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pythonFix, pythonProject, repoWithMergedPulls } from "../support/fixture-repos.js";
import { runLego } from "../support/lego-process.js";
import { type ModelDouble, startModelDouble } from "../support/model-double.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { policyResponder } from "../support/scripted-agent.js";
import { TEST_CACHE_DIR } from "../support/services.js";

const work = mkdtempSync(path.join(os.tmpdir(), "lego-gate-"));
let temp: TempDatabase;
let good: ModelDouble;
let bad: ModelDouble;
const py = repoWithMergedPulls(path.join(work, "calc"), pythonProject, pythonFix, { "README.md": "calc\n" });

function lego(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = runLego(args, { DATABASE_URL: temp.url, LEGO_DATA_DIR: path.join(work, "data"), LEGO_CACHE_DIR: TEST_CACHE_DIR, LEGO_SANDBOX_CPUS: "1", LEGO_SANDBOX_MEMORY_MB: "1024" }, work);
  let stdout = "";
  let stderr = "";
  proc.stdout?.on("data", (d) => (stdout += d));
  proc.stderr?.on("data", (d) => (stderr += d));
  return new Promise((resolve) => proc.once("exit", (code) => resolve({ code, stdout, stderr })));
}

const versions = async () => (await lego(["models", "list", "--json"])).stdout.trim().split("\n").map((l) => JSON.parse(l) as { name: string; status: string; evaluation: Record<string, unknown> | null });
const gate = (candidate: string, ...more: string[]) => lego(["gate", candidate, "--tasks", "tasks.jsonl", "--repo", py.dir, "--json", ...more]);

beforeAll(async () => {
  temp = await createTempDatabase();
  good = await startModelDouble();
  good.respondWith(policyResponder(() => "correct"));
  bad = await startModelDouble();
  bad.respondWith(policyResponder(() => "wrong"));
  const h = await lego(["harvest", py.dir, "--pr", "7", "--json"]);
  expect(h.code).toBe(0);
  writeFileSync(path.join(work, "tasks.jsonl"), h.stdout);
  for (const [name, url] of [["old", bad.baseURL], ["new", good.baseURL], ["worse", bad.baseURL], ["down", "http://127.0.0.1:9/v1"]] as const) {
    expect((await lego(["models", "add", name, "--endpoint", url, "--model-name", "policy"])).code).toBe(0);
  }
  expect((await lego(["models", "promote", "old"])).code).toBe(0);
}, 600_000);

afterAll(async () => {
  await good?.close();
  await bad?.close();
  await temp?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe("lego gate", () => {
  it("says insufficient evidence on fewer tasks than --min-tasks, and --dry-run records nothing", async () => {
    const r = await gate("new", "--dry-run");
    expect(r.code).toBe(4);
    const report = JSON.parse(r.stdout) as { decision: string; reason: string; applied: string; candidate: { resolveRate: number }; current: { resolveRate: number } };
    expect(report).toMatchObject({ decision: "insufficient-evidence", applied: "dry-run", candidate: { resolveRate: 1 }, current: { resolveRate: 0 } });
    expect(report.reason).toContain("1 task(s) had graded rollouts from both models, fewer than the 20 required");
    expect((await versions()).find((v) => v.name === "new")?.evaluation).toBeNull();
  }, 300_000);

  it("rejects a worse candidate and leaves the promoted model alone; a down endpoint proves nothing", async () => {
    const worse = await gate("worse", "--against", "new", "--min-tasks", "1");
    expect(worse.code).toBe(4);
    expect(JSON.parse(worse.stdout)).toMatchObject({ decision: "reject", applied: "rejected", deltaPoints: -100, paired: { "current-only": 1 } });
    const down = await gate("down", "--min-tasks", "1");
    const report = JSON.parse(down.stdout) as { decision: string; candidate: { errors: number }; perTask: { candidate: { errorReasons: string[] } }[] };
    expect(report).toMatchObject({ decision: "insufficient-evidence", candidate: { errors: 1 } });
    expect(report.perTask[0]?.candidate.errorReasons[0]).toMatch(/model request failed/);
    const v = await versions();
    expect(v.find((x) => x.name === "worse")).toMatchObject({ status: "rejected", evaluation: expect.objectContaining({ decision: "reject" }) });
    expect(v.find((x) => x.name === "down")?.status).toBe("candidate");
    expect(v.filter((x) => x.status === "promoted").map((x) => x.name)).toEqual(["old"]);
  }, 300_000);

  it("promotes a candidate that beats the promoted model by the margin, with per-task results", async () => {
    const text = await lego(["gate", "new", "--tasks", "tasks.jsonl", "--repo", py.dir, "--min-tasks", "1"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^local__calc-7\s+1\/1\s+0\/1\s+candidate-only$/m);
    expect(text.stdout).toContain("decision: promote: new resolved 100.0% against 0.0% for old on 1 tasks: +100 points, at least the 2-point margin");
    expect(text.stdout).toContain("new is now the promoted model.");
    const v = await versions();
    expect(v.filter((x) => x.status === "promoted").map((x) => x.name)).toEqual(["new"]);
    expect(v.find((x) => x.name === "new")?.evaluation).toMatchObject({ decision: "promote", against: { name: "old" } });
    // Both doubles served the gate: the same harness ran each model.
    expect(good.chatRequests("policy").length).toBeGreaterThan(0);
    expect(bad.chatRequests("policy").length).toBeGreaterThan(0);
  }, 300_000);
});
