// The Kubernetes launcher: a batch/v1 Job per run (image, GPUs, the training volume, service
// account, node selector from configuration) through @kubernetes/client-node, watched to
// completion, its pod's log stored. The training volume is mounted at the same path in the worker
// and in the Job's pod, so the export the worker writes is the data the pod reads, and the pod's
// checkpoint is where the worker looks for it.
import { ApiException, BatchV1Api, CoreV1Api, KubeConfig, type V1Job, type V1Pod, Watch } from "@kubernetes/client-node";
import path from "node:path";
import { shQuote } from "../../sandbox/quote.js";
import { readArtifacts } from "./command.js";
import { type Artifacts, fillTemplate, LaunchError, type Launcher, type LaunchSpec, type LaunchState, templateValues } from "./types.js";

export interface KubernetesLauncherOptions {
  /** The API server; unset: the kubeconfig ($KUBECONFIG, ~/.kube/config) or the in-cluster service account. */
  apiUrl?: string;
  token?: string;
  namespace: string;
  image: string;
  /** The container's command, as the command launcher's template; run by bash. */
  template: string;
  gpus: number;
  /** The PersistentVolumeClaim holding exports and checkpoints, mounted at `trainDir`. */
  claim?: string;
  trainDir: string;
  serviceAccount?: string;
  nodeSelector?: Record<string, string>;
  timeoutMs: number;
  /** Per API call. */
  requestTimeoutMs?: number;
}

export function kubeConfigFor(opts: Pick<KubernetesLauncherOptions, "apiUrl" | "token" | "namespace">): KubeConfig {
  const kc = new KubeConfig();
  if (opts.apiUrl) {
    kc.loadFromOptions({
      // client-node refuses plain HTTP unless TLS checks are off; there is no TLS to check then.
      clusters: [{ name: "lego", server: opts.apiUrl, skipTLSVerify: opts.apiUrl.startsWith("http:") }],
      users: [{ name: "lego", ...(opts.token ? { token: opts.token } : {}) }],
      contexts: [{ name: "lego", cluster: "lego", user: "lego", namespace: opts.namespace }],
      currentContext: "lego",
    });
  } else kc.loadFromDefault();
  return kc;
}

/** Pure: the Job for one run. */
export function jobManifest(spec: LaunchSpec, opts: KubernetesLauncherOptions): V1Job {
  const labels = { "app.kubernetes.io/managed-by": "legofactory", "app.kubernetes.io/component": "training", "legofactory.dev/run": spec.name };
  const command = fillTemplate(opts.template, templateValues(spec), shQuote);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: spec.name, namespace: opts.namespace, labels },
    spec: {
      // One try per Job: LegoFactory decides about retries from the failure's cause.
      backoffLimit: 0,
      activeDeadlineSeconds: Math.max(1, Math.round(opts.timeoutMs / 1000)),
      ttlSecondsAfterFinished: 7 * 24 * 3600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          ...(opts.serviceAccount ? { serviceAccountName: opts.serviceAccount } : {}),
          ...(opts.nodeSelector && Object.keys(opts.nodeSelector).length ? { nodeSelector: opts.nodeSelector } : {}),
          containers: [
            {
              name: "trainer",
              image: opts.image,
              command: ["bash", "-c", command],
              workingDir: opts.trainDir,
              ...(opts.gpus > 0 ? { resources: { limits: { "nvidia.com/gpu": String(opts.gpus) } } } : {}),
              ...(opts.claim ? { volumeMounts: [{ name: "training", mountPath: opts.trainDir }] } : {}),
            },
          ],
          ...(opts.claim ? { volumes: [{ name: "training", persistentVolumeClaim: { claimName: opts.claim } }] } : {}),
        },
      },
    },
  };
}

/** Pure: what a Job's status (and its pod's) says about the run. Evictions and disruptions are transient. */
export function jobState(job: V1Job, pods: V1Pod[]): LaunchState {
  const status = job.status ?? {};
  if ((status.succeeded ?? 0) > 0) return { state: "succeeded" };
  const failed = (status.conditions ?? []).find((c) => (c.type === "Failed" || c.type === "FailureTarget") && c.status === "True");
  if (!failed && !(status.failed ?? 0)) return { state: "running" };
  const pod = pods.find((p) => p.status?.phase === "Failed") ?? pods[0];
  const evicted = pod?.status?.reason === "Evicted" || (pod?.status?.conditions ?? []).some((c) => c.type === "DisruptionTarget" && c.status === "True");
  const terminated = pod?.status?.containerStatuses?.[0]?.state?.terminated;
  const why = [failed?.reason, failed?.message, pod?.status?.reason, pod?.status?.message, terminated ? `container exited with ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ""}` : undefined]
    .filter(Boolean)
    .join("; ");
  if (failed?.reason === "DeadlineExceeded") return { state: "failed", reason: `the Job ran past its deadline (LEGO_TRAIN_TIMEOUT_SEC): ${why}`, transient: false };
  return { state: "failed", reason: evicted ? `the pod was evicted: ${why}` : `the Job failed: ${why || "no reason given"}`, transient: evicted };
}

