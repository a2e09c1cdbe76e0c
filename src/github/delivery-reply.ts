// Repeat-safe replies. A webhook job can run twice for one delivery: its worker is killed after the
// handler posted its reply but before the delivery was recorded processed, and BullMQ hands the
// stalled job to another worker. No database marker written after the post can cover that gap, so
// GitHub is the source of truth: every comment posted in answer to a delivery carries a hidden
// marker with the delivery's id, and a re-run looks for it before posting again. Each handler
// posts at most one comment per delivery, so "a comment with this delivery's marker exists" means
// "the reply was already posted".
import { AsyncLocalStorage } from "node:async_hooks";
import type { InstallationOctokit } from "./probot.js";

const MARKER = /<!--\s*lego:delivery=([A-Za-z0-9._:-]{1,128})\s*-->/g;
const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function deliveryMarker(deliveryId: string): string {
  if (!VALID_ID.test(deliveryId)) throw new Error(`delivery id ${JSON.stringify(deliveryId.slice(0, 200))} cannot go in a comment marker: expected 1–128 of A–Z a–z 0–9 . _ : -`);
  return `<!-- lego:delivery=${deliveryId} -->`;
}

/** The body with the delivery's marker appended (kept out of sight by GitHub's Markdown). */
export function withDeliveryMarker(body: string, deliveryId: string): string {
  return `${body}\n\n${deliveryMarker(deliveryId)}`;
}

/** The delivery ids a comment body is marked with. */
export function deliveryIdsIn(body: string | null | undefined): string[] {
  return [...(body ?? "").matchAll(MARKER)].map((m) => m[1] as string);
}

/**
 * A reply edited later (the progress comment, re-rendered at every change) keeps the markers of
 * the deliveries it answered, so a late re-run still finds it.
 */
export function keepDeliveryMarkers(previous: string | null | undefined, next: string): string {
  const missing = deliveryIdsIn(previous).filter((id) => !deliveryIdsIn(next).includes(id));
  return missing.reduce((body, id) => withDeliveryMarker(body, id), next);
}

export interface ListedComment {
  id: number;
  body?: string | null;
  user?: { login?: string; type?: string } | null;
}

/**
 * The reply already posted for this delivery, if any: a comment by a bot (the app; a human could
 * paste a marker, but only the app's own comments count) that carries the delivery's marker.
 */
export function findDeliveryReply<C extends ListedComment>(comments: readonly C[], deliveryId: string): C | undefined {
  return comments.find((c) => c.user?.type === "Bot" && deliveryIdsIn(c.body).includes(deliveryId));
}

/** How the current job is running its delivery: set by the webhook worker around Probot's receive. */
export interface DeliveryRun {
  deliveryId: string;
  /** The job ran before (a retry, or a stalled job taken over after its worker died). */
  rerun: boolean;
}

const current = new AsyncLocalStorage<DeliveryRun>();

export function runForDelivery<T>(run: DeliveryRun, fn: () => Promise<T>): Promise<T> {
  return current.run(run, fn);
}

export function currentDeliveryRun(): DeliveryRun | undefined {
  return current.getStore();
}

/** Only a re-run pays for the look-up; a first run cannot have replied yet. */
export function mustLookForReply(run: DeliveryRun | undefined, deliveryId: string): boolean {
  return run !== undefined && run.deliveryId === deliveryId && run.rerun;
}

/** What a reply needs of an installation client (a Probot context's `octokit` is one). */
type CommentOctokit = Pick<InstallationOctokit, "paginate" | "rest">;

export interface ReplyTarget {
  owner: string;
  repo: string;
  issue_number: number;
  /** Only comments updated at or after this time are looked at (ISO 8601); the triggering event's time. */
  since?: string;
}

/**
 * Posts `body` on the issue, marked with the delivery. In a re-run, the issue's comments are
 * looked at first and an existing reply for the delivery is returned instead of a second one.
 */
export async function replyOnce(octokit: CommentOctokit, deliveryId: string, target: ReplyTarget, body: string): Promise<{ id: number; reused: boolean }> {
  const { owner, repo, issue_number, since } = target;
  if (mustLookForReply(currentDeliveryRun(), deliveryId)) {
    const params = { owner, repo, issue_number, per_page: 100, ...(since ? { since } : {}) };
    const comments: ListedComment[] = await octokit.paginate(octokit.rest.issues.listComments, params);
    const existing = findDeliveryReply(comments, deliveryId);
    if (existing) return { id: existing.id, reused: true };
  }
  const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number, body: withDeliveryMarker(body, deliveryId) });
  return { id: data.id, reused: false };
}
