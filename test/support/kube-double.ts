// A Kubernetes API double: a real HTTP server speaking the REST protocol @kubernetes/client-node
// uses for Jobs (create, get, get status, watch, delete with background propagation) and their
// pods (list by label, log). It plays the kubelet too: a Job's container command runs on this host
// with bash (so the CPU trainer really trains), its output becomes the pod's log, and its exit
// code decides the pod's phase. Tests can refuse creates, or evict a pod instead of running it.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Obj = Record<string, any>;

export interface KubeDoubleOptions {
  /** Requests must carry `Authorization: Bearer <token>`. */
  token?: string;
}

export type PodScript = { kind: "run" } | { kind: "evict"; afterMs: number };

interface Stored {
  job: Obj;
  pod: Obj;
  log: string;
  proc?: ChildProcess;
}

interface Watcher {
  ns: string;
  name: string | undefined;
  res: ServerResponse;
}

export interface KubeDouble {
  url: string;
  requests: { method: string; path: string }[];
  jobs: Map<string, Stored>;
  /** The next creates answer with this status and message instead. */
  refuseCreates(status: number, message: string): void;
  acceptCreates(): void;
  /** How the next Job's pod behaves (default: run the command). */
  nextPod(script: PodScript): void;
  close(): Promise<void>;
}