function apiError(err: unknown, doing: string): LaunchError {
  if (err instanceof ApiException) {
    let message = "";
    try {
      const body = typeof err.body === "string" ? (JSON.parse(err.body) as { message?: string }) : (err.body as { message?: string });
      message = body?.message ?? "";
    } catch {
      message = String(err.body).slice(0, 300);
    }
    const transient = err.code >= 500 || err.code === 429;
    return new LaunchError(`Kubernetes refused ${doing} (HTTP ${err.code}${message ? `: ${message}` : ""})${err.code === 401 || err.code === 403 ? ": check the service account's RBAC or LEGO_TRAIN_K8S_TOKEN" : ""}`, transient);
  }
  return new LaunchError(`the Kubernetes API could not be reached while ${doing}: ${(err as Error).message}`, true);
}

export class KubernetesLauncher implements Launcher {
  readonly kind = "kubernetes" as const;
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  private readonly watcher: Watch;
  private readonly versions = new Map<string, string>();

  constructor(
    private readonly opts: KubernetesLauncherOptions,
    kc: KubeConfig = kubeConfigFor(opts),
  ) {
    this.batch = kc.makeApiClient(BatchV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    this.watcher = new Watch(kc);
  }

  private async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const ms = this.opts.requestTimeoutMs ?? 30_000;
    try {
      return await Promise.race([fn(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)))]);
    } catch (err) {
      throw apiError(err, doing);
    } finally {
      clearTimeout(timer);
    }
  }

  async submit(spec: LaunchSpec): Promise<string> {
    if (!this.opts.image) throw new LaunchError("no trainer image is configured: set LEGO_TRAIN_K8S_IMAGE", false);
    const body = jobManifest(spec, this.opts);
    const job = await this.call(`creating Job ${spec.name}`, () => this.batch.createNamespacedJob({ namespace: this.opts.namespace, body }));
    if (job.metadata?.resourceVersion) this.versions.set(spec.name, job.metadata.resourceVersion);
    return spec.name;
  }

  private async pods(name: string): Promise<V1Pod[]> {
    const list = await this.call(`listing the pods of Job ${name}`, () => this.core.listNamespacedPod({ namespace: this.opts.namespace, labelSelector: `job-name=${name}` }));
    return list.items;
  }

  async poll(_spec: LaunchSpec, name: string): Promise<LaunchState> {
    let job: V1Job;
    try {
      job = await this.call(`reading Job ${name}`, () => this.batch.readNamespacedJobStatus({ name, namespace: this.opts.namespace }));
    } catch (err) {
      if (err instanceof LaunchError && /HTTP 404/.test(err.message)) return { state: "failed", reason: `the Job ${name} no longer exists (deleted outside LegoFactory?)`, transient: false };
      throw err;
    }
    if (job.metadata?.resourceVersion) this.versions.set(name, job.metadata.resourceVersion);
    const state = jobState(job, []);
    return state.state === "failed" ? jobState(job, await this.pods(name)) : state;
  }

  /** A watch on this one Job from the version last seen: any event (or the time-out) ends the wait. */
  async waitForChange(_spec: LaunchSpec, name: string, ms: number): Promise<void> {
    let abort: AbortController | undefined;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      const query: Record<string, string | number> = { fieldSelector: `metadata.name=${name}`, timeoutSeconds: Math.max(1, Math.ceil(ms / 1000)) };
      const rv = this.versions.get(name);
      if (rv) query.resourceVersion = rv;
      this.watcher
        .watch(
          `/apis/batch/v1/namespaces/${this.opts.namespace}/jobs`,
          query,
          (_phase, obj: V1Job) => {
            if (obj?.metadata?.resourceVersion) this.versions.set(name, obj.metadata.resourceVersion);
            resolve();
          },
          () => resolve(),
        )
        .then((a) => (abort = a), () => resolve());
    });
    clearTimeout(timer);
    abort?.abort();
  }

  async logs(_spec: LaunchSpec, name: string): Promise<string> {
    const pods = await this.pods(name);
    const logs: string[] = [];
    for (const pod of pods) {
      const podName = pod.metadata?.name;
      if (!podName || pod.status?.phase === "Pending") continue;
      logs.push(await this.call(`reading the log of pod ${podName}`, () => this.core.readNamespacedPodLog({ name: podName, namespace: this.opts.namespace, container: "trainer" })));
    }
    return logs.join("\n");
  }

  async cancel(_spec: LaunchSpec, name: string): Promise<void> {
    await this.call(`deleting Job ${name}`, () => this.batch.deleteNamespacedJob({ name, namespace: this.opts.namespace, propagationPolicy: "Background" }));
  }

  /** The checkpoint on the shared volume, named pvc://CLAIM/PATH so it means something outside this worker too. */
  async artifacts(spec: LaunchSpec, _id?: string): Promise<Artifacts> {
    const uriOf = (p: string) => (this.opts.claim ? `pvc://${this.opts.claim}/${path.relative(this.opts.trainDir, p)}` : p);
    return readArtifacts(spec.outputDir, uriOf);
  }
}
