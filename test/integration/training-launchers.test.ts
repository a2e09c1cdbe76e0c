// Both launchers for real: the command launcher runs the CPU trainer as a child process, and the
// Kubernetes launcher creates a batch/v1 Job through @kubernetes/client-node against the API
// double, which runs the same trainer as the Job's pod. Failures each come back explained.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportSft } from "../../training/export-sft.js";
import { CommandLauncher } from "../../training/launchers/command.js";
import { KubernetesLauncher, type KubernetesLauncherOptions } from "../../training/launchers/kubernetes.js";
import { type Launcher, LaunchError, type LaunchSpec, type LaunchState, lossCurve } from "../../training/launchers/types.js";
import { type KubeDouble, startKubeDouble } from "../support/kube-double.js";
import { TINY_TRAIN_COMMAND, tinyGroups } from "../support/tiny-export.js";

const work = mkdtempSync(path.join(os.tmpdir(), "lego-launchers-"));
const trainer = path.resolve("training/python");
let data: string;
let kube: KubeDouble;

beforeAll(async () => {
  data = path.join(work, "export");
  await exportSft(tinyGroups(), { outDir: data, format: "llamafactory", tiers: { easy: 3, medium: 5 } });
  kube = await startKubeDouble({ token: "k8s-token" });
});

afterAll(async () => {
  await kube?.close();
  rmSync(work, { recursive: true, force: true });
});

const spec = (name: string): LaunchSpec => ({ name, dataDir: data, configPath: path.join(data, "train.yaml"), outputDir: path.join(work, "runs", name), baseModel: "tiny" });

async function until(launcher: Launcher, s: LaunchSpec, id: string, limitMs = 120_000): Promise<LaunchState> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const state = await launcher.poll(s, id);
    if (state.state !== "running" || Date.now() > deadline) return state;
    await launcher.waitForChange(s, id, 2000);
  }
}

const command = (template: string, timeoutMs = 120_000) => new CommandLauncher({ template, cwd: trainer, timeoutMs, logDir: path.join(work, "logs") });

describe("command launcher", () => {
  it("runs the CPU trainer, streams its log to a file and finds the checkpoint", async () => {
    const launcher = command(TINY_TRAIN_COMMAND);
    const s = spec("lego-train-1");
    const id = await launcher.submit(s);
    expect(await until(launcher, s, id)).toEqual({ state: "succeeded" });
    const log = await launcher.logs(s, id);
    expect(log).toContain(`$ /usr/bin/python3 -m lego_train sft --data ${data}`);
    expect(log).toContain("[lego_train] succeeded");
    expect(lossCurve(log).map((p) => p.stage)).toEqual(["easy", "easy_medium"]);
    const art = await launcher.artifacts(s, id);
    expect(art.checkpointUri).toBe(path.join(s.outputDir, "stages", "easy_medium"));
    expect(art.result).toMatchObject({ status: "succeeded", backend: "tiny" });
  }, 180_000);

  it("explains a missing command, a non-zero exit, a missing checkpoint, a cancel and a bad template", async () => {
    const missing = command("no-such-trainer --data {data}");
    const s1 = spec("lego-train-2");
    expect(await until(missing, s1, await missing.submit(s1))).toEqual({ state: "failed", reason: "the command was not found (exit 127): check LEGO_TRAIN_COMMAND and the PATH of the worker", transient: false });

    const bad = command("/usr/bin/python3 -m lego_train sft --data {output} --model tiny --output-dir {output}");
    const s2 = spec("lego-train-3");
    const id2 = await bad.submit(s2);
    expect(await until(bad, s2, id2)).toMatchObject({ state: "failed", reason: expect.stringMatching(/^the command exited with [12]$/), transient: false });
    expect((await bad.artifacts(s2, id2)).checkpointUri).toBeNull();

    const nothing = command("true {output}");
    const s3 = spec("lego-train-4");
    const id3 = await nothing.submit(s3);
    expect(await until(nothing, s3, id3)).toEqual({ state: "succeeded" });
    expect(await nothing.artifacts(s3, id3)).toEqual({ checkpointUri: null, result: null });

    const slow = command("sleep 60; echo {name}");
    const s4 = spec("lego-train-5");
    const id4 = await slow.submit(s4);
    await slow.cancel(s4, id4);
    expect(await slow.poll(s4, id4)).toEqual({ state: "failed", reason: "cancelled", transient: false });

    const timed = command("sleep 60; echo {name}", 500);
    const s5 = spec("lego-train-6");
    expect(await until(timed, s5, await timed.submit(s5))).toMatchObject({ state: "failed", reason: expect.stringContaining("ran past its 1 s limit"), transient: false });

    await expect(command("train {dataset}").submit(spec("lego-train-7"))).rejects.toThrow("unknown placeholder {dataset}");
    await expect(command(" ").submit(spec("lego-train-8"))).rejects.toThrow("no training command is configured");
    // A handle this process never made: its worker was restarted, so the engine lost it (retryable).
    expect(await command("true").poll(spec("x"), "pid-1-elsewhere")).toMatchObject({ state: "failed", transient: true });
  }, 120_000);
});

