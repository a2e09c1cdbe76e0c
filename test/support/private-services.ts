// Private copies of the shared services for fault runs, on their own ports and sockets, so a
// run can stop and restart them without touching the Postgres, Redis and Docker engine other
// suites share: a redis-server (AOF on), a PostgreSQL cluster made with initdb in a temp
// directory, and a dockerd with its own data root, socket and no bridge.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import { createServer, Socket } from "node:net";
import path from "node:path";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
    s.connect(port, "127.0.0.1");
  });
}

async function stopProcess(p: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once("exit", r));
  p.kill(signal);
  await exited;
}

export class PrivateRedis {
  private proc: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.proc = spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(this.port), "--dir", this.dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always"], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      if (await canConnect(this.port)) return;
      await sleep(50);
    }
    throw new Error(`private redis on ${this.port} did not start`);
  }
  async stop(): Promise<void> {
    await stopProcess(this.proc, "SIGTERM");
  }
}

/** The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root) ? readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
  const dir = majors.map((m) => path.join(root, m, "bin")).find((d) => existsSync(path.join(d, "initdb")));
  if (!dir) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install postgresql (deploy/provision.sh does)");
  return dir;
}

/**
 * A PostgreSQL cluster of its own (initdb in `dir`, trust auth, loopback only). initdb and the
 * server refuse to run as root, so as root they run as the `postgres` user, who owns `dir`.
 * stop() is a fast shutdown (what `pg_ctl restart` does): clients are disconnected, open
 * transactions roll back, committed ones stay.
 */
export class PrivatePostgres {
  private proc: ChildProcess | undefined;
  private readonly bin = postgresBinDir();
  private readonly data: string;
  private readonly ids: { uid: number; gid: number } | undefined;
  readonly lines: string[] = [];

  /** Its own temp directory (the server's user must reach it: not under another 0700 one). */
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), "lego-pg-"));

  constructor(readonly port: number) {
    this.data = path.join(this.dir, "pgdata");
    this.ids = process.getuid?.() === 0 ? { uid: Number(execFileSync("id", ["-u", "postgres"]).toString()), gid: Number(execFileSync("id", ["-g", "postgres"]).toString()) } : undefined;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async init(): Promise<void> {
    mkdirSync(this.data, { recursive: true });
    if (this.ids) {
      chownSync(this.dir, this.ids.uid, this.ids.gid);
      chownSync(this.data, this.ids.uid, this.ids.gid);
    }
    try {
      execFileSync(path.join(this.bin, "initdb"), ["-D", this.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], {
        stdio: "pipe",
        cwd: this.dir,
        ...(this.ids ?? {}),
      });
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(`initdb in ${this.data} failed: ${e.stderr?.toString().trim() || e.message}`);
    }
  }

  /** Stops the server and deletes its files. */
  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async start(timeoutMs = 60_000): Promise<void> {
    // fsync off: the server is stopped, never the machine, so the page cache keeps what was written.
    const args = ["-D", this.data, "-p", String(this.port), "-k", this.dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200", "-c", "shared_buffers=32MB"];
    const proc = spawn(path.join(this.bin, "postgres"), args, { cwd: this.dir, stdio: ["ignore", "pipe", "pipe"], ...(this.ids ?? {}) });
    this.proc = proc;
    for (const s of [proc.stdout, proc.stderr]) s?.setEncoding("utf8").on("data", (c: string) => this.lines.push(...c.split("\n").filter(Boolean)));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`private postgres on ${this.port} exited with ${proc.exitCode}:\n${this.lines.slice(-20).join("\n")}`);
      try {
        execFileSync(path.join(this.bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(this.port), "-U", "postgres", "-q"], { stdio: "ignore" });
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`private postgres on ${this.port} did not accept connections in ${timeoutMs} ms:\n${this.lines.slice(-20).join("\n")}`);
  }

  /** SIGINT: PostgreSQL's fast shutdown. */
  async stop(): Promise<void> {
    await stopProcess(this.proc, "SIGINT");
  }
}

/** Where a saved copy of the base image is kept between runs (a `docker save` of the shared engine's, once). */
export const DOCKERD_IMAGE_CACHE = path.join(os.tmpdir(), "lego-dockerd-cache");

/**
 * A Docker engine of its own: socket, data root, exec root and pid file under
 * /tmp/lego-dockerd-<id>, its own managed containerd and namespace, no iptables and no bridge.
 * It runs in a network namespace of its own (`unshare --net`): with `--bridge none` dockerd
 * deletes any interface named docker0 it can see, which in the host namespace is the shared
 * engine's bridge. stop() is SIGTERM (what a daemon restart does: its containers are stopped);
 * start() again on the same data root keeps the images.
 */
export class PrivateDockerd {
  private proc: ChildProcess | undefined;
  readonly dir: string;
  readonly lines: string[] = [];

  constructor(readonly id: string = `${process.pid}-${Date.now().toString(36)}`) {
    this.dir = path.join(os.tmpdir(), `lego-dockerd-${id}`);
  }

  get socket(): string {
    return `${this.dir}.sock`;
  }

  get host(): string {
    return `unix://${this.socket}`;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const args = ["--net", "dockerd", "--host", this.host, "--data-root", path.join(this.dir, "data"), "--exec-root", path.join(this.dir, "exec"), "--pidfile", path.join(this.dir, "pid"), "--bridge", "none", "--iptables=false", "--ip6tables=false", "--containerd-namespace", `lego-${this.id}`, "--containerd-plugins-namespace", `lego-${this.id}-plugins`];
    const proc = spawn("unshare", args, { stdio: ["ignore", "pipe", "pipe"] });
    this.proc = proc;
    for (const s of [proc.stdout, proc.stderr]) s?.setEncoding("utf8").on("data", (c: string) => this.lines.push(...c.split("\n").filter(Boolean)));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`private dockerd ${this.id} exited with ${proc.exitCode}:\n${this.lines.slice(-20).join("\n")}`);
      try {
        execFileSync("docker", ["-H", this.host, "version", "--format", "{{.Server.Version}}"], { stdio: "ignore", timeout: 5_000 });
        return;
      } catch {
        await sleep(200);
      }
    }
    throw new Error(`private dockerd ${this.id} did not answer in ${timeoutMs} ms:\n${this.lines.slice(-20).join("\n")}`);
  }

  /** SIGTERM and wait: the daemon stops its containers and exits, as on a restart. */
  async stop(): Promise<void> {
    await stopProcess(this.proc, "SIGTERM");
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /**
   * Loads `image` from the shared engine through a tar cached in DOCKERD_IMAGE_CACHE (saved once,
   * read-only use of the shared engine).
   */
  loadImage(image: string): void {
    mkdirSync(DOCKERD_IMAGE_CACHE, { recursive: true });
    const tar = path.join(DOCKERD_IMAGE_CACHE, `${image.replace(/[^A-Za-z0-9._-]/g, "_")}.tar`);
    if (!existsSync(tar)) {
      const part = `${tar}.${process.pid}.part`;
      execFileSync("docker", ["-H", "unix:///var/run/docker.sock", "save", image, "-o", part], { stdio: "pipe", timeout: 300_000 });
      renameSync(part, tar);
    }
    execFileSync("docker", ["-H", this.host, "load", "-i", tar], { stdio: "pipe", timeout: 300_000 });
  }

  /** Stops the daemon and deletes its data root (overlay mounts are gone once it exited). */
  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.socket, { force: true });
  }
}
