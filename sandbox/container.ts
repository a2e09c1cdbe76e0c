import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import type Docker from "dockerode";
import { assertDockerAvailable, assertImageAvailable, statusCode } from "./docker.js";
import { lostContainerReason } from "./engine-failure.js";
import { SandboxExecError } from "./errors.js";
import { killByMarkArgv } from "./kill.js";
import { sandboxLabels } from "./labels.js";
import { hostConfigFor, resolveLimits, type SandboxLimits } from "./limits.js";
import { CappedBuffer, DEFAULT_MAX_OUTPUT_BYTES } from "./output.js";
import { ShellSession, type ShellOptions } from "./shell.js";
import { readTar, tarFile } from "./tar.js";
import { forgetTeardown, recordFailedTeardown, teardownStep } from "./teardown.js";

export interface SandboxCreateOptions {
  image: string;
  limits?: Partial<SandboxLimits>;
  labels?: Record<string, string>;
  env?: Record<string, string>;
  workdir?: string;
  name?: string;
  /** Capabilities granted back after dropping all (image builds that chown or switch users). */
  capAdd?: readonly string[];
}

export interface ExecOptions {
  timeoutMs: number;
  cwd?: string;
  env?: Record<string, string>;
  user?: string;
  stdin?: string | Buffer;
  /** Per stream; the first and last halves are kept. */
  maxOutputBytes?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
}

/** Env var that marks every process of one exec, so a second exec can find and kill them. */
export const EXEC_MARK_VAR = "LEGO_EXEC_ID";
// `timeout` sends TERM at the deadline and KILL this much later.
const KILL_AFTER_S = 2;
// The host stops waiting this long after `timeout` should have killed everything.
const HOST_GUARD_GRACE_MS = 3_000;
const FILE_OP_TIMEOUT_MS = 60_000;

export class Sandbox {
  private destroyed = false;

  private constructor(
    readonly docker: Docker,
    readonly container: Docker.Container,
    readonly limits: SandboxLimits,
  ) {}

  get id(): string {
    return this.container.id;
  }

  static async create(docker: Docker, options: SandboxCreateOptions): Promise<Sandbox> {
    const limits = resolveLimits(options.limits);
    let container: Docker.Container;
    try {
      container = await docker.createContainer({
        Image: options.image,
        ...(options.name ? { name: options.name } : {}),
        // As the entrypoint (not Cmd) so an image's own ENTRYPOINT cannot replace it. Under
        // docker-init, the container ends when the sleep does, and AutoRemove then deletes it.
        Entrypoint: ["sleep", String(Math.ceil(limits.lifetimeSec))],
        Labels: sandboxLabels(options.labels),
        Env: envList(options.env),
        ...(options.workdir ? { WorkingDir: options.workdir } : {}),
        Tty: false,
        OpenStdin: false,
        HostConfig: { ...hostConfigFor(limits, { capAdd: options.capAdd ?? [] }), AutoRemove: true },
      });
    } catch (error) {
      // Turn "no such image" and "no engine" into errors that say how to fix them.
      if (statusCode(error) === 404) await assertImageAvailable(docker, options.image);
      if (statusCode(error) === undefined) await assertDockerAvailable(docker);
      throw error;
    }
    const sandbox = new Sandbox(docker, container, limits);
    try {
      await container.start();
    } catch (error) {
      await sandbox.destroy();
      throw error;
    }
    return sandbox;
  }