describe("kubernetes launcher", () => {
  const options = (over: Partial<KubernetesLauncherOptions> = {}): KubernetesLauncherOptions => ({
    apiUrl: kube.url,
    token: "k8s-token",
    namespace: "training",
    image: "registry.example/lego-trainer:1",
    // The trainer image has lego_train installed; here the double's "kubelet" finds it on PYTHONPATH.
    template: `PYTHONPATH=${trainer} ${TINY_TRAIN_COMMAND}`,
    gpus: 1,
    claim: "lego-training",
    trainDir: work,
    serviceAccount: "lego-trainer",
    nodeSelector: { "nvidia.com/gpu.product": "H100" },
    timeoutMs: 3600_000,
    ...over,
  });

  it("creates a Job, watches it to completion, stores the pod's log and names the checkpoint on the volume", async () => {
    const launcher = new KubernetesLauncher(options());
    const s = spec("lego-train-11");
    const id = await launcher.submit(s);
    expect(id).toBe("lego-train-11");
    const job = kube.jobs.get("training/lego-train-11")?.job;
    expect(job?.spec.template.spec).toMatchObject({
      restartPolicy: "Never",
      serviceAccountName: "lego-trainer",
      nodeSelector: { "nvidia.com/gpu.product": "H100" },
      containers: [{ name: "trainer", image: "registry.example/lego-trainer:1", resources: { limits: { "nvidia.com/gpu": "1" } }, volumeMounts: [{ name: "training", mountPath: work }] }],
      volumes: [{ name: "training", persistentVolumeClaim: { claimName: "lego-training" } }],
    });
    expect(job?.spec.backoffLimit).toBe(0);
    expect(await until(launcher, s, id)).toEqual({ state: "succeeded" });
    expect(kube.requests.some((r) => r.method === "GET" && r.path.startsWith("/apis/batch/v1/namespaces/training/jobs?") && r.path.includes("watch=true"))).toBe(true);
    const log = await launcher.logs(s, id);
    expect(lossCurve(log)).toHaveLength(2);
    expect((await launcher.artifacts(s, id)).checkpointUri).toBe("pvc://lego-training/runs/lego-train-11/stages/easy_medium");
    await launcher.cancel(s, id);
    expect(kube.jobs.has("training/lego-train-11")).toBe(false);
    expect(await launcher.poll(s, id)).toEqual({ state: "failed", reason: "the Job lego-train-11 no longer exists (deleted outside LegoFactory?)", transient: false });
  }, 180_000);

  it("reports a refused create, an evicted pod and an unreachable API, each with whether to retry", async () => {
    kube.refuseCreates(403, 'jobs.batch is forbidden: User "system:serviceaccount:lego:worker" cannot create resource "jobs" in API group "batch" in the namespace "training"');
    const launcher = new KubernetesLauncher(options());
    const refused = await launcher.submit(spec("lego-train-12")).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LaunchError);
    expect((refused as LaunchError).transient).toBe(false);
    expect((refused as Error).message).toContain("Kubernetes refused creating Job lego-train-12 (HTTP 403: jobs.batch is forbidden");
    expect((refused as Error).message).toContain("check the service account's RBAC");
    kube.acceptCreates();

    const wrongToken = new KubernetesLauncher(options({ token: "wrong" }));
    await expect(wrongToken.submit(spec("lego-train-13"))).rejects.toThrow("HTTP 401");

    const unreachable = new KubernetesLauncher(options({ apiUrl: "http://127.0.0.1:9", requestTimeoutMs: 5000 }));
    const down = await unreachable.submit(spec("lego-train-14")).catch((e: unknown) => e);
    expect((down as LaunchError).transient).toBe(true);
    expect((down as Error).message).toContain("the Kubernetes API could not be reached while creating Job lego-train-14");
  }, 60_000);

  it("an evicted pod is a transient failure", async () => {
    kube.nextPod({ kind: "evict", afterMs: 200 });
    const launcher = new KubernetesLauncher(options());
    const s = spec("lego-train-15");
    const state = await until(launcher, s, await launcher.submit(s));
    expect(state).toMatchObject({ state: "failed", transient: true, reason: expect.stringContaining("the pod was evicted: BackoffLimitExceeded") });
    expect((state as { reason: string }).reason).toContain("The node was low on resource: memory.");
  }, 60_000);
});
