// The exported bytes, pinned: the exporters write through buffers, serialise records in pieces and
// read trajectories from files and the database in ways tuned for speed (bench/export.ts), and none
// of that may change a byte of what is written. The hashes were taken from the exporter before
// that tuning (commit 7fe6548) on the same input: every unit test group, non-ASCII text (accents,
// CJK, emoji as surrogate pairs), a 1.5 MB tool result (bigger than any write buffer), a text-mode
// trajectory, every format, and the same trajectories read back from a `lego rollout` file.
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportSft, sftNeedsTrajectory } from "../../../training/export-sft.js";
import { exportVerifier } from "../../../training/export-verifier.js";
import { fileTaskGroups } from "../../../training/file-source.js";
import type { TaskGroup } from "../../../training/source.js";
import { from, groups, longScript, outDir, rollout, task, work } from "../../support/export-groups.js";
import { bashCall, buildTrajectory, finishCall } from "../../support/trajectory-fixtures.js";

afterAll(() => rmSync(work, { recursive: true, force: true }));

const UNICODE = "naïve café — 中文字符 ✓ 😀🎉 \u00a0tab\there \\ \"quoted\" </script> \u2028 end";

function bigObservation(): string {
  const lines: string[] = [];
  for (let i = 0, length = 0; length < 1_500_000; i++) {
    lines.push(`line ${i}: ${UNICODE} ${"x".repeat(i % 97)}`);
    length += (lines[i] as string).length + 1;
  }
  return lines.join("\n");
}

function input(): TaskGroup[] {
  const unicode = [
    { content: `Looking at ${UNICODE}`, calls: [bashCall(`grep -rn '${UNICODE}' .`, { observation: `${UNICODE}\n[The command completed with exit code 1.]`, exitCode: 1, errorKind: "nonzero-exit" as const })] },
    { calls: [bashCall("cat big.log", { observation: bigObservation(), exitCode: 0 })] },
    { content: "Done 😀", calls: [finishCall(`Fixed ${UNICODE}`)] },
  ];
  const text = buildTrajectory("text", [{ content: "Let me see.", calls: [bashCall("ls", { observation: UNICODE })] }, { calls: [finishCall()] }], `Problem ${UNICODE}`);
  return [
    ...groups(),
    { task: task("acme__calc-7", { problemStatement: UNICODE }), rollouts: [rollout("g-unicode", "resolved", unicode), rollout("g-short", "unresolved", longScript(2))] },
    { task: task("acme__calc-8"), rollouts: [rollout("h-text", "resolved", { messages: text.messages, steps: text.steps, mode: "text" })] },
  ];
}

function hashes(dir: string, manifest: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of manifest.files as { path: string }[]) {
    // The YAMLs name the export's own directory, which differs run to run.
    if (f.path.endsWith(".yaml")) continue;
    out[f.path] = createHash("sha256").update(readFileSync(path.join(dir, f.path))).digest("hex");
  }
  return out;
}

/** The groups as `lego rollout --out` lines and `lego validate --json` tasks. */
function writeFiles(groupsIn: TaskGroup[]): { traj: string; tasks: string } {
  const traj = path.join(work, "bytes.traj.jsonl");
  const tasks = path.join(work, "bytes.tasks.jsonl");
  const lines: string[] = [];
  for (const g of groupsIn) {
    g.rollouts.forEach((r, i) => lines.push(JSON.stringify({ instance_id: g.task.instanceId, rollout: i, rollout_id: r.rolloutId, model: r.model, patch: r.patch, ...(r.trajectory ?? {}), outcome: r.outcome })));
  }
  writeFileSync(traj, `${lines.join("\n")}\n`);
  writeFileSync(tasks, `${groupsIn.map((g) => JSON.stringify({ instance_id: g.task.instanceId, repo: g.task.repo, base_commit: "a".repeat(40), patch: g.task.patch, test_patch: "", FAIL_TO_PASS: g.task.failToPass, PASS_TO_PASS: g.task.passToPass, problem_statement: g.task.problemStatement })).join("\n")}\n`);
  return { traj, tasks };
}

