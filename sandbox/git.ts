// The one way this program runs git on the host. Never prompts: a missing credential fails.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export class GitError extends Error {
  readonly code = "git_failed";
}

export interface GitOptions {
  maxBuffer?: number;
  /**
   * `name=value` settings for this command only (an auth header, say). They travel in git's
   * GIT_CONFIG_COUNT/KEY/VALUE environment, not as `-c` arguments: a process's arguments are
   * readable by every user of the host in /proc, its environment only by its owner.
   */
  config?: string[];
  /** A secret that must not reach the error message. */
  secret?: string;
}

/** `name=value` settings as git's environment form (git ≥ 2.31); inherited ones are replaced when there are any. */
export function configEnv(config: string[]): Record<string, string> {
  if (config.length === 0) return {};
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(config.length) };
  config.forEach((c, i) => {
    const eq = c.indexOf("=");
    if (eq <= 0) throw new GitError(`git config setting without a name: ${c.slice(0, 40)}`);
    env[`GIT_CONFIG_KEY_${i}`] = c.slice(0, eq);
    env[`GIT_CONFIG_VALUE_${i}`] = c.slice(eq + 1);
  });
  return env;
}

/** `git args` in `cwd`; its stdout, or a GitError with git's own complaint. */
export async function runGit(cwd: string, args: string[], opts: GitOptions = {}): Promise<string> {
  try {
    const { stdout } = await run("git", args, {
      cwd,
      maxBuffer: opts.maxBuffer ?? 256 * 1024 * 1024,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "true", ...configEnv(opts.config ?? []) },
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const detail = (e.stderr || e.message).replaceAll(opts.secret || "\u0000", "***").trim();
    throw new GitError(`git ${args[0]} failed: ${detail}`);
  }
}
