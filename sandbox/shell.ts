import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import { Writable } from "node:stream";
import type Docker from "dockerode";
import { SandboxExecError, SandboxTimeoutError } from "./errors.js";
import { killByMarkArgv } from "./kill.js";
import { CappedBuffer, DEFAULT_MAX_OUTPUT_BYTES } from "./output.js";

/** What a shell needs of its sandbox; the Sandbox in container.ts provides it. */
export interface ShellHost {
  readonly id: string;
  readonly docker: Docker;
  createExec(options: Docker.ExecCreateOptions): Promise<Docker.Exec>;
  /** A separate one-off command, used to kill a shell that will not stop. */
  exec(argv: readonly string[], options: { timeoutMs: number; user?: string }): Promise<unknown>;
}

export interface ShellOptions {
  cwd?: string;
  env?: Record<string, string>;
  user?: string;
  /** How long to wait for bash to answer its first marker. */
  startTimeoutMs?: number;
}

export interface ShellRunOptions {
  timeoutMs: number;
  maxOutputBytes?: number;
}

export interface ShellResult {
  /** stdout and stderr interleaved as the command wrote them. */
  output: string;
  exitCode: number;
  timedOut: boolean;
  durationMs: number;
  truncated: boolean;
}

/** Env var carried by every process of one shell command, so a timeout can kill exactly those. */
export const SHELL_MARK_VAR = "LEGO_SHELL_CMD";
// After a timeout: TERM the command, then KILL it, then kill the shell, each after this grace.
const ESCALATE_MS = 2_000;
// Room kept unscanned at a chunk's end for a marker split across chunks: marker, space, int, \n.
const SCAN_TAIL_EXTRA = 16;

interface Pending {
  marker: Buffer;
  mark: string;
  output: CappedBuffer;
  scan: Buffer;
  started: number;
  timedOut: boolean;
  /** Timeout escalation reached: 1 TERM sent, 2 KILL sent, 3 shell killed, 4 stream dropped. */
  stage: number;
  timer: NodeJS.Timeout | undefined;
  resolve: (code: number) => void;
}

/**
 * One long-lived `bash` per session: cwd, variables and functions persist between commands and
 * a command costs one round trip on an open stream instead of a docker exec. Each command is
 * followed by a fresh random end marker that carries `$?`; the run resolves when it arrives.
 */
export class ShellSession {
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private stray = new CappedBuffer(DEFAULT_MAX_OUTPUT_BYTES);
  private deadReason: string | undefined;
  private streamClosed = false;
  private shellPid = 0;

  private constructor(
    private readonly sandbox: ShellHost,
    private readonly exec: Docker.Exec,
    private readonly stream: Duplex,
    private readonly user: string | undefined,
  ) {}

