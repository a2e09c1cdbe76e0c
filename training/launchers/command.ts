// The command launcher: a command template (`torchrun …`, `llamafactory-cli train {yaml}`,
// `sky jobs launch …`, `sbatch --wait …`) run by bash as a child process in its own process
// group, its output streamed to a log file that outlives it.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { shQuote } from "../../sandbox/quote.js";
import { type Artifacts, fillTemplate, LaunchError, type Launcher, type LaunchSpec, type LaunchState, templateValues } from "./types.js";

export interface CommandLauncherOptions {
  template: string;
  /** Working directory of the command. */
  cwd: string;
  /** Extra environment (PYTHONPATH for the bundled trainer). */
  env?: Record<string, string>;
  /** Wall-clock limit; the process group is killed after it. */
  timeoutMs: number;
  /** Where each run's log goes: LOGDIR/<name>.log. */
  logDir: string;
}

interface Child {
  proc: ChildProcess;
  logPath: string;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  timedOut: boolean;
  cancelled: boolean;
  spawnError: string | null;
  changed: Promise<void>;
  timer: NodeJS.Timeout;
}

export class CommandLauncher implements Launcher {
  readonly kind = "command" as const;
  private readonly children = new Map<string, Child>();

  constructor(private readonly opts: CommandLauncherOptions) {}

  logPath(spec: LaunchSpec): string {
    return path.join(this.opts.logDir, `${spec.name}.log`);
  }

  async submit(spec: LaunchSpec): Promise<string> {
    if (!this.opts.template.trim()) throw new LaunchError("no training command is configured: set LEGO_TRAIN_COMMAND (e.g. `llamafactory-cli train {config}`)", false);
    const command = fillTemplate(this.opts.template, templateValues(spec), shQuote);
    await mkdir(this.opts.logDir, { recursive: true });
    await mkdir(spec.outputDir, { recursive: true });
    const logPath = this.logPath(spec);
    const log = createWriteStream(logPath, { flags: "a" });
    await new Promise<void>((resolve, reject) => log.once("open", () => resolve()).once("error", reject));
    log.write(`$ ${command}\n`);
    const proc = spawn("bash", ["-c", command], { cwd: this.opts.cwd, env: { ...process.env, ...this.opts.env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    proc.stdout?.pipe(log, { end: false });
    proc.stderr?.pipe(log, { end: false });
    const child: Child = {
      proc,
      logPath,
      exit: null,
      timedOut: false,
      cancelled: false,
      spawnError: null,
      changed: Promise.resolve(),
      timer: setTimeout(() => {
        child.timedOut = true;
        this.killGroup(proc);
      }, this.opts.timeoutMs),
    };
    child.timer.unref();
    child.changed = new Promise<void>((resolve) => {
      proc.once("error", (err) => {
        child.spawnError = err.message;
        child.exit ??= { code: null, signal: null };
        resolve();
      });
      proc.once("close", (code, signal) => {
        clearTimeout(child.timer);
        child.exit = { code, signal };
        log.end(`\n[lego] exit ${code ?? signal}\n`);
        resolve();
      });
    });
    const id = `pid-${proc.pid ?? "none"}-${spec.name}`;
    this.children.set(id, child);
    return id;
  }

  private killGroup(proc: ChildProcess): void {
    if (proc.pid === undefined || proc.exitCode !== null) return;
    try {
      process.kill(-proc.pid, "SIGTERM");
      setTimeout(() => {
        try {
          process.kill(-(proc.pid as number), "SIGKILL");
        } catch {
          // already gone
        }
      }, 10_000).unref();
    } catch {
      // already gone
    }
  }

  async poll(_spec: LaunchSpec, id: string): Promise<LaunchState> {
    const child = this.children.get(id);
    // This process did not start it: the worker that did was restarted, and the run died with it.
    if (!child) return { state: "failed", reason: "the worker that started this command is gone (restarted or stopped), and the command with it", transient: true };
    if (!child.exit) return { state: "running" };
    if (child.spawnError) return { state: "failed", reason: `the command could not start: ${child.spawnError}`, transient: false };
    if (child.timedOut) return { state: "failed", reason: `the command ran past its ${Math.round(this.opts.timeoutMs / 1000)} s limit (LEGO_TRAIN_TIMEOUT_SEC) and was stopped`, transient: false };
    if (child.cancelled) return { state: "failed", reason: "cancelled", transient: false };
    const { code, signal } = child.exit;
    if (code === 0) return { state: "succeeded" };
    if (code === 127) return { state: "failed", reason: "the command was not found (exit 127): check LEGO_TRAIN_COMMAND and the PATH of the worker", transient: false };
    if (signal) return { state: "failed", reason: `the command was killed by ${signal}`, transient: signal === "SIGKILL" ? false : true };
    return { state: "failed", reason: `the command exited with ${code}`, transient: false };
  }

  async waitForChange(_spec: LaunchSpec, id: string, ms: number): Promise<void> {
    const child = this.children.get(id);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([child?.changed ?? Promise.resolve(), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  async logs(spec: LaunchSpec, id: string): Promise<string> {
    const file = this.children.get(id)?.logPath ?? this.logPath(spec);
    return existsSync(file) ? readFile(file, "utf8") : "";
  }

  async cancel(_spec: LaunchSpec, id: string): Promise<void> {
    const child = this.children.get(id);
    if (!child || child.exit) return;
    child.cancelled = true;
    this.killGroup(child.proc);
    await child.changed;
  }

  async artifacts(spec: LaunchSpec, _id?: string): Promise<Artifacts> {
    return readArtifacts(spec.outputDir, (p) => p);
  }
}

/** result.json when the trainer wrote one; otherwise the output directory if anything is in it. */
export async function readArtifacts(outputDir: string, uriOf: (p: string) => string): Promise<Artifacts> {
  let result: Record<string, unknown> | null = null;
  try {
    result = JSON.parse(await readFile(path.join(outputDir, "result.json"), "utf8")) as Record<string, unknown>;
  } catch {
    result = null;
  }
  const checkpoint = typeof result?.checkpoint === "string" && existsSync(result.checkpoint) ? result.checkpoint : null;
  if (checkpoint) return { checkpointUri: uriOf(checkpoint), result };
  const entries = await readdir(outputDir).catch(() => [] as string[]);
  const files = entries.filter((e) => e !== "result.json" && !e.endsWith(".tmp"));
  return { checkpointUri: files.length > 0 && result?.status !== "failed" ? uriOf(outputDir) : null, result };
}
