import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { JUDGE_SYSTEM_PROMPT } from "../../../src/verifier/prompt.js";
import { exportVerifier } from "../../../training/export-verifier.js";
import { checkHashes, from, groups, holdout, longScript, outDir, readJsonl, rollout, task, work } from "../../support/export-groups.js";

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("exportVerifier", () => {
  it("writes judge examples with the inference prompt, labels with their source, balanced per task", async () => {
    const dir = outDir();
    const fixTask = task("fix:acme/calc#9", { kind: "fix", failToPass: [], patch: "" });
    const merged = rollout("fix-chosen", null, longScript(2), { signals: [{ signal: "merged", at: new Date() }] });
    const { manifest } = await exportVerifier(from([...groups(), { task: fixTask, rollouts: [merged, rollout("fix-sibling", null, longScript(2))] }]), { outDir: dir, holdout });
    const records = readJsonl<{ messages: { role: string; content: string }[] }>(path.join(dir, "lego_verifier.jsonl"));
    const labels = readJsonl<{ rollout: string; label: string; source: string }>(path.join(dir, "labels.jsonl"));
    expect(labels.map((l) => `${l.rollout}:${l.label}:${l.source}`)).toEqual([
      "a-long:YES:tests",
      "a-short:YES:tests",
      "a-cheat:NO:tests",
      "a-semi:NO:tests",
      "d-medium:YES:tests",
      "e-hard:YES:tests",
      "f-masked:YES:tests",
      "fix-chosen:YES:maintainer:merged",
    ]);
    expect(records).toHaveLength(labels.length);
    for (const [i, record] of records.entries()) {
      expect(record.messages.map((m) => m.role)).toEqual(["system", "user", "assistant"]);
      expect(record.messages[0]?.content).toBe(JUDGE_SYSTEM_PROMPT);
      expect(record.messages[1]?.content).toMatch(/^Please evaluate the following interaction between an AI assistant and a user:\n\n=== INTERACTION LOG ===/);
      expect(record.messages[1]?.content).toContain("=== FINAL PATCH ===");
      expect(record.messages[2]?.content).toBe(`<judgement>${labels[i]?.label}</judgement>`);
    }
    expect(manifest).toMatchObject({
      kind: "verifier",
      counts: {
        records: 8,
        by_label: { NO: 2, YES: 6 },
        by_label_source: { tests: 7, "maintainer:merged": 1 },
        excluded: { balance: 1, "outcome:infra-error": 1, "holdout:repo-pr": 1, "task-without-tests": 1, "corrupt-trajectory": 1, "outcome:ungraded": 1 },
      },
    });
    checkHashes(dir, manifest);
    expect(parse(readFileSync(path.join(dir, "train.yaml"), "utf8"))).toMatchObject({ dataset: "lego_verifier", learning_rate: 2e-5, num_train_epochs: 5 });
  });
});
