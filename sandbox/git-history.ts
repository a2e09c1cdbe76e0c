// No git hacking: the repository a sandbox sees holds nothing from after the task's base
// commit. `prepareRepoAtBase` builds such a repository on the host; `checkNoFutureHistory`
// proves it inside the container, after preparation, for every task.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { promisify } from "node:util";
import { leftoverCheckScript } from "./clean-tree.js";
import type { Sandbox } from "./container.js";
import { runGit as git } from "./git.js";
import { shQuote as q } from "./quote.js";

const run = promisify(execFile);

export type HistoryMode = "history" | "single-commit";

/**
 * Writes to `dest` a repository whose only branch, `main`, is checked out at `base`.
 * "history" keeps the ancestors of `base` (what a developer saw at the time); "single-commit"
 * keeps one fresh commit of the base tree (synthetic tasks). Either way: no other branches,
 * tags, remotes, reflogs or objects, because the clone transfers only what `base` reaches.
 * With `patch` (single-commit only), the patch is applied before that commit: a synthetic task's
 * buggy tree, with no commit that holds the clean code.
 */
export async function prepareRepoAtBase(source: string, base: string, dest: string, mode: HistoryMode = "history", patch?: string): Promise<string> {
  await rm(dest, { recursive: true, force: true });
  if (mode === "single-commit") {
    await git(source, ["cat-file", "-e", `${base}^{commit}`]);
    await run("bash", ["-c", 'set -euo pipefail; mkdir -p "$2"; git -C "$1" archive --format=tar "$3" | tar -x -C "$2"', "_", source, dest, base]);
    await git(dest, ["init", "--quiet", "--initial-branch=main"]);
    if (patch?.trim()) await applyToTree(dest, patch);
    await git(dest, ["add", "--all", "--force"]);
    await git(dest, ["-c", "user.name=LegoFactory", "-c", "user.email=lego@localhost", "commit", "--quiet", "--allow-empty", "--no-verify", "-m", "Initial commit"]);
  } else {
    const tmp = `lego-base-${randomBytes(4).toString("hex")}`;
    await git(source, ["branch", "--force", tmp, base]);
    try {
      // file:// forces a real pack transfer: no hardlinks or alternates into the source's objects.
      await git(process.cwd(), ["clone", "--quiet", "--no-tags", "--single-branch", "--branch", tmp, `file://${source}`, dest]);
    } finally {
      await git(source, ["branch", "--quiet", "-D", tmp]).catch(() => {});
    }
    await git(dest, ["checkout", "--quiet", "-B", "main"]);
    await git(dest, ["branch", "--quiet", "-D", tmp]);
    await git(dest, ["remote", "remove", "origin"]);
  }
  await git(dest, ["reflog", "expire", "--expire=now", "--all"]);
  await git(dest, ["gc", "--quiet", "--prune=now"]);
  await rm(`${dest}/.git/logs`, { recursive: true, force: true });
  for (const f of ["FETCH_HEAD", "ORIG_HEAD", "hooks"]) await rm(`${dest}/.git/${f}`, { recursive: true, force: true });
  return (await git(dest, ["rev-parse", "HEAD"])).trim();
}

/** A diff applied to a plain tree (synthetic tasks: the bug goes in before the one commit is made). */
async function applyToTree(dir: string, patch: string): Promise<void> {
  const child = run("git", ["apply", "--whitespace=nowarn", "-"], { cwd: dir });
  child.child.stdin?.end(patch);
  try {
    await child;
  } catch (err) {
    throw new Error(`the bug patch does not apply at the base commit: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim().slice(0, 500)}`);
  }
}

/**
 * Bash run inside the sandbox; prints one `PROBLEM: …` line per finding. `singleCommit`
 * (synthetic tasks): HEAD must also be the only commit, so no earlier one holds the clean code.
 */
export function noFutureHistoryScript(repoDir: string, expectedHead: string, singleCommit = false): string {
  return `set -u
cd ${q(repoDir)} || { echo "PROBLEM: ${repoDir} does not exist"; exit 0; }
head=$(git rev-parse HEAD 2>/dev/null) || { echo "PROBLEM: not a git repository"; exit 0; }
[ "$head" = ${q(expectedHead)} ] || echo "PROBLEM: HEAD is $head, expected ${expectedHead}"
refs=$(git for-each-ref --format='%(refname)' | grep -vx 'refs/heads/main')
[ -z "$refs" ] || echo "PROBLEM: extra refs: $(echo $refs)"
later=$(git rev-list --all --not HEAD | head -5)
[ -z "$later" ] || echo "PROBLEM: commits not in HEAD's history: $(echo $later)"
[ -z "$(git remote)" ] || echo "PROBLEM: remotes: $(git remote | tr '\\n' ' ')"
${singleCommit ? `count=$(git rev-list --count HEAD)\n[ "$count" = 1 ] || echo "PROBLEM: HEAD has $count commits; a synthetic task's repository must be one commit"` : ""}
[ ! -e .git/logs ] || [ -z "$(find .git/logs -type f -size +0)" ] || echo "PROBLEM: reflog entries in .git/logs"
for f in FETCH_HEAD ORIG_HEAD MERGE_HEAD CHERRY_PICK_HEAD packed-refs.lock objects/info/alternates; do
  [ ! -e ".git/$f" ] || echo "PROBLEM: .git/$f exists"
done
git stash list 2>/dev/null | grep -q . && echo "PROBLEM: stash entries"
${leftoverCheckScript()}
unreachable=$(git fsck --unreachable --no-reflogs --no-progress 2>/dev/null | head -5)
[ -z "$unreachable" ] || echo "PROBLEM: unreachable objects: $(echo $unreachable)"
exit 0`;
}

export interface HistoryCheck {
  ok: boolean;
  problems: string[];
}

export async function checkNoFutureHistory(sandbox: Sandbox, repoDir: string, expectedHead: string, singleCommit = false): Promise<HistoryCheck> {
  const r = await sandbox.exec(noFutureHistoryScript(repoDir, expectedHead, singleCommit), { timeoutMs: 60_000 });
  const problems = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("PROBLEM: "))
    .map((l) => l.slice("PROBLEM: ".length));
  if (r.exitCode !== 0) problems.push(`history check did not run (exit ${r.exitCode}): ${r.stderr.trim().slice(0, 300)}`);
  return { ok: problems.length === 0, problems };
}