  async exec(cmd: string | readonly string[], options: ExecOptions): Promise<ExecResult> {
    const began = performance.now();
    const argv = typeof cmd === "string" ? ["bash", "-c", cmd] : [...cmd];
    const mark = `${EXEC_MARK_VAR}=${randomBytes(8).toString("hex")}`;
    const seconds = (Math.max(options.timeoutMs, 1) / 1000).toFixed(3);
    const withStdin = options.stdin !== undefined;
    const exec = await this.createExec({
      Cmd: ["timeout", `--kill-after=${KILL_AFTER_S}`, "--signal=TERM", seconds, ...argv],
      AttachStdin: withStdin,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      Env: [mark, ...envList(options.env)],
      ...(options.cwd ? { WorkingDir: options.cwd } : {}),
      ...(options.user ? { User: options.user } : {}),
    });

    const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const stdout = new CappedBuffer(limit);
    const stderr = new CappedBuffer(limit);
    const started = performance.now();
    const stream = (await exec.start({ hijack: withStdin, stdin: withStdin })) as Duplex;
    const ended = streamEnded(stream);
    this.docker.modem.demuxStream(stream, stdout.writable(), stderr.writable());
    if (options.stdin !== undefined) stream.end(options.stdin);

    const guardMs = options.timeoutMs + KILL_AFTER_S * 1000 + HOST_GUARD_GRACE_MS;
    const finished = await settlesWithin(ended, guardMs);
    let exitCode: number;
    if (finished) {
      exitCode = await exitCodeOf(exec);
    } else {
      // `timeout` itself is stuck or an escaped descendant holds the output open: kill by mark.
      await this.exec(killByMarkArgv(mark, "KILL"), { timeoutMs: 10_000, ...userOf(options) }).catch(() => undefined);
      stream.destroy();
      exitCode = (await exec.inspect().catch(() => undefined))?.ExitCode ?? 137;
    }
    const elapsed = performance.now() - started;
    return {
      exitCode,
      stdout: stdout.toString(),
      stderr: stderr.toString(),
      // 124 and 137 are what `timeout` returns after TERM and KILL; the clock tells them apart
      // from a command that merely exits with those codes.
      timedOut: !finished || ((exitCode === 124 || exitCode === 137) && elapsed >= options.timeoutMs),
      truncated: stdout.truncated || stderr.truncated,
      durationMs: performance.now() - began,
    };
  }

  async writeFile(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
    const absolute = requireAbsolute(path);
    const archive = tarFile({ name: posix.basename(absolute), content: Buffer.from(content), mode });
    const dir = posix.dirname(absolute);
    try {
      await this.container.putArchive(archive, { path: dir });
    } catch (error) {
      if (statusCode(error) !== 404) throw error;
      await this.mkdirp(dir);
      await this.container.putArchive(archive, { path: dir });
    }
  }

  async readFile(path: string): Promise<Buffer> {
    return this.readFileFollowing(requireAbsolute(path), 0);
  }

