// The model registry on the real PostgreSQL: `lego models` as a user runs it, and the policy a
// job resolves changing with each promotion and rollback, without a restart.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { registerCandidate } from "../../db/model-versions.js";
import { modelSource } from "../../src/fix/models.js";
import { runLego } from "../support/lego-process.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { testConfig } from "../support/test-config.js";

const cwd = mkdtempSync(path.join(os.tmpdir(), "lego-models-"));
let temp: TempDatabase;
let database: DatabaseHandle;

function lego(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = runLego(args, { DATABASE_URL: temp.url }, cwd);
  let stdout = "";
  let stderr = "";
  proc.stdout?.on("data", (d) => (stdout += d));
  proc.stderr?.on("data", (d) => (stderr += d));
  return new Promise((resolve) => proc.once("exit", (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: cwd });
  await migrate(database);
});

afterAll(async () => {
  await database?.close();
  await temp?.drop();
  rmSync(cwd, { recursive: true, force: true });
});

describe("lego models", () => {
  it("refuses what it cannot do and changes nothing", async () => {
    const rollback = await lego(["models", "rollback"]);
    expect(rollback.code).toBe(4);
    expect(rollback.stderr).toContain("no model version is promoted, so there is nothing to roll back");
    const unknown = await lego(["models", "promote", "nope"]);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain("there is no model version named nope");
    const badUrl = await lego(["models", "add", "v0", "--endpoint", "vllm:8000"]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain("--endpoint must be http:// or https://");
    // A trained candidate that nobody serves yet cannot be promoted.
    await registerCandidate(database.db, { name: "trained-1", baseModel: "tiny", uri: "/runs/1/checkpoint", trainingRunId: 1, manifest: { records: 3 } });
    const unserved = await lego(["models", "promote", "trained-1"]);
    expect(unserved.code).toBe(4);
    expect(unserved.stderr).toContain("trained-1 has no serving endpoint; serve the checkpoint (/runs/1/checkpoint) and run `lego models add trained-1 --endpoint URL` first");
    const list = await lego(["models", "list", "--json"]);
    expect(list.stdout.trim().split("\n").map((l) => JSON.parse(l) as { name: string; status: string })).toEqual([expect.objectContaining({ name: "trained-1", status: "candidate", endpoint: null })]);
  }, 120_000);

  it("adds, promotes and rolls back, and each job resolves the promoted endpoint", async () => {
    const source = modelSource(testConfig({ LEGO_POLICY_BASE_URL: "http://fallback:1/v1", LEGO_POLICY_MODEL: "fallback-model" }), database.db);
    const policy = async () => {
      const m = await source.resolve();
      return { url: m?.policy.baseURL, model: m?.policy.model, version: m?.policy.version?.name ?? null };
    };
    expect(await policy()).toEqual({ url: "http://fallback:1/v1", model: "fallback-model", version: null });

    expect((await lego(["models", "add", "v1", "--endpoint", "http://one:8000/v1/", "--model-name", "served-one", "--base", "Qwen/Qwen3-8B"])).stdout).toContain("added v1 (candidate) at http://one:8000/v1");
    expect((await lego(["models", "add", "v2", "--endpoint", "http://two:8000/v1"])).code).toBe(0);
    const served = await lego(["models", "add", "trained-1", "--endpoint", "http://three:8000/v1"]);
    expect(served.stdout).toContain("recorded trained-1's endpoint http://three:8000/v1 (status candidate); the service gates it on the held-out tasks next");

    expect((await lego(["models", "promote", "v1"])).stdout).toContain("v1 is now the promoted model (http://one:8000/v1). The next fix uses it.");
    expect(await policy()).toEqual({ url: "http://one:8000/v1", model: "served-one", version: "v1" });
    const first = await lego(["models", "rollback"]);
    expect(first.code).toBe(4);
    expect(first.stderr).toContain("v1 was the first version promoted; there is no earlier version to roll back to");

    expect((await lego(["models", "promote", "v2"])).stdout).toContain("v2 is now the promoted model (http://two:8000/v1); v1 retired.");
    expect((await lego(["models", "promote", "trained-1"])).code).toBe(0);
    expect(await policy()).toEqual({ url: "http://three:8000/v1", model: "trained-1", version: "trained-1" });

    // Each rollback goes one version further back.
    expect((await lego(["models", "rollback"])).stdout).toContain("v2 is now the promoted model (http://two:8000/v1); trained-1 retired.");
    expect(await policy()).toMatchObject({ version: "v2" });
    expect((await lego(["models", "rollback"])).stdout).toContain("v1 is now the promoted model");
    expect(await policy()).toMatchObject({ version: "v1", model: "served-one" });

    const list = await lego(["models", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^\* v1\s+promoted\s+http:\/\/one:8000\/v1\s+Qwen\/Qwen3-8B/m);
    expect(list.stdout).toMatch(/^ {2}trained-1\s+retired/m);
    const rows = (await lego(["models", "list", "--json"])).stdout.trim().split("\n").map((l) => JSON.parse(l) as { name: string; status: string; status_reason: string });
    expect(rows.filter((r) => r.status === "promoted").map((r) => r.name)).toEqual(["v1"]);
    expect(rows.find((r) => r.name === "v2")?.status_reason).toBe("rolled back to v1");
  }, 300_000);
});
