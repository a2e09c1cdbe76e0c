// The exports as the Python trainer (training/python) reads them: an SFT export with three
// curriculum stages and a verifier export, each trained for a step on the tiny CPU model. The
// conversations are text-mode ones with a short system prompt, so the tiny model's byte-level
// tokens fit a small context.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { exportSft } from "../../training/export-sft.js";
import { exportVerifier } from "../../training/export-verifier.js";
import type { ExportRollout, TaskGroup } from "../../training/source.js";
import type { StoredMessage } from "../../training/trajectory.js";

const run = promisify(execFile);
const work = mkdtempSync(path.join(os.tmpdir(), "lego-trainer-interop-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A text-mode trajectory of `turns` turns; turn 2 is an editor error (masked). */
function trajectory(turns: number): { messages: StoredMessage[]; steps: unknown[]; mode: "text" } {
  const messages: StoredMessage[] = [
    { role: "system", content: "You fix bugs." },
    { role: "user", content: "add() subtracts." },
  ];
  const steps: unknown[] = [];
  for (let t = 1; t <= turns; t++) {
    const last = t === turns;
    messages.push({ role: "assistant", content: last ? "<function=finish>\n<parameter=message>done</parameter>\n</function>" : `<function=execute_bash>\n<parameter=command>echo ${t}</parameter>\n</function>` });
    const failed = t === 2 && !last;
    steps.push({ index: t - 1, turn: t, action: { tool: last ? "finish" : "execute_bash", args: {} }, observation: `${t}`, exitCode: last ? null : 0, error: failed, ...(failed ? { errorKind: "editor" } : {}) });
    if (!last) messages.push({ role: "user", content: `EXECUTION RESULT of [execute_bash]:\n${t}` });
  }
  return { messages, steps, mode: "text" };
}

function rollout(id: string, outcome: ExportRollout["outcome"], turns: number): ExportRollout {
  return { rolloutId: id, model: "teacher", outcome, createdAt: null, patch: "diff --git a/c.py b/c.py\n-a\n+b\n", trajectory: trajectory(turns), signals: [] };
}

async function* groups(): AsyncIterable<TaskGroup> {
  const task = (id: string) => ({ instanceId: id, repo: "acme/calc", kind: "real" as const, pullNumber: null, patch: "", failToPass: ["t::a"], passToPass: [], problemStatement: "add() subtracts." });
  yield { task: task("acme__calc-1"), rollouts: [rollout("r1", "resolved", 3), rollout("r1b", "unresolved", 2)] };
  yield { task: task("acme__calc-2"), rollouts: [rollout("r2", "resolved", 5)] };
  yield { task: task("acme__calc-3"), rollouts: [rollout("r3", "resolved", 8), rollout("r3b", "cheated", 2)] };
}

async function train(kind: "sft" | "verifier", data: string): Promise<Record<string, unknown>> {
  const out = path.join(work, `${kind}-out`);
  await run("/usr/bin/python3", ["-m", "lego_train", kind, "--data", data, "--model", "tiny", "--output-dir", out, "--max-steps", "1", "--grad-accum", "1", "--cutoff-len", "4096"], {
    cwd: path.resolve("training/python"),
    timeout: 120_000,
  });
  return JSON.parse(readFileSync(path.join(out, "result.json"), "utf8")) as Record<string, unknown>;
}

describe("exports read by the trainer", () => {
  it("trains the three curriculum stages of an SFT export in order", async () => {
    const dir = path.join(work, "sft");
    await exportSft(groups(), { outDir: dir, format: "llamafactory", tiers: { easy: 3, medium: 5 } });
    const result = await train("sft", dir);
    expect(result.status).toBe("succeeded");
    const stages = result.stages as { name: string; datasets: string[]; conversations: number }[];
    expect(stages.map((s) => [s.name, s.datasets, s.conversations])).toEqual([
      ["easy", ["lego_sft_easy"], 1],
      ["easy_medium", ["lego_sft_easy", "lego_sft_medium"], 2],
      ["all", ["lego_sft_easy", "lego_sft_medium", "lego_sft_hard"], 3],
    ]);
  });

  it("trains the verifier on a verifier export", async () => {
    const dir = path.join(work, "verifier");
    await exportVerifier(groups(), { outDir: dir });
    const result = await train("verifier", dir);
    expect(result.status).toBe("succeeded");
    expect((result.stages as { judgements: Record<string, number> }[])[0]?.judgements).toEqual({ YES: 3, NO: 2 });
  });
});
