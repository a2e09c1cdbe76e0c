import { describe, expect, it } from "vitest";
import { jobManifest, jobState } from "../../../../training/launchers/kubernetes.js";
import { parseNodeSelector } from "../../../../training/launchers/from-config.js";

const spec = { name: "lego-train-3", dataDir: "/train/runs/run-3/data", configPath: "/train/runs/run-3/data/train.yaml", outputDir: "/train/runs/run-3/output", baseModel: "Qwen/Qwen3-8B" };
const opts = { namespace: "ml", image: "trainer:1", template: "llamafactory-cli train {config}", gpus: 8, claim: "training", trainDir: "/train", timeoutMs: 3_600_000 };

describe("kubernetes launcher decisions", () => {
  it("builds one Job: no retries of its own, a deadline, GPUs and the training volume", () => {
    const job = jobManifest(spec, { ...opts, nodeSelector: {} });
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 3600 });
    expect(job.spec?.template.spec?.containers[0]).toMatchObject({ command: ["bash", "-c", "llamafactory-cli train /train/runs/run-3/data/train.yaml"], resources: { limits: { "nvidia.com/gpu": "8" } } });
    expect(job.spec?.template.spec?.nodeSelector).toBeUndefined();
    expect(job.spec?.template.spec?.serviceAccountName).toBeUndefined();
  });

  it("reads success, failure and eviction from the Job and its pod", () => {
    expect(jobState({ status: { active: 1 } }, [])).toEqual({ state: "running" });
    expect(jobState({ status: { succeeded: 1 } }, [])).toEqual({ state: "succeeded" });
    const failed = { status: { failed: 1, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }] } };
    expect(jobState(failed, [{ status: { phase: "Failed", containerStatuses: [{ name: "t", image: "", imageID: "", ready: false, restartCount: 0, state: { terminated: { exitCode: 137, reason: "OOMKilled" } } }] } }])).toEqual({
      state: "failed",
      reason: "the Job failed: BackoffLimitExceeded; container exited with 137 (OOMKilled)",
      transient: false,
    });
    expect(jobState(failed, [{ status: { phase: "Failed", reason: "Evicted" } }])).toMatchObject({ transient: true, reason: "the pod was evicted: BackoffLimitExceeded; Evicted" });
    expect(jobState({ status: { conditions: [{ type: "Failed", status: "True", reason: "DeadlineExceeded" }] } }, [])).toMatchObject({ transient: false, reason: expect.stringContaining("ran past its deadline") });
  });

  it("parses a node selector", () => {
    expect(parseNodeSelector("a=b, gpu.product = H100")).toEqual({ a: "b", "gpu.product": "H100" });
    expect(parseNodeSelector(undefined)).toEqual({});
    expect(() => parseNodeSelector("a")).toThrow('"a" is not key=value');
  });
});
