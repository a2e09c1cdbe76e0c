// The exporters reading the real PostgreSQL store: tasks in keyset batches, trajectories loaded
// only for usable rollouts, fix attempts with maintainer signals, held-out tasks kept out.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, type DatabaseHandle } from "../../db/client.js";
import { createAttempt, insertRollout, saveTrajectory } from "../../db/fixes.js";
import { outcomes } from "../../db/schema.js";
import { upsertTask } from "../../db/tasks.js";
import { addHoldout, listHoldout } from "../../db/training-data.js";
import { dbTaskGroups } from "../../training/db-source.js";
import { exportSft, sftNeedsTrajectory } from "../../training/export-sft.js";
import { exportVerifier, verifierNeedsTrajectory } from "../../training/export-verifier.js";
import { HoldoutIndex } from "../../training/holdout.js";
import type { TaskGroup } from "../../training/source.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { bashCall, buildTrajectory, failedActionsScript, finishCall } from "../support/trajectory-fixtures.js";

let temp: TempDatabase;
let handle: DatabaseHandle;
const work = mkdtempSync(path.join(os.tmpdir(), "lego-dbexport-"));

beforeAll(async () => {
  temp = await createTempDatabase();
  handle = await openDatabase({ url: temp.url, dataDir: work });
  await migrate(handle);
  const db = handle.db;
  for (let i = 1; i <= 5; i++) {
    await upsertTask(db, { instanceId: `acme__calc-${i}`, repo: "acme/calc", kind: "real", pullNumber: i, baseCommit: "a".repeat(40), patch: `diff ${i}`, failToPass: ["t::a"], status: "valid" });
    for (const [j, outcome] of (["resolved", "unresolved"] as const).entries()) {
      const id = `acme__calc-${i}-r${j}`;
      await insertRollout(db, { id, taskInstanceId: `acme__calc-${i}`, index: j, model: "teacher", status: "done", outcome, patch: "diff --git a/x b/x\n" });
      const t = buildTrajectory("tools", i === 3 && j === 0 ? failedActionsScript() : [{ calls: [bashCall("ls")] }, { calls: [finishCall()] }]);
      await saveTrajectory(db, id, t.messages, t.steps);
    }
  }
  const attempt = await createAttempt(db, { repo: "acme/calc", issueNumber: 42, installationId: 1, trigger: "command", requestedBy: "maintainer", k: 2 });
  for (const j of [0, 1]) {
    const id = `fix-${attempt.id}-r${j}`;
    await insertRollout(db, { id, fixAttemptId: attempt.id, index: j, model: "policy", status: "done", patch: "diff --git a/y b/y\n" });
    const t = buildTrajectory("tools", [{ calls: [finishCall()] }]);
    await saveTrajectory(db, id, t.messages, t.steps);
  }
  await db.insert(outcomes).values({ fixAttemptId: attempt.id, rolloutId: `fix-${attempt.id}-r0`, signal: "merged", deliveryId: "d-1" });
});

afterAll(async () => {
  await handle?.close();
  await temp?.drop();
  rmSync(work, { recursive: true, force: true });
});

async function collect(source: AsyncIterable<TaskGroup>): Promise<TaskGroup[]> {
  const out: TaskGroup[] = [];
  for await (const g of source) out.push(g);
  return out;
}