const SFT_JSONL = {
  "dataset_info.json": "bb414301007715ce0cff4973e53bce182aa731b65c79bf6cccac8f83e1d50dc5",
  "excluded.jsonl": "489865828bd2d93ce3344c6a6df1c0a07eb14206b1e330496f5ba5ee3c2999bf",
  "lego_sft_easy.jsonl": "cf97e08efbd933ecac1673c27fe609f35d43de3e1fbe46c8f2a90a76dd7392be",
  "lego_sft_hard.jsonl": "2ea0a20e16325aa7e3ba9f2fc9b62e8c5392ada178cb32d471ad2e68023dc3ba",
  "lego_sft_medium.jsonl": "cbae69c899e539f5d912f1ac2a16b11f5f584268f3d96662e40104c445f39ce8",
};

describe("exported bytes", () => {
  it("SFT, LLaMA-Factory JSONL, from memory and from a rollout file", async () => {
    const dir = outDir();
    const { manifest } = await exportSft(from(input()), { outDir: dir, format: "llamafactory", selection: { perTask: 2, include: ["resolved", "semi-resolved"] } });
    const got = hashes(dir, manifest);
    expect(got).toEqual(SFT_JSONL);
    const files = writeFiles(input());
    const fileDir = outDir();
    const fromFile = await exportSft(fileTaskGroups(files.traj, files.tasks, { wants: sftNeedsTrajectory({ perTask: 2, include: ["resolved", "semi-resolved"] }) }), { outDir: fileDir, format: "llamafactory", selection: { perTask: 2, include: ["resolved", "semi-resolved"] } });
    const fileHashes = hashes(fileDir, fromFile.manifest);
    // The same records; the excluded list names the rollouts it did not read `<task>-r<n>`, as the file source does.
    expect(fileHashes).toEqual({ ...SFT_JSONL, "excluded.jsonl": "3405c636f0ffd389c08f64980e8f2f093f3b8d2a6e60e015667898aa4e649a44" });
  });

  it("SFT, LLaMA-Factory JSON arrays", async () => {
    const dir = outDir();
    const { manifest } = await exportSft(from(input()), { outDir: dir, format: "llamafactory", fileFormat: "json", mask: "all-nonzero" });
    expect(hashes(dir, manifest)).toEqual({
      "dataset_info.json": "366127731225a55fc75c419529e12a73c7c0efd055288a4ba41c9603be39fa3f",
      "excluded.jsonl": "2b9db4d15bafcc0fb5457f4a264bad7ef720287291765cb32d90f5014c031eaf",
      "lego_sft_easy.json": "6b873c4180b69ddf8d585b91fc1027514b3c113828e609ac189991426ce96831",
      "lego_sft_hard.json": "e2c7e889ada230363439691487377c215894bf6dfd0abecfc1457a814bb5b46b",
      "lego_sft_medium.json": "6fcf6866b844f2e7cf9e69087867725a1956a898935cbc1b0ef177242f52b8aa",
    });
  });

  it("SFT, OpenAI chat", async () => {
    const dir = outDir();
    const { manifest } = await exportSft(from(input()), { outDir: dir, format: "openai" });
    expect(hashes(dir, manifest)).toEqual({
      "excluded.jsonl": "2b9db4d15bafcc0fb5457f4a264bad7ef720287291765cb32d90f5014c031eaf",
      "lego_sft.jsonl": "aa47e7895d57bceef721a74cb9a4831ea4b0d4cfb66586b4d8658f53705ec7a5",
    });
  });

  it("verifier", async () => {
    const dir = outDir();
    const { manifest } = await exportVerifier(from(input()), { outDir: dir, balance: false });
    expect(hashes(dir, manifest)).toEqual({
      "dataset_info.json": "e64f26017bfc467f99c035d8ccd148e9d5a00d19dc7b78da1d2449fdaa022572",
      "excluded.jsonl": "d616fe8549cea24a04b5e5fd038b939f1e1f86c756a7675b92490aedaa85c2ed",
      "labels.jsonl": "a3719f1a4007a1f3ada78e5c56f46af4871f3dee415055265c1cb7ea38cfa2eb",
      "lego_verifier.jsonl": "b4d176c40440256592b2e5c7d479ec4792c479b7a7eaf78687644fbc152e5643",
    });
  });
});
