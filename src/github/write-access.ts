// Whether a GitHub user may make LegoFactory work, or judge its work: write access to the
// repository (admin, write, or the maintain role). Bots never, nor logins that end in `[bot]`.
import type { InstallationOctokit } from "./probot.js";

export type Level = "read" | "write";

/** Pure: GitHub's permission (and role name) → what LegoFactory grants. */
export function grants(permission: string, roleName?: string): Level | "none" {
  if (permission === "admin" || permission === "write" || roleName === "maintain") return "write";
  if (permission === "read" || roleName === "triage") return "read";
  return "none";
}

/** The user's access to the repository; a 404 (not a collaborator at all) is none, other errors are thrown. */
export async function accessLevel(octokit: Pick<InstallationOctokit, "rest">, repo: { owner: string; repo: string }, username: string): Promise<Level | "none"> {
  if (username.toLowerCase().endsWith("[bot]")) return "none";
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
    return grants(data.permission, (data as { role_name?: string }).role_name);
  } catch (err) {
    if ((err as { status?: number }).status === 404) return "none";
    throw err;
  }
}

/** Whether the user may judge a fix: a maintainer signal counts only from write access. */
export async function hasWriteAccess(octokit: Pick<InstallationOctokit, "rest">, repo: { owner: string; repo: string }, username: string | null | undefined): Promise<boolean> {
  return username ? (await accessLevel(octokit, repo, username)) === "write" : false;
}