describe("the exporters on the database", () => {
  it("reads tasks in batches with trajectories only where they are wanted", async () => {
    const groups = await collect(dbTaskGroups(handle.db, { batchSize: 2, wants: sftNeedsTrajectory() }));
    expect(groups.map((g) => g.task.instanceId)).toEqual(["acme__calc-1", "acme__calc-2", "acme__calc-3", "acme__calc-4", "acme__calc-5"]);
    for (const g of groups) {
      expect(g.rollouts.map((r) => [r.outcome, r.trajectory === null])).toEqual([
        ["resolved", false],
        ["unresolved", true],
      ]);
    }
  });

  it("exports SFT data without the held-out tasks and verifier data with the maintainer's label", async () => {
    expect(await addHoldout(handle.db, [{ key: "id:acme__calc-2", instanceId: "acme__calc-2", repo: "acme/calc", pullNumber: 2, source: "test" }, { key: "hash:h", patchHash: "h", source: "test" }])).toBe(2);
    expect(await addHoldout(handle.db, [{ key: "id:acme__calc-2", instanceId: "acme__calc-2", source: "again" }])).toBe(0);
    const holdout = new HoldoutIndex((await listHoldout(handle.db)).map((r) => ({ ...r, wholeRepo: r.wholeRepo })));
    const patchHash = (patch: string) => (patch === "diff 4" ? "h" : null);

    const sft = await exportSft(dbTaskGroups(handle.db, { batchSize: 2, wants: sftNeedsTrajectory() }), { outDir: path.join(work, "sft"), format: "llamafactory", holdout, patchHash });
    expect(sft.manifest).toMatchObject({
      counts: { records: 3, excluded: { "holdout:instance-id": 2, "holdout:patch-hash": 2, "outcome:unresolved": 3 }, by_tier: { easy: 3 } },
      task_ids: ["acme__calc-1", "acme__calc-3", "acme__calc-5"],
      models: ["teacher"],
    });
    const lines = readFileSync(path.join(work, "sft", "lego_sft_easy.jsonl"), "utf8").trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { messages: { turn_mask?: boolean }[] }).messages.filter((m) => m.turn_mask).length)).toEqual([0, 4, 0]);

    const verifier = await exportVerifier(dbTaskGroups(handle.db, { batchSize: 2, wants: verifierNeedsTrajectory, fixAttempts: true }), { outDir: path.join(work, "verifier"), holdout, patchHash });
    expect(verifier.manifest).toMatchObject({
      counts: { records: 7, by_label: { YES: 4, NO: 3 }, by_label_source: { tests: 6, "maintainer:merged": 1 }, excluded: { "outcome:ungraded": 1 } },
    });
  });

  it("reads steps without their observations, in order, and passes a corrupt steps value on as stored", async () => {
    const db = handle.db;
    const { trajectoriesOf } = await import("../../db/training-data.js");
    const t = buildTrajectory("tools", failedActionsScript());
    const read = (await trajectoriesOf(db, ["acme__calc-3-r0"])).get("acme__calc-3-r0") as { messages: unknown; steps: Record<string, unknown>[] };
    expect(read.messages).toEqual(t.messages);
    expect(read.steps).toEqual((t.steps as unknown as Record<string, unknown>[]).map(({ observation: _o, ...rest }) => rest));

    await upsertTask(db, { instanceId: "acme__calc-9", repo: "acme/calc", kind: "real", pullNumber: 9, baseCommit: "a".repeat(40), patch: "diff 9", failToPass: ["t::a"], status: "valid" });
    const good = buildTrajectory("tools", [{ calls: [finishCall()] }]);
    for (const [j, steps] of [{ not: "a list" }, [1, "two"]].entries()) {
      await insertRollout(db, { id: `acme__calc-9-r${j}`, taskInstanceId: "acme__calc-9", index: j, model: "teacher", status: "done", outcome: "resolved", patch: "" });
      await saveTrajectory(db, `acme__calc-9-r${j}`, good.messages, steps);
    }
    const stored = await trajectoriesOf(db, ["acme__calc-9-r0", "acme__calc-9-r1"]);
    expect([stored.get("acme__calc-9-r0")?.steps, stored.get("acme__calc-9-r1")?.steps]).toEqual([{ not: "a list" }, [1, "two"]]);
    const problems: string[] = [];
    const sft = await exportSft(dbTaskGroups(db, { repo: "acme/calc", wants: sftNeedsTrajectory() }), { outDir: path.join(work, "sft-corrupt"), format: "llamafactory", onProblem: (p) => problems.push(`${p.rollout}: ${p.reason}: ${p.detail}`) });
    expect(problems).toEqual([
      "acme__calc-9-r0: corrupt-trajectory: corrupt step records: (root): Invalid input: expected array, received object",
      "acme__calc-9-r1: corrupt-trajectory: corrupt step records: 0: Invalid input: expected object, received number",
    ]);
    expect(sft.manifest).toMatchObject({ counts: { excluded: { "corrupt-trajectory": 2 } } });
  });

  it("reads messages as JSON.parse(messages::text) would give them, keys in the same order, however odd", async () => {
    const db = handle.db;
    const { trajectoriesOf } = await import("../../db/training-data.js");
    const proto = JSON.parse('{"role":"user","__proto__":{"x":1},"content":"p"}') as unknown;
    const odd: unknown[] = [
      [
        { role: "system", content: "naïve — 中文 😀 \\ \" \n\t end" },
        { role: "user", content: null },
        { role: "user" },
        { role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
        { role: "assistant", content: 7, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "c", content: "x".repeat(300_000) },
        { a: 1, zzzzzzzzzzzz: 2, "12345678": 3, "1": 4, content: "keys around content", "": 5, contenu: 6, contents: 7 },
        proto,
        3,
        "a string",
        null,
        [1, { content: "nested" }],
        {},
      ],
      [],
      { not: "a list", content: "x" },
      "a string",
      null,
    ];
    await upsertTask(db, { instanceId: "acme__calc-11", repo: "other/repo", kind: "real", pullNumber: 11, baseCommit: "a".repeat(40), patch: "diff 11", failToPass: ["t::a"], status: "valid" });
    const ids = odd.map((_, j) => `acme__calc-11-r${j}`);
    const pg = postgres(temp.url, { max: 1, onnotice: () => {} });
    try {
      for (const [j, messages] of odd.entries()) {
        await insertRollout(db, { id: ids[j] as string, taskInstanceId: "acme__calc-11", index: j, model: "teacher", status: "done", outcome: "resolved", patch: "" });
        await saveTrajectory(db, ids[j] as string, messages ?? [], []);
        // A JSON null, which the ORM would store as SQL NULL.
        if (messages === null) await pg`update trajectories set messages = 'null'::jsonb where rollout_id = ${ids[j] as string}`;
      }
      const rows = await pg<{ id: string; text: string }[]>`select rollout_id as id, messages::text as text from trajectories where rollout_id in ${pg(ids)}`;
      const read = await trajectoriesOf(db, ids);
      expect(rows).toHaveLength(odd.length);
      for (const row of rows) {
        const expected = JSON.parse(row.text) as unknown;
        const got = read.get(row.id)?.messages;
        expect(got).toStrictEqual(expected);
        // toStrictEqual ignores key order; the text does not.
        expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
      }
      const withProto = (read.get(ids[0] as string)?.messages as Record<string, unknown>[])[7] as Record<string, unknown>;
      expect(Object.getPrototypeOf(withProto)).toBe(Object.prototype);
      expect(Object.keys(withProto)).toEqual(["role", "content", "__proto__"]);
    } finally {
      await pg.end();
    }
  });
});
