// The Helm chart rendered and its manifests validated. `helm template` renders it where Helm is
// installed; elsewhere (Helm has no Debian package) test/support/helm-render does, Helm's engine
// rebuilt on Go's text/template with Sprig from Debian's packages. Every manifest is then checked
// against the Kubernetes OpenAPI schemas (kubernetes-models) and KEDA's CRD schema.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Job } from "kubernetes-models/batch/v1";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1";
import { Secret, Service } from "kubernetes-models/v1";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

const run = promisify(execFile);
const CHART = path.resolve("deploy/helm/legofactory");
const work = mkdtempSync(path.join(os.tmpdir(), "lego-helm-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
}

async function which(cmd: string): Promise<boolean> {
  return run("sh", ["-c", `command -v ${cmd}`]).then(() => true, () => false);
}

/** Rendered manifests, or the renderer's error message. */
async function render(values: Record<string, unknown>): Promise<Manifest[]> {
  const file = path.join(work, `values-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, JSON.stringify(values));
  let stdout: string;
  if (await which("helm")) {
    ({ stdout } = await run("helm", ["template", "lego", CHART, "-f", file]));
  } else if (await which("go")) {
    ({ stdout } = await run("go", ["run", "./test/support/helm-render", CHART, "-f", file, "--name", "lego"], {
      env: { ...process.env, GO111MODULE: "off", GOPATH: "/usr/share/gocode", GOCACHE: path.join(os.tmpdir(), "lego-go-cache") },
    }));
  } else {
    throw new Error("Neither helm nor go is installed: `apt-get install -y golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev` (deploy/provision.sh does).");
  }
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

const validators: Record<string, (m: Manifest) => void> = {
  "apps/v1/Deployment": (m) => new Deployment(m as never).validate(),
  "v1/Service": (m) => new Service(m as never).validate(),
  "v1/Secret": (m) => new Secret(m as never).validate(),
  "batch/v1/Job": (m) => new Job(m as never).validate(),
  "networking.k8s.io/v1/Ingress": (m) => new Ingress(m as never).validate(),
  "autoscaling/v2/HorizontalPodAutoscaler": (m) => new HorizontalPodAutoscaler(m as never).validate(),
  "keda.sh/v1alpha1/ScaledObject": (m) => new ScaledObject(m as never).validate(),
};

function validateAll(manifests: Manifest[]): void {
  for (const m of manifests) {
    const validate = validators[`${m.apiVersion}/${m.kind}`];
    if (!validate) throw new Error(`no schema for ${m.apiVersion} ${m.kind}`);
    validate(m);
  }
}

const secrets = { appId: "123", privateKey: "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----", webhookSecret: "w", databaseUrl: "postgres://lego:pw@pg:5432/lego", redisUrl: "redis://redis:6379" };
const byKind = (ms: Manifest[], kind: string) => ms.filter((m) => m.kind === kind);
type Container = { name: string; env?: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[]; securityContext?: { privileged?: boolean } };
const containersOf = (d: Manifest) => ((d.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers);
const envOf = (c: Container | undefined, name: string) => c?.env?.find((e) => e.name === name);

describe("Helm chart deploy/helm/legofactory", () => {
  it("renders web and worker Deployments, a Secret, a migration Job and a KEDA ScaledObject on the queues, all valid", async () => {
    const ms = await render({ secrets, autoscaling: { keda: { redisAddress: "redis:6379" } } });
    validateAll(ms);
    expect(ms.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      "Deployment/lego-legofactory-web",
      "Deployment/lego-legofactory-worker",
      "Job/lego-legofactory-migrate-1",
      "ScaledObject/lego-legofactory-worker",
      "Secret/lego-legofactory-secrets",
      "Service/lego-legofactory-web",
    ]);
    const [web, worker] = byKind(ms, "Deployment");
    const [app, dind] = containersOf(worker as Manifest);
    expect(envOf(app, "DOCKER_HOST")?.value).toBe("unix:///var/run/dind/docker.sock");
    expect(dind?.securityContext?.privileged).toBe(true);
    expect(containersOf(web as Manifest)).toHaveLength(1);
    expect(envOf(containersOf(web as Manifest)[0], "WEBHOOK_SECRET")?.valueFrom?.secretKeyRef).toEqual({ name: "lego-legofactory-secrets", key: "WEBHOOK_SECRET" });
    // Autoscaled: the Deployment leaves replicas to KEDA.
    expect((worker?.spec as { replicas?: number }).replicas).toBeUndefined();
    const triggers = (byKind(ms, "ScaledObject")[0]?.spec as { triggers: { type: string; metadata: { listName: string } }[] }).triggers;
    expect(triggers.map((t) => t.metadata.listName)).toContain("lego:rollout:wait");
    expect(triggers.every((t) => t.type === "redis")).toBe(true);
    expect(byKind(ms, "Job")[0]?.metadata.annotations?.["helm.sh/hook"]).toBe("post-install,pre-upgrade");
    expect((byKind(ms, "Secret")[0] as unknown as { stringData: Record<string, string> }).stringData.DATABASE_URL).toBe(secrets.databaseUrl);
    // The schemas do refuse a broken manifest.
    expect(() => validateAll([{ ...(worker as Manifest), spec: { ...(worker?.spec ?? {}), replicas: "two" } }])).toThrow(/replicas/);
    expect(() => validateAll([{ ...(byKind(ms, "ScaledObject")[0] as Manifest), spec: { triggers: [] } }])).toThrow(/scaleTargetRef/);
  }, 120_000);

  it("renders an HPA on the exported queue depth, a remote engine, an existing Secret and an Ingress, all valid", async () => {
    const ms = await render({
      existingSecret: "my-lego",
      autoscaling: { mode: "hpa" },
      docker: { mode: "remote", host: "tcp://docker.internal:2376", tlsSecret: "docker-tls" },
      web: { ingress: { enabled: true, host: "lego.example.com" } },
    });
    validateAll(ms);
    expect(byKind(ms, "Secret")).toHaveLength(0);
    const hpa = byKind(ms, "HorizontalPodAutoscaler")[0];
    expect(JSON.stringify(hpa?.spec)).toContain("lego_queue_jobs");
    const worker = byKind(ms, "Deployment").find((d) => d.metadata.name.endsWith("worker")) as Manifest;
    const [app, ...sidecars] = containersOf(worker);
    expect(sidecars).toHaveLength(0);
    expect(envOf(app, "DOCKER_HOST")?.value).toBe("tcp://docker.internal:2376");
    expect(envOf(app, "APP_ID")?.valueFrom?.secretKeyRef.name).toBe("my-lego");
    expect(byKind(ms, "Ingress")).toHaveLength(1);
  }, 120_000);

  it.each([
    [{ autoscaling: { mode: "none" } }, /secrets.appId is required/],
    [{ secrets, docker: { mode: "kind" }, autoscaling: { mode: "none" } }, /docker.mode must be dind or remote/],
    [{ secrets, docker: { mode: "remote" }, autoscaling: { mode: "none" } }, /docker.host is required/],
    [{ secrets, autoscaling: { mode: "keda" } }, /autoscaling.keda.redisAddress is required/],
  ])("refuses values %j with a message", async (values, message) => {
    await expect(render(values)).rejects.toThrow(message);
  }, 120_000);
});
