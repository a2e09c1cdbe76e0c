// The one way this program runs git on the host. Never prompts: a missing credential fails.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export class GitError extends Error {
  readonly code = "git_failed";
}

export interface GitOptions {
  maxBuffer?: number;
  /** `-c name=value` settings for this command only (an auth header, say). */
  config?: string[];
  /** A secret that must not reach the error message. */
  secret?: string;
}

/** `git args` in `cwd`; its stdout, or a GitError with git's own complaint. */
export async function runGit(cwd: string, args: string[], opts: GitOptions = {}): Promise<string> {
  try {
    const { stdout } = await run("git", [...(opts.config ?? []).flatMap((c) => ["-c", c]), ...args], {
      cwd,
      maxBuffer: opts.maxBuffer ?? 256 * 1024 * 1024,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "true" },
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const detail = (e.stderr || e.message).replaceAll(opts.secret || "\u0000", "***").trim();
    throw new GitError(`git ${args[0]} failed: ${detail}`);
  }
}
