// The rollout's one persistent shell in the sandbox, and everything the agent does through it:
// bash commands, file reads and writes for the editor (base64 over the open stream, ~1 ms each
// instead of a docker exec), directory listings, and the final patch.
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import type { Sandbox, ShellSession } from "../../sandbox/index.js";
import { engineFailureOf } from "../../sandbox/engine-failure.js";
import { shQuote } from "../../sandbox/quote.js";
import { isEnvName } from "../environment/shell.js";
import type { FileRead, Files } from "./editor-tool.js";

/** The sandbox could not give us a working shell; the rollout cannot go on. */
export class SandboxFailure extends Error {}

/** A file operation that ran but failed (permissions, a full disk); told to the model. */
export class FileOpError extends Error {}

export interface BashRun {
  output: string;
  exitCode: number;
  timedOut: boolean;
  /** After the command; null when the shell had to be restarted. */
  cwd: string | null;
  python: string | null;
  /** Set when the shell died (during this command or before it) and a fresh one was started. */
  restarted: string | null;
}

// Past this the shell layer drops the middle of an output; the model sees 30 000 chars anyway.
const COMMAND_OUTPUT_BYTES = 2 * 1024 * 1024;
const MAX_FILE_BYTES = 10 * 1024 * 1024;
const FILE_OP_TIMEOUT_MS = 60_000;
const PATCH_TIMEOUT_MS = 300_000;
const PATCH_OUTPUT_BYTES = 256 * 1024 * 1024;
// Our own git calls read the repository whoever owns its files (git refuses "dubious ownership").
const TRUST_REPO = "export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0='*'";
// Names a clean environment keeps besides the image's own ENV: bash's bookkeeping and what
// `env -i` users pass back in.
const KEEP_ENV = ["PATH", "HOME", "LANG", "TERM", "HOSTNAME", "PWD", "OLDPWD", "SHLVL", "_"];

export class Workspace implements Files {
  private pendingRestart: string | null = null;

  private constructor(
    private readonly sandbox: Sandbox,
    readonly repoDir: string,
    private readonly keepEnv: string[],
    private shell: ShellSession,
  ) {}

  /** Opens the shell in `repoDir` with a clean environment: nothing but the image's ENV and basics. */
  static async open(sandbox: Sandbox, repoDir: string): Promise<Workspace> {
    const keep = [...new Set([...KEEP_ENV, ...(await imageEnvNames(sandbox))])];
    return new Workspace(sandbox, repoDir, keep, await openClean(sandbox, repoDir, keep));
  }

  async close(): Promise<void> {
    await this.shell.close().catch(() => undefined);
  }

  async bash(command: string, timeoutMs: number): Promise<BashRun> {
    await this.ensureShell();
    let result;
    try {
      result = await this.shell.run(command, { timeoutMs, maxOutputBytes: COMMAND_OUTPUT_BYTES });
    } catch (error) {
      // The shell died between the check and the run: the engine's failure ends the rollout.
      await this.assertSandbox(error);
      await this.restart(`the shell ended (${(error as Error).message})`);
      return { output: "The command was not run; run it again.", exitCode: -1, timedOut: false, cwd: null, python: null, restarted: this.takeRestartNote() };
    }
    if (!this.shell.alive) {
      // The container killed under the command (a Docker restart) ends the shell too: that is
      // an infra failure, never an exit code for the model to read.
      await this.assertSandbox();
      // A timeout can end in killing bash itself (a builtin loop); `exit` ends it too.
      await this.restart(result.timedOut ? "the timed-out command could only be stopped by killing the shell" : "the command ended the shell");
      return { ...pick(result), cwd: null, python: null, restarted: this.takeRestartNote() };
    }
    const { cwd, python } = await this.whereabouts();
    return { ...pick(result), cwd, python, restarted: this.takeRestartNote() };
  }

  /** The shell's cwd and Python, for the lines OpenHands appends to every command's output. */
  private async whereabouts(): Promise<{ cwd: string | null; python: string | null }> {
    try {
      const { payload } = await this.script(`printf '%s\\n' "$PWD"; command -v python || command -v python3 || true`, FILE_OP_TIMEOUT_MS);
      const [cwd = "", python = ""] = payload.split("\n");
      return { cwd: cwd || null, python: python.trim() || null };
    } catch (error) {
      if (error instanceof FileOpError) return { cwd: null, python: null };
      throw error;
    }
  }