  /** Streams the host directory's contents (not the directory itself) into containerDir. */
  async copyIn(hostDir: string, containerDir: string): Promise<void> {
    const target = posix.normalize(requireAbsolute(containerDir));
    // Members are renamed to sit under the target and extracted at "/", which always exists:
    // tar creates the directories, so no `mkdir -p` exec (tens of ms) is needed first. The S
    // flag leaves symlink targets alone (a relative "../x" must stay as it is).
    const prefix = target === "/" ? "." : `.${target}`.replace(/[\\,&]/g, "\\$&");
    // Owner 0 so files land as root-owned rather than under whatever uid the host user has.
    const tar = spawn("tar", ["-C", hostDir, "--owner=0", "--group=0", "--numeric-owner", `--transform=s,^\\.,${prefix},S`, "-cf", "-", "."], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tarErr = new CappedBuffer(16 * 1024);
    tar.stderr.on("data", (chunk: Buffer) => tarErr.push(chunk));
    const tarExit = new Promise<number | null>((resolve, reject) => {
      tar.on("error", reject);
      tar.on("close", resolve);
    });
    const [put, exit] = await Promise.allSettled([this.container.putArchive(tar.stdout, { path: "/" }), tarExit]);
    if (exit.status === "rejected") throw exit.reason;
    if (exit.value !== 0) {
      throw new Error(`tar of ${hostDir} failed (exit ${exit.value}): ${tarErr.toString().trim()}`);
    }
    if (put.status === "rejected") throw put.reason;
  }

  async openShell(options: ShellOptions = {}): Promise<ShellSession> {
    return ShellSession.open(this, options);
  }

  /**
   * Force-removes the container; safe to call twice or after the container is already gone.
   * When the engine is away (restarting), removal is retried a few times; if it still fails the
   * container is recorded (teardown.ts) for the next sweep and `false` is returned, so a
   * teardown in a `finally` never hides the error that brought the caller there.
   */
  async destroy(options: { tries?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<boolean> {
    if (this.destroyed) return true;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let i = 0; ; i++) {
      try {
        await this.container.remove({ force: true });
      } catch (error) {
        const step = teardownStep(error, i, options.tries);
        if (step.kind === "retry") {
          await sleep(step.delayMs);
          continue;
        }
        if (step.kind === "give-up") {
          recordFailedTeardown(this.id, step.reason);
          return false;
        }
      }
      this.destroyed = true;
      forgetTeardown(this.id);
      return true;
    }
  }

  /**
   * After a command returned: throws SandboxExecError when the container is gone or no longer
   * running (the engine restarted or killed it), so its exit code (137, say) is never read as the
   * command's own. Errors reaching the engine propagate as they are (engineFailureOf classifies them).
   */
  async assertRunning(): Promise<void> {
    let info: Docker.ContainerInspectInfo | null;
    try {
      info = await this.container.inspect();
    } catch (error) {
      if (statusCode(error) !== 404) throw error;
      info = null;
    }
    const reason = lostContainerReason(this.id, info && { running: info.State.Running, exitCode: info.State.ExitCode, oomKilled: info.State.OOMKilled });
    if (reason) throw new SandboxExecError(reason);
  }

  /** Creates an exec, turning "container not running" into an error that says so. */
  async createExec(options: Docker.ExecCreateOptions): Promise<Docker.Exec> {
    try {
      return await this.container.exec(options);
    } catch (error) {
      const code = statusCode(error);
      if (code === 404 || code === 409) {
        throw new SandboxExecError(
          `Sandbox ${this.id.slice(0, 12)} is not running (removed, or past its ${this.limits.lifetimeSec} s lifetime); create a new one.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  private async mkdirp(dir: string): Promise<void> {
    const result = await this.exec(["mkdir", "-p", "--", dir], { timeoutMs: FILE_OP_TIMEOUT_MS });
    if (result.exitCode !== 0) {
      throw new SandboxExecError(`mkdir -p ${dir} failed in sandbox (exit ${result.exitCode}): ${result.stderr.trim()}`);
    }
  }

  private async readFileFollowing(path: string, depth: number): Promise<Buffer> {
    let archive: Buffer;
    try {
      archive = await collect(await this.container.getArchive({ path }));
    } catch (error) {
      if (statusCode(error) !== 404) throw error;
      throw Object.assign(new Error(`ENOENT: no such file in sandbox: ${path}`), { code: "ENOENT", path });
    }
    const entry = readTar(archive)[0];
    if (entry?.type === "file") return Buffer.from(entry.data);
    if (entry?.type === "symlink" && depth < 8) {
      return this.readFileFollowing(posix.resolve(posix.dirname(path), entry.linkname), depth + 1);
    }
    throw Object.assign(new Error(`EISDIR: not a regular file in sandbox: ${path}`), { code: "EISDIR", path });
  }
}

function envList(env: Record<string, string> = {}): string[] {
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

function userOf(options: { user?: string }): { user?: string } {
  return options.user ? { user: options.user } : {};
}

function requireAbsolute(path: string): string {
  if (!posix.isAbsolute(path)) throw new TypeError(`sandbox paths must be absolute, got ${path}`);
  return posix.normalize(path);
}

function streamEnded(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", reject);
  });
}

/** Resolves true when `promise` settles (rejection included) within `ms`, false otherwise. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  // The output stream can close a moment before the daemon records the exit code.
  for (let attempt = 0; attempt < 50; attempt++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new SandboxExecError(`exec ${exec.id.slice(0, 12)} closed its output but never reported an exit code`);
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