function status(code: number, reason: string, message: string, details: Obj = {}): Obj {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, details, code };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export async function startKubeDouble(opts: KubeDoubleOptions = {}): Promise<KubeDouble> {
  const jobs = new Map<string, Stored>();
  const requests: { method: string; path: string }[] = [];
  const watchers = new Set<Watcher>();
  let version = 1000;
  let refusal: { status: number; message: string } | null = null;
  const scripts: PodScript[] = [];
  const key = (ns: string, name: string) => `${ns}/${name}`;

  const bump = (obj: Obj) => {
    obj.metadata.resourceVersion = String(++version);
  };
  const notify = (type: string, stored: Stored) => {
    for (const w of watchers) {
      if (w.ns === stored.job.metadata.namespace && (!w.name || w.name === stored.job.metadata.name)) w.res.write(`${JSON.stringify({ type, object: stored.job })}\n`);
    }
  };
  const change = (stored: Stored, fn: () => void) => {
    fn();
    bump(stored.job);
    bump(stored.pod);
    notify("MODIFIED", stored);
  };

  const finish = (stored: Stored, exitCode: number) => {
    const now = new Date().toISOString();
    change(stored, () => {
      stored.pod.status = { ...stored.pod.status, phase: exitCode === 0 ? "Succeeded" : "Failed", containerStatuses: [{ name: "trainer", state: { terminated: { exitCode, reason: exitCode === 0 ? "Completed" : "Error", finishedAt: now } } }] };
      const s = stored.job.status;
      s.active = 0;
      if (exitCode === 0) {
        s.succeeded = 1;
        s.completionTime = now;
        s.conditions = [{ type: "SuccessCriteriaMet", status: "True", lastTransitionTime: now }, { type: "Complete", status: "True", lastTransitionTime: now }];
      } else {
        s.failed = 1;
        s.conditions = [{ type: "FailureTarget", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", lastTransitionTime: now }, { type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", lastTransitionTime: now }];
      }
    });
  };

  const startPod = (stored: Stored, script: PodScript) => {
    change(stored, () => {
      stored.pod.status = { phase: "Running", startTime: new Date().toISOString() };
      stored.job.status = { active: 1, startTime: new Date().toISOString() };
    });
    if (script.kind === "evict") {
      setTimeout(() => {
        const now = new Date().toISOString();
        change(stored, () => {
          stored.log += "evicted\n";
          stored.pod.status = { phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory.", conditions: [{ type: "DisruptionTarget", status: "True", reason: "TerminationByKubelet" }] };
          stored.job.status = { active: 0, failed: 1, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", lastTransitionTime: now }] };
        });
      }, script.afterMs);
      return;
    }
    const container = stored.job.spec.template.spec.containers[0];
    const [cmd, ...args] = container.command as string[];
    const proc = spawn(cmd as string, args, { cwd: container.workingDir ?? process.cwd(), env: process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    stored.proc = proc;
    proc.stdout?.on("data", (d) => (stored.log += d));
    proc.stderr?.on("data", (d) => (stored.log += d));
    proc.on("error", (err) => {
      stored.log += `exec: ${err.message}\n`;
      finish(stored, 127);
    });
    proc.on("close", (code) => {
      if (jobs.get(key(stored.job.metadata.namespace, stored.job.metadata.name)) === stored) finish(stored, code ?? 137);
    });
  };

  const createJob = (ns: string, body: Obj, res: ServerResponse) => {
    if (refusal) return send(res, refusal.status, status(refusal.status, refusal.status === 403 ? "Forbidden" : "Invalid", refusal.message));
    if (body?.kind !== "Job" || body?.apiVersion !== "batch/v1") return send(res, 400, status(400, "BadRequest", `the object provided is unrecognized (must be of type Job): kind ${body?.kind}`));
    const name = body.metadata?.name;
    const containers = body.spec?.template?.spec?.containers;
    if (!name || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) return send(res, 422, status(422, "Invalid", `Job.batch "${name}" is invalid: metadata.name: Invalid value`));
    if (!Array.isArray(containers) || containers.length === 0 || !containers[0].image) return send(res, 422, status(422, "Invalid", `Job.batch "${name}" is invalid: spec.template.spec.containers[0].image: Required value`));
    if (!["Never", "OnFailure"].includes(body.spec.template.spec.restartPolicy)) return send(res, 422, status(422, "Invalid", `Job.batch "${name}" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"`));
    if (jobs.has(key(ns, name))) return send(res, 409, status(409, "AlreadyExists", `jobs.batch "${name}" already exists`, { name, group: "batch", kind: "jobs" }));
    const uid = randomBytes(8).toString("hex");
    const job: Obj = { ...body, metadata: { ...body.metadata, namespace: ns, uid, creationTimestamp: new Date().toISOString(), labels: { ...body.metadata.labels } }, status: {} };
    const podName = `${name}-${randomBytes(3).toString("hex").slice(0, 5)}`;
    const pod: Obj = { apiVersion: "v1", kind: "Pod", metadata: { name: podName, namespace: ns, labels: { ...body.spec.template.metadata?.labels, "job-name": name, "batch.kubernetes.io/job-name": name, "controller-uid": uid } }, spec: body.spec.template.spec, status: { phase: "Pending" } };
    const stored: Stored = { job, pod, log: "" };
    bump(job);
    bump(pod);
    jobs.set(key(ns, name), stored);
    notify("ADDED", stored);
    send(res, 201, job);
    const script = scripts.shift() ?? { kind: "run" };
    setTimeout(() => startPod(stored, script), 20);
  };

  const watch = (ns: string, url: URL, req: IncomingMessage, res: ServerResponse) => {
    const field = url.searchParams.get("fieldSelector") ?? "";
    const name = /^metadata\.name=(.+)$/.exec(field)?.[1];
    const since = Number(url.searchParams.get("resourceVersion") ?? 0);
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    const w: Watcher = { ns, name, res };
    watchers.add(w);
    // Without a version the current state comes first, as the API server's initial ADDED events.
    for (const stored of jobs.values()) {
      if (stored.job.metadata.namespace === ns && (!name || stored.job.metadata.name === name) && Number(stored.job.metadata.resourceVersion) > since) {
        res.write(`${JSON.stringify({ type: since ? "MODIFIED" : "ADDED", object: stored.job })}\n`);
      }
    }
    const timeout = Number(url.searchParams.get("timeoutSeconds") ?? 300);
    const timer = setTimeout(() => res.end(), timeout * 1000);
    req.on("close", () => {
      clearTimeout(timer);
      watchers.delete(w);
    });
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push({ method: req.method ?? "", path: `${url.pathname}${url.search}` });
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) return send(res, 401, status(401, "Unauthorized", "Unauthorized"));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let m: RegExpExecArray | null;
    if ((m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/.exec(url.pathname))) {
      const ns = m[1] as string;
      if (req.method === "POST") {
        let body: Obj;
        try {
          body = JSON.parse(raw) as Obj;
        } catch {
          return send(res, 400, status(400, "BadRequest", "invalid JSON"));
        }
        return createJob(ns, body, res);
      }
      if (req.method === "GET" && url.searchParams.get("watch") === "true") return watch(ns, url, req, res);
      if (req.method === "GET") return send(res, 200, { kind: "JobList", apiVersion: "batch/v1", metadata: { resourceVersion: String(version) }, items: [...jobs.values()].filter((s) => s.job.metadata.namespace === ns).map((s) => s.job) });
    }
    if ((m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)(\/status)?$/.exec(url.pathname))) {
      const [ns, name] = [m[1] as string, m[2] as string];
      const stored = jobs.get(key(ns, name));
      if (!stored) return send(res, 404, status(404, "NotFound", `jobs.batch "${name}" not found`, { name, group: "batch", kind: "jobs" }));
      if (req.method === "GET") return send(res, 200, stored.job);
      if (req.method === "DELETE") {
        jobs.delete(key(ns, name));
        if (stored.proc?.pid && stored.proc.exitCode === null) {
          try {
            process.kill(-stored.proc.pid, "SIGKILL");
          } catch {
            // gone
          }
        }
        notify("DELETED", stored);
        return send(res, 200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, group: "batch", kind: "jobs", uid: stored.job.metadata.uid } });
      }
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname)) && req.method === "GET") {
      const ns = m[1] as string;
      const selector = /^job-name=(.+)$/.exec(url.searchParams.get("labelSelector") ?? "")?.[1];
      const items = [...jobs.values()].filter((s) => s.pod.metadata.namespace === ns && (!selector || s.pod.metadata.labels["job-name"] === selector)).map((s) => s.pod);
      return send(res, 200, { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: String(version) }, items });
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname)) && req.method === "GET") {
      const stored = [...jobs.values()].find((s) => s.pod.metadata.namespace === m?.[1] && s.pod.metadata.name === m?.[2]);
      if (!stored) return send(res, 404, status(404, "NotFound", `pods "${m[2]}" not found`));
      const container = url.searchParams.get("container");
      if (container && container !== "trainer") return send(res, 400, status(400, "BadRequest", `container ${container} is not valid for pod ${m[2]}`));
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end(stored.log);
    }
    send(res, 404, status(404, "NotFound", `the server could not find the requested resource (${req.method} ${url.pathname})`));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    jobs,
    refuseCreates(code, message) {
      refusal = { status: code, message };
    },
    acceptCreates() {
      refusal = null;
    },
    nextPod(script) {
      scripts.push(script);
    },
    async close() {
      for (const w of watchers) w.res.end();
      for (const s of jobs.values()) {
        if (s.proc?.pid && s.proc.exitCode === null) {
          try {
            process.kill(-s.proc.pid, "SIGKILL");
          } catch {
            // gone
          }
        }
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