  async read(path: string): Promise<FileRead> {
    const p = shQuote(path);
    const { payload } = await this.script(
      `if [ -d ${p} ]; then echo directory; elif [ -f ${p} ]; then s=$(stat -Lc %s -- ${p}) || exit 1; ` +
        `if [ "$s" -gt ${MAX_FILE_BYTES} ]; then echo "large $s"; else echo file; base64 -w0 -- ${p} || exit 1; fi; ` +
        `elif [ -e ${p} ]; then echo other; else echo missing; fi`,
      FILE_OP_TIMEOUT_MS,
      MAX_FILE_BYTES * 2,
    );
    const newline = payload.indexOf("\n");
    const kind = newline === -1 ? payload : payload.slice(0, newline);
    if (kind === "directory" || kind === "missing") return { kind };
    if (kind === "other") return { kind: "unreadable", reason: `${path} is not a regular file or directory.` };
    if (kind.startsWith("large ")) {
      return { kind: "unreadable", reason: `${path} is ${kind.slice(6)} bytes, over the editor's ${MAX_FILE_BYTES}-byte limit; use execute_bash (grep -n, sed -n) instead.` };
    }
    if (kind !== "file") throw new FileOpError(`Could not read ${path}: ${payload.trim()}`);
    const bytes = Buffer.from(payload.slice(newline + 1), "base64");
    if (bytes.includes(0)) return { kind: "unreadable", reason: `${path} is a binary file; the editor only handles text.` };
    try {
      return { kind: "file", content: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
    } catch {
      return { kind: "unreadable", reason: `${path} is not valid UTF-8 text; edit it with execute_bash instead.` };
    }
  }

  async write(path: string, content: string): Promise<void> {
    const dir = posix.dirname(path);
    const lines = [
      `mkdir -p -- ${shQuote(dir)} || exit 1`,
      // `>|` writes even under the model's `set -o noclobber`; an existing file keeps its mode.
      `printf '%s' '${Buffer.from(content, "utf8").toString("base64")}' | base64 -d >| ${shQuote(path)} || exit 1`,
    ];
    // Python trusts a .pyc whose recorded source mtime (whole seconds) and size match: an edit
    // that keeps the size within a second of the last import would run the old code.
    if (path.endsWith(".py")) lines.push(`rm -f -- ${shQuote(`${dir}/__pycache__/${posix.basename(path, ".py")}`)}.*.pyc 2>/dev/null || true`);
    await this.script(lines.join("\n"), FILE_OP_TIMEOUT_MS);
  }

  async remove(path: string): Promise<void> {
    await this.script(`rm -f -- ${shQuote(path)}`, FILE_OP_TIMEOUT_MS);
  }

  async list(path: string): Promise<{ entries: string[]; hidden: number }> {
    const root = path.length > 1 ? path.replace(/\/+$/, "") : path;
    const p = shQuote(root);
    const { payload } = await this.script(
      `find -L ${p} -mindepth 1 -maxdepth 1 -name '.*' 2>/dev/null | wc -l; ` +
        `find -L ${p} -maxdepth 2 -not \\( -path ${shQuote(`${root}/.*`)} -o -path ${shQuote(`${root}/*/.*`)} \\) ` +
        `\\( -type d -printf '%p/\\n' -o -printf '%p\\n' \\) 2>/dev/null | LC_ALL=C sort`,
      FILE_OP_TIMEOUT_MS,
    );
    const [hidden = "0", ...entries] = payload.split("\n").filter((line) => line !== "");
    return { entries, hidden: Number(hidden.trim()) || 0 };
  }

  /** `git rev-parse HEAD` of the repository, or null when it has no commit. */
  async headCommit(): Promise<string | null> {
    const { payload } = await this.script(`${TRUST_REPO}; git -C ${shQuote(this.repoDir)} rev-parse --verify -q HEAD || true`, FILE_OP_TIMEOUT_MS);
    const sha = payload.trim();
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
  }

  /**
   * The working tree against `base` (the commit the rollout started from, so commits the agent
   * made are included), new files too, through a throwaway index: the repository's own index
   * and staging area are left as the agent left them.
   */
  async patch(base: string | null): Promise<string> {
    const repo = shQuote(this.repoDir);
    const { payload } = await this.script(
      [
        "set -o pipefail",
        TRUST_REPO,
        `cd ${repo} || exit 1`,
        "idx=$(mktemp) || exit 1",
        `trap 'rm -f "$idx" "$idx.err"' EXIT`,
        // Starting from a copy of the real index reuses its stat data: only changed files are hashed.
        `cp "$(git rev-parse --git-dir)/index" "$idx" 2>/dev/null || rm -f "$idx"`,
        `export GIT_INDEX_FILE="$idx"`,
        `git add -A . 2>"$idx.err" || { cat "$idx.err"; exit 1; }`,
        `git -c core.quotepath=false diff --cached --binary --full-index --no-color --no-ext-diff --no-textconv ${base ?? ""} 2>"$idx.err" | base64 -w0 || { cat "$idx.err"; exit 1; }`,
      ].join("\n"),
      PATCH_TIMEOUT_MS,
      PATCH_OUTPUT_BYTES,
    );
    return Buffer.from(payload, "base64").toString("utf8");
  }

  /**
   * Runs `body` in a subshell between unique markers, so nothing the model left behind (a
   * background job's output, `set -x` tracing, `set -e`, a changed cwd) can corrupt or end it.
   * The markers are printed in two halves so an echo of the script never matches.
   */
  private async script(body: string, timeoutMs: number, maxOutputBytes = 1024 * 1024): Promise<{ payload: string }> {
    await this.ensureShell();
    const id = `__LEGO_AGENT_${randomBytes(8).toString("hex")}`;
    const command =
      `if ( set +xv; printf '%s_%s\\n' ${id} BEGIN__; ${body}\n); then __lego_s=0; else __lego_s=$?; fi; ` +
      `printf '\\n%s_%s %d\\n' ${id} END__ "$__lego_s"; unset __lego_s`;
    let result;
    try {
      result = await this.shell.run(command, { timeoutMs, maxOutputBytes });
    } catch (error) {
      await this.assertSandbox(error);
      await this.restart(`the shell ended (${(error as Error).message})`);
      throw new FileOpError("The shell session ended during a file operation; it has been restarted. Retry the action.");
    }
    const begin = result.output.indexOf(`${id}_BEGIN__\n`);
    const end = result.output.lastIndexOf(`\n${id}_END__ `);
    if (begin === -1 || end === -1 || end < begin) {
      if (!this.shell.alive) {
        await this.assertSandbox();
        await this.restart("the shell ended during a file operation");
      }
      throw new FileOpError(
        result.timedOut ? `A file operation timed out after ${timeoutMs / 1000} s.` : "A file operation produced output too large to read back.",
      );
    }
    const payload = result.output.slice(begin + id.length + "_BEGIN__\n".length, end);
    const status = Number(result.output.slice(end + id.length + "_END__ ".length + 1).trim());
    if (status !== 0) throw new FileOpError(payload.trim() || `exit status ${status}`);
    return { payload };
  }

  /**
   * Throws SandboxFailure when the engine failed (`error`, if the shell threw, is one of its
   * errors) or the container is no longer running; returns when only the shell ended.
   */
  private async assertSandbox(error?: unknown): Promise<void> {
    const thrown = error === undefined ? null : engineFailureOf(error);
    if (thrown) throw new SandboxFailure(`The sandbox failed under the agent: ${thrown}`);
    try {
      await this.sandbox.assertRunning();
    } catch (lost) {
      throw new SandboxFailure(`The sandbox failed under the agent: ${engineFailureOf(lost) ?? (lost as Error).message}`);
    }
  }

  private async ensureShell(): Promise<void> {
    if (!this.shell.alive) await this.restart("the shell had ended");
  }

  private async restart(reason: string): Promise<void> {
    await this.shell.close().catch(() => undefined);
    try {
      this.shell = await openClean(this.sandbox, this.repoDir, this.keepEnv);
    } catch (error) {
      throw new SandboxFailure(`The agent's shell ended (${reason}) and a new one could not be started: ${(error as Error).message}`);
    }
    this.pendingRestart = reason;
  }

  private takeRestartNote(): string | null {
    const note = this.pendingRestart;
    this.pendingRestart = null;
    return note;
  }
}

function pick(result: { output: string; exitCode: number; timedOut: boolean }): Pick<BashRun, "output" | "exitCode" | "timedOut"> {
  return { output: result.output, exitCode: result.exitCode, timedOut: result.timedOut };
}

async function openClean(sandbox: Sandbox, repoDir: string, keep: string[]): Promise<ShellSession> {
  let shell: ShellSession;
  try {
    shell = await sandbox.openShell({ cwd: repoDir });
  } catch (error) {
    throw new SandboxFailure(`Could not open a shell in ${repoDir} in sandbox ${sandbox.id.slice(0, 12)}: ${(error as Error).message}`);
  }
  // `env -i` in place: whatever the sandbox was created with beyond the image's ENV (a token
  // passed by mistake, the host's variables) is gone before the model's first command.
  const names = keep.filter(isEnvName).join("|");
  const cleaned = await shell.run(
    `for __v in $(compgen -e); do case "$__v" in ${names}) ;; *) unset "$__v" 2>/dev/null ;; esac; done; unset __v; export LANG="\${LANG:-C.UTF-8}"`,
    { timeoutMs: FILE_OP_TIMEOUT_MS },
  );
  if (cleaned.exitCode !== 0 || cleaned.timedOut) {
    await shell.close();
    throw new SandboxFailure(`Could not clean the shell's environment in sandbox ${sandbox.id.slice(0, 12)}: ${cleaned.output.trim()}`);
  }
  return shell;
}

async function imageEnvNames(sandbox: Sandbox): Promise<string[]> {
  try {
    const container = await sandbox.container.inspect();
    const image = await sandbox.docker.getImage(container.Image).inspect();
    return (image.Config?.Env ?? []).map((entry) => entry.slice(0, entry.indexOf("=") === -1 ? entry.length : entry.indexOf("="))).filter(isEnvName);
  } catch (error) {
    throw new SandboxFailure(`Could not inspect sandbox ${sandbox.id.slice(0, 12)}: ${(error as Error).message}`);
  }
}