  static async open(sandbox: ShellHost, options: ShellOptions = {}): Promise<ShellSession> {
    const exec = await sandbox.createExec({
      Cmd: ["bash", "--noprofile", "--norc"],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      Env: Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`),
      ...(options.cwd ? { WorkingDir: options.cwd } : {}),
      ...(options.user ? { User: options.user } : {}),
    });
    const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
    const session = new ShellSession(sandbox, exec, stream, options.user);
    session.attach();
    // The first "command" merges stderr into stdout for good and reports the shell's own PID.
    const pid = await session.send("exec 2>&1", "$$", options.startTimeoutMs ?? 10_000);
    if (pid.timedOut || session.deadReason) {
      await session.close();
      throw new SandboxTimeoutError(
        `bash did not start in sandbox ${sandbox.id.slice(0, 12)} within ${options.startTimeoutMs ?? 10_000} ms` +
          (session.deadReason ? ` (${session.deadReason})` : ""),
      );
    }
    session.shellPid = pid.exitCode;
    return session;
  }

  get alive(): boolean {
    return this.deadReason === undefined;
  }

  /** Runs one command (any bash, multi-line and here-docs included); calls are serialised. */
  run(command: string, options: ShellRunOptions): Promise<ShellResult> {
    const result = this.queue.then(() => {
      if (this.deadReason) {
        throw new SandboxExecError(
          `The shell session in sandbox ${this.sandbox.id.slice(0, 12)} has ended (${this.deadReason}); open a new one with sandbox.openShell().`,
        );
      }
      return this.send(command, '"$?"', options.timeoutMs, options.maxOutputBytes);
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Ends bash; a command still running is cut off and resolves with what it printed. */
  async close(): Promise<void> {
    this.deadReason ??= "closed";
    if (this.streamClosed) return;
    const closed = new Promise<void>((resolve) => this.stream.once("close", resolve));
    this.stream.end("exit 0\n");
    const timer = setTimeout(() => this.stream.destroy(), ESCALATE_MS);
    await closed;
    clearTimeout(timer);
  }

  private attach(): void {
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        this.onOutput(chunk);
        callback();
      },
    });
    // After `exec 2>&1` everything arrives on stdout; stderr only carries bash's start-up noise.
    this.sandbox.docker.modem.demuxStream(this.stream, sink, sink);
    this.stream.once("close", () => this.onClosed());
    this.stream.once("end", () => this.onClosed());
    this.stream.on("error", () => this.onClosed());
  }

  private send(command: string, status: string, timeoutMs: number, maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES): Promise<ShellResult> {
    const id = randomBytes(12).toString("hex");
    // printf joins the two halves, so an echo of this line (set -v, set -x) never matches.
    const marker = Buffer.from(`__LEGO_${id}_END__ `);
    const mark = `${SHELL_MARK_VAR}=${id}`;
    const output = new CappedBuffer(maxOutputBytes);
    if (this.stray.totalBytes > 0) {
      output.push(this.stray.toBuffer());
      this.stray = new CappedBuffer(DEFAULT_MAX_OUTPUT_BYTES);
    }
    // eval of a single-quoted string: an unbalanced quote or a bad here-doc fails inside eval
    // instead of swallowing the marker line. stdin is /dev/null so nothing the command runs
    // can read the protocol stream. The mark variable reaches every child, not the shell.
    const script =
      `${mark} eval '${command.replaceAll("'", `'\\''`)}' </dev/null\n` +
      `printf '%s_%s %d\\n' __LEGO_${id} END__ ${status}\n`;
    return new Promise<ShellResult>((resolve) => {
      const pending: Pending = {
        marker,
        mark,
        output,
        scan: Buffer.alloc(0),
        started: performance.now(),
        timedOut: false,
        stage: 0,
        timer: undefined,
        resolve: (code) => {
          clearTimeout(pending.timer);
          this.pending = undefined;
          resolve({
            output: output.toString(),
            exitCode: code,
            timedOut: pending.timedOut,
            durationMs: performance.now() - pending.started,
            truncated: output.truncated,
          });
        },
      };
      this.pending = pending;
      pending.timer = setTimeout(() => this.escalate(pending), timeoutMs);
      this.stream.write(script);
    });
  }

  private onOutput(chunk: Buffer): void {
    const pending = this.pending;
    if (!pending) {
      // A background job writing between commands: shown with the next command's output.
      this.stray.push(chunk);
      return;
    }
    pending.scan = pending.scan.length === 0 ? chunk : Buffer.concat([pending.scan, chunk]);
    const at = pending.scan.indexOf(pending.marker);
    if (at === -1) {
      const keep = pending.marker.length + SCAN_TAIL_EXTRA;
      if (pending.scan.length > keep) {
        pending.output.push(pending.scan.subarray(0, pending.scan.length - keep));
        pending.scan = Buffer.from(pending.scan.subarray(pending.scan.length - keep));
      }
      return;
    }
    const newline = pending.scan.indexOf(0x0a, at + pending.marker.length);
    if (newline === -1) return;
    pending.output.push(pending.scan.subarray(0, at));
    const status = Number(pending.scan.subarray(at + pending.marker.length, newline).toString("latin1"));
    const rest = pending.scan.subarray(newline + 1);
    if (rest.length > 0) this.stray.push(Buffer.from(rest));
    pending.resolve(this.exitCodeFor(pending, status));
  }

  private exitCodeFor(pending: Pending, status: number): number {
    // Report what coreutils `timeout` would: 124 when TERM sufficed, 137 when KILL was needed.
    if (!pending.timedOut) return status;
    return pending.stage >= 2 ? 137 : 124;
  }

  /** On timeout: TERM the command's processes, then KILL them, then kill the shell itself. */
  private escalate(pending: Pending): void {
    if (this.pending !== pending) return;
    pending.timedOut = true;
    pending.stage += 1;
    pending.timer = setTimeout(() => this.escalate(pending), ESCALATE_MS);
    switch (pending.stage) {
      case 1:
        void this.kill(killByMarkArgv(pending.mark, "TERM"));
        break;
      case 2:
        void this.kill(killByMarkArgv(pending.mark, "KILL"));
        break;
      case 3:
        // Nothing of the command is left to signal (say, a builtin loop in the shell itself).
        // The PID is 0 only while bash has not answered its first marker.
        if (this.shellPid > 0) {
          void this.kill(["kill", "-KILL", String(this.shellPid)]);
          break;
        }
        this.stream.destroy();
        break;
      default:
        this.stream.destroy();
    }
  }

  private async kill(argv: string[]): Promise<void> {
    await this.sandbox
      .exec(argv, { timeoutMs: 10_000, ...(this.user ? { user: this.user } : {}) })
      .catch(() => undefined);
  }

  private onClosed(): void {
    if (this.streamClosed) return;
    this.streamClosed = true;
    this.deadReason ??= "bash exited";
    const pending = this.pending;
    if (!pending) return;
    if (pending.scan.length > 0) pending.output.push(pending.scan);
    void this.exec
      .inspect()
      .then((info) => info.ExitCode, () => null)
      .then((code) => {
        const status = code ?? 137;
        if (this.deadReason === "bash exited") this.deadReason = `bash exited with status ${status}`;
        pending.resolve(pending.timedOut ? 137 : status);
      });
  }
}
