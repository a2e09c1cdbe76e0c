// Runs the real `lego` CLI as a child process, the way a user or a container would.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

export interface LegoProcess {
  url: string;
  proc: ChildProcess;
  /** Every line the process printed (pino JSON on stdout, messages on stderr). */
  lines: string[];
  /** SIGTERM, then the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const bin = path.resolve("bin/lego.js");

export function runLego(args: string[], env: Record<string, string>, cwd: string): ChildProcess {
  return spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Starts `lego <command>` and resolves once it logs the URL it listens on (a worker: once its workers run; `url` is then empty). */
export async function startLego(command: "serve" | "web" | "worker", env: Record<string, string>, cwd: string, timeoutMs = 60_000): Promise<LegoProcess> {
  const proc = runLego([command], { PORT: "0", HOST: "127.0.0.1", ...env }, cwd);
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lego ${command} did not start in ${timeoutMs} ms:\n${lines.join("\n")}`)), timeoutMs);
    const onLine = (line: string) => {
      lines.push(line);
      if (!line.startsWith("{")) return;
      const rec = JSON.parse(line) as { url?: string; msg?: string };
      if (command === "worker" ? rec.msg === "workers started" : rec.url && rec.msg?.startsWith("listening")) {
        clearTimeout(timer);
        resolve(rec.url ?? "");
      }
    };
    for (const stream of [proc.stdout, proc.stderr]) {
      let buf = "";
      stream?.setEncoding("utf8").on("data", (chunk: string) => {
        buf += chunk;
        const parts = buf.split("\n");
        buf = parts.pop() ?? "";
        parts.filter(Boolean).forEach(onLine);
      });
    }
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`lego ${command} exited with ${code} before it was ready:\n${lines.join("\n")}`));
    });
  });
  return {
    url,
    proc,
    lines,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Polls until `fn` returns a value that is not undefined, or fails with `what` after the timeout. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
