import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BareRepo, identityEnv, runGit, type Identity } from "./git.js";

/** Writes to bare repositories with plumbing only, so no working tree is ever involved. */

export async function initBare(dir: string, defaultBranch: string): Promise<BareRepo> {
  await runGit(["init", "--quiet", "--bare", `--initial-branch=${defaultBranch}`, dir]);
  const repo = new BareRepo(dir);
  // http-backend only enables receive-pack for authenticated users unless told explicitly.
  await repo.git(["config", "http.receivepack", "true"]);
  return repo;
}

export async function pushAll(fromDir: string, repo: BareRepo): Promise<void> {
  await runGit(["push", "--quiet", repo.dir, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"], {
    cwd: fromDir,
  });
}

export interface CommitFilesInput {
  branch: string;
  /** Where a new branch starts; defaults to the branch itself (or an orphan commit in an empty repo). */
  from?: string;
  /** path → content; null deletes the file. */
  files: Record<string, string | null>;
  message: string;
  author: Identity;
  committer?: Identity;
}

export async function commitFiles(repo: BareRepo, input: CommitFilesInput): Promise<string> {
  const old = await repo.branchSha(input.branch);
  const parent = old ?? (input.from ? await repo.resolveCommit(input.from) : null);
  if (input.from && !parent) throw new Error(`commitFiles: ${input.from} does not resolve in ${repo.dir}`);
  const scratch = await mkdtemp(join(tmpdir(), "gh-double-index-"));
  const env = { GIT_INDEX_FILE: join(scratch, "index") };
  try {
    if (parent) await repo.git(["read-tree", parent], { env });
    for (const [path, content] of Object.entries(input.files)) {
      if (content === null) {
        // --force-remove wants a work tree, which a bare repository lacks; mode 0 removes the entry.
        await repo.git(["update-index", "--index-info"], { env, input: `0 ${"0".repeat(40)}\t${path}\n` });
        continue;
      }
      const blob = (await repo.git(["hash-object", "-w", "--stdin"], { input: content })).trim();
      await repo.git(["update-index", "--add", "--cacheinfo", `100644,${blob},${path}`], { env });
    }
    const tree = (await repo.git(["write-tree"], { env })).trim();
    const args = ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-F", "-"];
    const sha = (
      await repo.git(args, { input: input.message, env: identityEnv(input.author, input.committer) })
    ).trim();
    await repo.updateRef(`refs/heads/${input.branch}`, sha, old);
    return sha;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export type MergeMethod = "merge" | "squash" | "rebase";

export interface MergeInput {
  baseSha: string;
  headSha: string;
  method: MergeMethod;
  message: string;
  author: Identity;
  committer: Identity;
}

/** The new tip of the base branch, or null when the two sides conflict. Does not move any ref. */
export async function mergeCommits(repo: BareRepo, input: MergeInput): Promise<string | null> {
  if (input.method === "rebase") return rebaseCommits(repo, input);
  const { stdout, code } = await runGit(
    ["--git-dir", repo.dir, "merge-tree", "--write-tree", "--no-messages", input.baseSha, input.headSha],
    { okCodes: [1] },
  );
  if (code === 1) return null;
  const tree = stdout.toString("utf8").split("\n")[0]?.trim() ?? "";
  const parents = input.method === "merge" ? ["-p", input.baseSha, "-p", input.headSha] : ["-p", input.baseSha];
  const sha = await repo.git(["commit-tree", tree, ...parents, "-F", "-"], {
    input: input.message,
    env: identityEnv(input.author, input.committer),
  });
  return sha.trim();
}

/** Replays the head commits onto the base in a throwaway worktree, as GitHub's "rebase and merge". */
async function rebaseCommits(repo: BareRepo, input: MergeInput): Promise<string | null> {
  const mergeBase = await repo.mergeBase(input.baseSha, input.headSha);
  const commits = await repo.revList(mergeBase, input.headSha);
  const scratch = await mkdtemp(join(tmpdir(), "gh-double-rebase-"));
  const tree = join(scratch, "tree");
  // cherry-pick keeps each commit's author; only the committer is ours.
  const env = { GIT_COMMITTER_NAME: input.committer.name, GIT_COMMITTER_EMAIL: input.committer.email };
  try {
    await repo.git(["worktree", "add", "--quiet", "--detach", tree, input.baseSha]);
    for (const sha of commits) {
      const pick = await runGit(["cherry-pick", "--allow-empty", "--keep-redundant-commits", sha], {
        cwd: tree,
        okCodes: [1],
        env,
      });
      if (pick.code !== 0) return null;
    }
    const { stdout } = await runGit(["rev-parse", "HEAD"], { cwd: tree });
    return stdout.toString("utf8").trim();
  } finally {
    await repo.git(["worktree", "remove", "--force", tree]).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
    await repo.git(["worktree", "prune"]).catch(() => undefined);
  }
}
