// A repository at one commit, read straight from git objects (no checkout): the file list and
// the small configuration files environment detection looks at.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { runGit } from "../../sandbox/git.js";
import { keyContent } from "./key-content.js";
import type { EnvironmentPlan, RepoSnapshot } from "./types.js";

/** Config files sit near the root; deeper or bigger files are not read. */
const MAX_DEPTH = 3;
const MAX_BYTES = 256 * 1024;
const MAX_FILES = 2000;

export interface CommitSnapshot extends RepoSnapshot {
  commit: string;
}

/** Reads many blobs in one `git cat-file --batch` process. */
async function readBlobs(dir: string, specs: string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (specs.length === 0) return out;
  const child = spawn("git", ["cat-file", "--batch"], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
  const chunks: Buffer[] = [];
  child.stdout.on("data", (c: Buffer) => chunks.push(c));
  child.stdin.end(`${specs.join("\n")}\n`);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`git cat-file --batch exited ${code}`);
  const buf = Buffer.concat(chunks);
  let pos = 0;
  for (const spec of specs) {
    const nl = buf.indexOf(10, pos);
    const header = buf.subarray(pos, nl).toString();
    pos = nl + 1;
    const m = /^[0-9a-f]+ \w+ (\d+)$/.exec(header);
    if (!m) continue; // "<spec> missing"
    const size = Number(m[1]);
    out.set(spec, buf.subarray(pos, pos + size));
    pos += size + 1;
  }
  return out;
}

export async function snapshotAt(dir: string, commit: string): Promise<CommitSnapshot> {
  const stdout = await runGit(dir, ["ls-tree", "-r", "-l", "-z", "--full-tree", commit]);
  const files: string[] = [];
  const small: string[] = [];
  for (const entry of stdout.split("\0")) {
    const m = /^\d+ blob [0-9a-f]+\s+(\d+|-)\t(.+)$/s.exec(entry);
    if (!m) continue;
    const file = m[2] as string;
    files.push(file);
    if (Number(m[1]) <= MAX_BYTES && file.split("/").length <= MAX_DEPTH && small.length < MAX_FILES) small.push(file);
  }
  const blobs = await readBlobs(dir, small.map((f) => `${commit}:${f}`));
  const contents = new Map<string, string>();
  for (const f of small) {
    const b = blobs.get(`${commit}:${f}`);
    if (b && !b.includes(0)) contents.set(f, b.toString("utf8"));
  }
  return { commit, files, read: (p) => contents.get(p) };
}

/**
 * The environment key: what the install depends on. The same dependency files (their
 * dependency-relevant fields: see key-content.ts), plan and base image give the same image, so
 * every task of a repository snapshot, and the next release's, reuses it.
 */
export async function environmentKey(dir: string, commit: string, plan: EnvironmentPlan, baseImageId: string): Promise<string> {
  const blobs = await readBlobs(dir, plan.dependencyFiles.map((f) => `${commit}:${f}`));
  const h = createHash("sha256");
  // layout: bump when what an environment image holds changes, so older images are not reused.
  h.update(JSON.stringify({ layout: 3, baseImageId, language: plan.language, pm: plan.packageManager, node: plan.nodeVersion, install: plan.install, fallbacks: plan.fallbacks, env: plan.env }));
  for (const f of [...plan.dependencyFiles].sort()) {
    h.update(`\0${f}\0`);
    const blob = blobs.get(`${commit}:${f}`);
    h.update(blob ? keyContent(f, blob) : Buffer.from("<missing>"));
  }
  return h.digest("hex").slice(0, 16);
}
