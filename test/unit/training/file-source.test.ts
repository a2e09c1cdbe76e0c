import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportSft, sftNeedsTrajectory } from "../../../training/export-sft.js";
import { fileTaskGroups } from "../../../training/file-source.js";
import type { Problem, TaskGroup } from "../../../training/source.js";
import { bashCall, buildTrajectory, finishCall } from "../../support/trajectory-fixtures.js";

const work = mkdtempSync(path.join(os.tmpdir(), "lego-files-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const task = (id: string) => ({ instance_id: id, repo: "acme/calc", base_commit: "a".repeat(40), patch: "diff", test_patch: "", FAIL_TO_PASS: ["t::a"], PASS_TO_PASS: [] });

/** A line as `lego rollout` writes it. */
function line(instanceId: string, rollout: number, outcome: string, turns = 2): string {
  const t = buildTrajectory("tools", [...Array.from({ length: turns - 1 }, () => ({ calls: [bashCall("ls")] })), { calls: [finishCall()] }]);
  return JSON.stringify({ instance_id: instanceId, rollout, messages: t.messages, steps: t.steps, patch: "diff --git a/x b/x\n", finishReason: "finish", turns, mode: "tools", model: "teacher", outcome, outcome_reason: "why" });
}

describe("fileTaskGroups", () => {
  const tasks = path.join(work, "tasks.jsonl");
  const traj = path.join(work, "traj.jsonl");
  writeFileSync(tasks, [task("acme__calc-1"), task("acme__calc-2")].map((t) => JSON.stringify(t)).join("\n") + "\n{broken\n");
  const truncated = line("acme__calc-2", 1, "resolved").slice(0, 500);
  writeFileSync(
    traj,
    [line("acme__calc-1", 0, "unresolved"), line("acme__calc-2", 0, "resolved", 3), line("acme__calc-1", 1, "resolved", 4), line("acme__gone-9", 0, "resolved"), "", `{"instance_id": "acme__calc-2", "rollout": 1, ${truncated.slice(1)}`, line("acme__calc-1", 2, "resolved", 2)].join("\n") + "\n",
  );

  it("groups a task's rollouts wherever they are in the file, reading only the trajectories wanted", async () => {
    const problems: Problem[] = [];
    const groups: TaskGroup[] = [];
    for await (const g of fileTaskGroups(traj, tasks, { wants: sftNeedsTrajectory(), onProblem: (p) => problems.push(p) })) groups.push(g);
    expect(groups.map((g) => [g.task.instanceId, g.task.pullNumber, g.rollouts.map((r) => [r.rolloutId, r.outcome, r.trajectory !== null])])).toEqual([
      ["acme__calc-1", 1, [["acme__calc-1-r0", "unresolved", false], ["acme__calc-1-r1", "resolved", true], ["acme__calc-1-r2", "resolved", true]]],
      ["acme__calc-2", 2, [["acme__calc-2-r0", "resolved", true]]],
    ]);
    expect(problems.map((p) => p.reason)).toEqual(["corrupt-task", "corrupt-line", "unknown-task"]);
    expect(problems[1]?.detail).toMatch(/truncated or corrupt line/);
    expect(problems[2]?.detail).toMatch(/traj\.jsonl:4: acme__gone-9 is not in .*tasks\.jsonl/);
  });

  it("feeds the SFT export like the database does", async () => {
    const { manifest } = await exportSft(fileTaskGroups(traj, tasks, { wants: sftNeedsTrajectory() }), { outDir: path.join(work, "out"), format: "llamafactory" });
    expect(manifest).toMatchObject({ counts: { records: 2, excluded: { "outcome:unresolved": 1, "per-task-limit": 1 } }, rollout_ids: ["acme__calc-1-r2", "acme__calc-2-r0"] });
  });
});
