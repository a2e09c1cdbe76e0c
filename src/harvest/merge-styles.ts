// How merged pull requests show in a repository's history, offline. Every style a common host
// or project writes is recognised from the commit alone; a series of consecutive commits naming
// the same PR (a rebase merge whose commits carry "(#N)" or a PR-URL trailer) is one PR.

export type MergeKind = "merge" | "squash" | "rebase";

export interface MergedPull {
  number: number;
  /** The newest commit of the PR on the first-parent history: the merge, squash or last rebased commit. */
  sha: string;
  parents: string[];
  /** Commits the PR landed as on the first-parent history (1 for merges and squashes), newest first. */
  commits: string[];
  title: string;
  body: string;
  date: string;
  kind: MergeKind;
  style: string;
}

/** What each style looks for, as the "none found" message names them. */
export const MERGE_STYLES = [
  '"Merge pull request #N from …" merge commits',
  '"Title (#N)" squash commits and two-parent merges',
  '"PR-URL: https://…/pull/N" trailers',
  '"Merged in … (pull request #N)" commits',
  '"See merge request …!N" merge commits',
] as const;

const GITHUB_MERGE = /^Merge pull request #(\d+) from \S+/;
const TITLE_NUMBER = /^(.*\S)\s+\(#(\d+)\)$/;
const PR_URL = /^PR-URL:\s*https?:\/\/\S+?\/pull\/(\d+)\/?\s*$/im;
const BITBUCKET = /^Merged in \S+ \(pull request #(\d+)\)/;
const GITLAB = /^See merge request \S+!(\d+)\s*$/im;

interface Commit {
  sha: string;
  parents: string[];
  subject: string;
  body: string;
  date: string;
}

/** Pure: one commit → the PR it lands and how, or null. */
export function recognise(c: Commit): Omit<MergedPull, "commits"> | null {
  const base = { sha: c.sha, parents: c.parents, date: c.date };
  const kindOf = (): MergeKind => (c.parents.length === 1 ? "squash" : "merge");
  const bodyLines = c.body.split("\n");
  const firstLine = (bodyLines[0] ?? "").trim();
  const restOfBody = bodyLines.slice(1).join("\n").trim();
  // A merge subject on a parentless commit is a shallow clone's boundary: kept, so that the
  // change range can say why it has no base.
  const mergeLike = c.parents.length !== 1;
  let m = GITHUB_MERGE.exec(c.subject);
  if (m && mergeLike) return { ...base, number: Number(m[1]), title: firstLine, body: restOfBody, kind: "merge", style: "github-merge" };
  m = BITBUCKET.exec(c.subject);
  if (m) {
    const titled = firstLine && !/^Approved-by:/i.test(firstLine);
    return { ...base, number: Number(m[1]), title: titled ? firstLine : c.subject, body: withoutTrailers(titled ? restOfBody : c.body), kind: kindOf(), style: "bitbucket" };
  }
  m = GITLAB.exec(c.body);
  if (m && mergeLike) {
    const titled = firstLine && !GITLAB.test(firstLine);
    return { ...base, number: Number(m[1]), title: titled ? firstLine : c.subject, body: (titled ? restOfBody : c.body).replace(GITLAB, "").trim(), kind: "merge", style: "gitlab" };
  }
  m = PR_URL.exec(c.body);
  if (m) return { ...base, number: Number(m[1]), title: c.subject, body: withoutTrailers(c.body), kind: kindOf(), style: "pr-url" };
  m = TITLE_NUMBER.exec(c.subject);
  if (m) return { ...base, number: Number(m[2]), title: m[1] as string, body: c.body, kind: kindOf(), style: "title-number" };
  return null;
}

/** Pure: `git log --first-parent` records (NUL-separated fields, RS-separated records) → merged PRs, newest first. */
export function parseMergedPulls(log: string): MergedPull[] {
  const out: MergedPull[] = [];
  const seen = new Set<number>();
  let previous: MergedPull | null = null;
  for (const rec of log.split("\x1e")) {
    const [sha, parents, subject, body, date] = rec.replace(/^\n/, "").split("\0");
    if (!sha || subject === undefined) {
      continue;
    }
    const found = recognise({ sha, parents: (parents ?? "").split(" ").filter(Boolean), subject, body: (body ?? "").trim(), date: (date ?? "").trim() });
    if (!found) {
      previous = null;
      continue;
    }
    // An older commit naming the PR just seen continues a rebase-merged series: it becomes the
    // series' oldest commit, whose subject and body describe the change best.
    if (previous && found.number === previous.number && found.kind === "squash" && previous.kind !== "merge" && found.style === previous.style) {
      previous.commits.push(found.sha);
      previous.kind = "rebase";
      previous.title = found.title;
      previous.body = found.body;
      previous.date = found.date;
      continue;
    }
    // The newest mention wins; an older, separate one (a backport, a re-land) is not the PR's merge.
    if (seen.has(found.number)) {
      previous = null;
      continue;
    }
    seen.add(found.number);
    previous = { ...found, commits: [found.sha] };
    out.push(previous);
  }
  return out;
}

/** Pure: a commit body without its trailing trailer block (PR-URL, Reviewed-By, …). */
function withoutTrailers(body: string): string {
  const paragraphs = body.trim().split(/\n\s*\n/);
  const last = paragraphs[paragraphs.length - 1] ?? "";
  if (last.split("\n").every((l) => /^[A-Za-z][\w-]*:\s/.test(l))) paragraphs.pop();
  return paragraphs.join("\n\n").trim();
}
