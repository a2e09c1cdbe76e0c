import type { BareRepo } from "./git.js";

/** Records the double keeps in memory; the git side of a repository lives in its bare repo. */

export type RepoPermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export type AccessLevel = "read" | "write" | "admin";
export type AppPermissions = Record<string, AccessLevel>;
export type AccountType = "User" | "Organization" | "Bot";

export interface UserRecord {
  id: number;
  nodeId: string;
  login: string;
  type: AccountType;
}

export interface LabelRecord {
  id: number;
  nodeId: string;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface ReactionRecord {
  id: number;
  nodeId: string;
  user: UserRecord;
  content: string;
  createdAt: Date;
}

export interface RepoRecord {
  id: number;
  nodeId: string;
  owner: UserRecord;
  name: string;
  fullName: string;
  private: boolean;
  description: string | null;
  defaultBranch: string;
  git: BareRepo;
  createdAt: Date;
  /** lower-cased login → permission granted on this repository. */
  permissions: Map<string, RepoPermission>;
  /** lower-cased name → label. */
  labels: Map<string, LabelRecord>;
  /** Issues and pull requests share one number sequence, as on GitHub. */
  nextNumber: number;
}

export interface ReviewRecord {
  id: number;
  nodeId: string;
  user: UserRecord;
  body: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "PENDING" | "DISMISSED";
  commitId: string;
  submittedAt: Date | null;
  /** The review's line comments. */
  comments?: ReviewCommentRecord[];
}

/** A comment on a line of a pull request's diff, left with a review. */
export interface ReviewCommentRecord {
  id: number;
  nodeId: string;
  user: UserRecord;
  body: string;
  path: string;
  line: number;
  diffHunk: string;
  commitId: string;
  createdAt: Date;
}

export interface PullRecord {
  id: number;
  nodeId: string;
  headRef: string;
  baseRef: string;
  headSha: string;
  baseSha: string;
  draft: boolean;
  merged: boolean;
  mergedAt: Date | null;
  mergedBy: UserRecord | null;
  mergeCommitSha: string | null;
  maintainerCanModify: boolean;
  reviews: ReviewRecord[];
  /** Issues linked by hand in the sidebar ("Development"), not by keywords. */
  linkedIssues: number[];
}

export interface IssueRecord {
  id: number;
  nodeId: string;
  repo: RepoRecord;
  number: number;
  title: string;
  body: string | null;
  user: UserRecord;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "reopened" | null;
  labels: LabelRecord[];
  assignees: UserRecord[];
  locked: boolean;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  reactions: ReactionRecord[];
  pull?: PullRecord;
}

export interface CommentRecord {
  id: number;
  nodeId: string;
  issue: IssueRecord;
  body: string;
  user: UserRecord;
  createdAt: Date;
  updatedAt: Date;
  reactions: ReactionRecord[];
}

export interface CheckRunAction {
  label: string;
  description: string;
  identifier: string;
}

export interface CheckRunRecord {
  id: number;
  nodeId: string;
  repo: RepoRecord;
  headSha: string;
  name: string;
  status: "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
  conclusion: string | null;
  startedAt: Date;
  completedAt: Date | null;
  externalId: string;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotationsCount: number };
  actions: CheckRunAction[];
  checkSuiteId: number;
}

export interface InstallationRecord {
  id: number;
  nodeId: string;
  account: UserRecord;
  /** "all" covers every repository the account owns, now and later. */
  repositories: "all" | Set<string>;
  permissions: AppPermissions;
  events: string[];
  createdAt: Date;
}

export interface TokenRecord {
  installationId: number;
  expiresAt: Date;
  permissions: AppPermissions;
  /** lower-cased full names the token is narrowed to; null means the installation's set. */
  repositories: Set<string> | null;
}

export interface RecordedCall {
  method: string;
  /** Decoded path without the query string or a GHES `/api/v3` prefix. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  at: string;
  /** The installation whose token made the call, when one did. */
  installationId?: number;
}

export interface DeliveryResult {
  id: string;
  event: string;
  status: number;
  body: string;
  durationMs: number;
  /** No answer within GitHub's 10 s delivery timeout; `status` is then 0. */
  timedOut: boolean;
}

/** A user access token from the OAuth web flow (`ghu_…`), as a GitHub App issues them. */
export interface UserTokenRecord {
  user: UserRecord;
  clientId: string;
  expiresAt: Date;
}

/** A one-time code handed to the app's callback by the authorize step. */
export interface OAuthCodeRecord {
  user: UserRecord;
  clientId: string;
  redirectUri: string | null;
  expiresAt: Date;
}
