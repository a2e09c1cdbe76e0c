// Host-side git: clone and inspect repositories. Tokens travel in a per-command header, never
// in a URL or a config file, so they cannot end up in a clone's .git/config.
import { GitError, runGit } from "../sandbox/git.js";

/** git on the host, with an installation token sent as a header when given. */
export async function git(cwd: string, args: string[], opts: { token?: string; maxBuffer?: number } = {}): Promise<string> {
  const config = opts.token ? [`http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${opts.token}`).toString("base64")}`] : [];
  return runGit(cwd, args, { config, ...(opts.maxBuffer ? { maxBuffer: opts.maxBuffer } : {}), ...(opts.token ? { secret: opts.token } : {}) });
}

export async function cloneBare(url: string, dir: string, token?: string): Promise<void> {
  await git(process.cwd(), ["clone", "--quiet", "--no-checkout", url, dir], { token });
}

export async function parents(dir: string, sha: string): Promise<string[]> {
  const line = (await git(dir, ["rev-list", "--parents", "-n", "1", sha])).trim();
  return line.split(/\s+/).slice(1);
}

/**
 * The commit a PR's change applies to: for a merge commit, where the PR branched off (the
 * merge base of its parents); for a squash or rebase merge, the commit's parent.
 */
export async function taskBaseCommit(dir: string, mergeSha: string): Promise<string> {
  const ps = await parents(dir, mergeSha);
  if (ps.length === 0) throw new GitError(`${mergeSha} is a root commit: there is no state before the change`);
  if (ps.length === 1) return ps[0] as string;
  return (await git(dir, ["merge-base", ps[0] as string, ps[1] as string])).trim();
}

export async function diff(dir: string, from: string, to: string, paths: string[] = []): Promise<string> {
  return git(dir, ["diff", "--no-color", "--no-ext-diff", "--binary", "--full-index", from, to, ...(paths.length ? ["--", ...paths] : [])]);
}

export async function changedFiles(dir: string, from: string, to: string): Promise<string[]> {
  return (await git(dir, ["diff", "--name-only", "--no-renames", from, to])).split("\n").filter(Boolean);
}
