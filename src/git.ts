// Host-side git: clone and inspect repositories. Tokens travel in a per-command header, never
// in a URL or a config file, so they cannot end up in a clone's .git/config; the header is set
// through git's environment (sandbox/git.ts), so it is not in the process's arguments either.
import { runGit } from "../sandbox/git.js";

/** git on the host, with an installation token sent as a header when given. */
export async function git(cwd: string, args: string[], opts: { token?: string; maxBuffer?: number } = {}): Promise<string> {
  const config = opts.token ? [`http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${opts.token}`).toString("base64")}`] : [];
  return runGit(cwd, args, { config, ...(opts.maxBuffer ? { maxBuffer: opts.maxBuffer } : {}), ...(opts.token ? { secret: opts.token } : {}) });
}

export async function cloneBare(url: string, dir: string, token?: string): Promise<void> {
  await git(process.cwd(), ["clone", "--quiet", "--no-checkout", url, dir], { token });
}

export async function diff(dir: string, from: string, to: string, paths: string[] = []): Promise<string> {
  return git(dir, ["diff", "--no-color", "--no-ext-diff", "--binary", "--full-index", from, to, ...(paths.length ? ["--", ...paths] : [])]);
}

export async function changedFiles(dir: string, from: string, to: string): Promise<string[]> {
  return (await git(dir, ["diff", "--name-only", "--no-renames", from, to])).split("\n").filter(Boolean);
}
