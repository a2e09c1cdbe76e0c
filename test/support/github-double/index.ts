import { createSign, generateKeyPairSync, randomBytes, randomInt } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mintToken, publicKeyOf } from "./auth.js";
import { commitFiles, initBare, pushAll, type CommitFilesInput } from "./git-write.js";
import { registerGraphql } from "./graphql.js";
import { RouteTable } from "./http.js";
import { newComment, newIssue, react, setIssueState } from "./issues.js";
import { StatePayloads } from "./payloads.js";
import { createPull, mergePull, pullOf, userIdentity } from "./pulls.js";
import { registerAppRoutes } from "./routes/app.js";
import { registerCheckRoutes } from "./routes/checks.js";
import { registerCommentRoutes } from "./routes/comments.js";
import { registerGitRoutes } from "./routes/git.js";
import { registerIssueRoutes } from "./routes/issues.js";
import { registerOAuthRoutes, type OAuthBrowser } from "./routes/oauth.js";
import { registerPullRoutes } from "./routes/pulls.js";
import { registerReactionRoutes } from "./routes/reactions.js";
import { ManifestRegistry, registerManifestRoutes } from "./routes/manifests.js";
import { registerRepoRoutes } from "./routes/repos.js";
import { Shapes } from "./serialize.js";
import { type Fault, listen } from "./server.js";
import { GitHubState } from "./state.js";
import type {
  AppPermissions,
  CommentRecord,
  DeliveryResult,
  InstallationRecord,
  IssueRecord,
  ReactionRecord,
  RecordedCall,
  RepoPermission,
  RepoRecord,
  ReviewRecord,
} from "./types.js";
import { deliver, type DeliverOptions } from "./webhooks.js";

export type * from "./types.js";
export type { DeliverOptions } from "./webhooks.js";
export { GitHubState } from "./state.js";

export interface GitHubDoubleOptions {
  appId: number;
  /** PEM; an RSA 2048 key pair is generated when absent and exposed as `privateKey`. */
  privateKey?: string;
  webhookSecret: string;
  webhookUrl?: string;
  appSlug?: string;
  /** The app's OAuth credentials; generated when absent. */
  clientId?: string;
  clientSecret?: string;
  /** The app's callback URLs; when set, the authorize step refuses any other redirect_uri. */
  callbackUrls?: string[];
}

export const DEFAULT_PERMISSIONS: AppPermissions = {
  metadata: "read",
  contents: "write",
  issues: "write",
  pull_requests: "write",
  checks: "write",
};

export interface InstallationInput {
  id: number;
  account: { login: string; type: "Organization" | "User" };
  /** Full names ("owner/repo") or bare names under the account; "all" for every repository it owns. */
  repositories: string[] | "all";
  permissions?: AppPermissions;
  events?: string[];
}

export interface CreateRepoOptions {
  /** A local git repository whose branches and tags are pushed into the new bare repository. */
  fromDir?: string;
  /** Files for an initial commit on the default branch (when there is no `fromDir`). */
  files?: Record<string, string>;
  defaultBranch?: string;
  private?: boolean;
  description?: string;
}

export interface GitHubDouble {
  /** Base URL for Octokit/Probot (`baseUrl`), e.g. http://127.0.0.1:PORT. */
  url: string;
  appId: number;
  appSlug: string;
  privateKey: string;
  webhookSecret: string;
  clientId: string;
  clientSecret: string;
  /** The account writes made with installation tokens are attributed to: `<slug>[bot]`. */
  botLogin: string;
  state: GitHubState;
  calls: RecordedCall[];
  deliveries: DeliveryResult[];
  /** Webhook payloads built from the double's records. */
  payloads: StatePayloads;
  setWebhookUrl(url: string): void;
  /** Recorded calls whose method matches (or "*") and whose path matches `/repos/:owner/:repo/issues/:n`-style patterns or a RegExp. */
  callsTo(method: string, pathPattern: string | RegExp): RecordedCall[];
  /** Forgets recorded calls and deliveries; repositories and records stay. */
  reset(): void;
  /**
   * Answers matching requests with an error status (default 502) or not at all (`hang`), `times`
   * times or until `clearFaults`; paths as in callsTo.
   */
  fault(method: string, pathPattern: string | RegExp, failure: Omit<Fault, "method" | "path">): void;
  clearFaults(): void;
  close(): Promise<void>;

  addInstallation(input: InstallationInput): InstallationRecord;
  createRepo(fullName: string, opts?: CreateRepoOptions): Promise<RepoRecord>;
  addUser(login: string, opts?: { type?: "User" | "Bot"; permissions?: Record<string, RepoPermission> }): void;
  /** Makes a user a member of an organisation (its installations show in GET /user/installations). */
  addMember(org: string, login: string): void;
  /** The user signed in to the double's web UI, who the OAuth authorize step acts for; undefined shows a sign-in form. */
  signInBrowser(login: string | undefined): void;
  setPermission(fullName: string, login: string, permission: RepoPermission): void;
  /** Commits files straight into the bare repository (a new branch starts at `from`). */
  commitFiles(fullName: string, input: Omit<CommitFilesInput, "author"> & { author?: string }): Promise<string>;
  createIssue(fullName: string, input: { title: string; body?: string; user: string; labels?: string[] }): IssueRecord;
  createPullRequest(
    fullName: string,
    input: { title: string; body?: string; head: string; base?: string; user: string; draft?: boolean },
  ): Promise<IssueRecord>;
  mergePullRequest(
    fullName: string,
    number: number,
    opts?: { method?: "merge" | "squash" | "rebase"; user?: string; commitTitle?: string; commitMessage?: string },
  ): Promise<string>;
  closeIssue(fullName: string, number: number, reason?: "completed" | "not_planned"): void;
  /** Marks a pull request draft or ready for review (GitHub does this through GraphQL only). */
  setDraft(fullName: string, number: number, draft: boolean): void;
  addIssueComment(fullName: string, number: number, input: { body: string; user: string; type?: "User" | "Bot" }): CommentRecord;
  addReaction(fullName: string, target: { issue: number } | { commentId: number }, content: string, user: string): ReactionRecord;
  addReview(
    fullName: string,
    number: number,
    input: {
      user: string;
      state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED";
      body?: string;
      /** Line comments left with the review (on the pull request's head). */
      comments?: { user?: string; body: string; path: string; line: number; diffHunk?: string }[];
    },
  ): Promise<ReviewRecord>;
  addLabel(fullName: string, number: number, label: string): void;
  /** Links an issue to a pull request by hand, as the "Development" sidebar does. */
  linkIssue(fullName: string, prNumber: number, issueNumber: number): void;
  /** Apps registered through the manifest flow. */
  manifests: ManifestRegistry;
  /** The browser step of the manifest flow: GitHub creates the app and hands back a one-time code. */
  createAppFromManifest(manifest: Record<string, unknown>): string;
  /** A signed app JWT, as @octokit/auth-app makes them. */
  appJwt(): string;
  /** A live installation token, without going through the REST route. */
  installationToken(installationId: number): string;
  /** Clone URL with `x-access-token:<token>` credentials (or none). */
  gitUrl(fullName: string, token?: string): string;
  deliver(event: string, payload: unknown, opts?: DeliverOptions): Promise<DeliveryResult>;
}

function patternRegex(pattern: string): RegExp {
  const body = pattern
    .split("/")
    .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg === "*" ? ".*" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${body}$`);
}

function signJwt(appId: number, privateKey: string): string {
  const now = Math.floor(Date.now() / 1000) - 30;
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const data = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now, exp: now + 600, iss: appId })}`;
  const signature = createSign("RSA-SHA256").update(data).sign(privateKey).toString("base64url");
  return `${data}.${signature}`;
}

export async function startGitHubDouble(opts: GitHubDoubleOptions): Promise<GitHubDouble> {
  const privateKey =
    opts.privateKey ??
    generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const appSlug = opts.appSlug ?? "legofactory";
  const botLogin = `${appSlug}[bot]`;
  const root = await mkdtemp(join(tmpdir(), "gh-double-"));
  const state = new GitHubState();
  const bot = state.user(botLogin, "Bot");
  const calls: RecordedCall[] = [];
  const deliveries: DeliveryResult[] = [];
  const faults: Fault[] = [];
  const table = new RouteTable();
  const { server, url } = await listen({
    state,
    faults,
    table,
    appId: opts.appId,
    publicKey: publicKeyOf(privateKey),
    bot,
    calls,
    git: { projectRoot: root, botLogin },
  });
  const shapes = new Shapes(url, state, {
    id: opts.appId,
    slug: appSlug,
    name: appSlug,
    owner: state.user(`${appSlug}-owner`, "Organization"),
    createdAt: new Date(),
  });
  const deps = { state, shapes, appId: opts.appId };
  // Literal segments before parameters: /issues/comments/:id must win over /issues/:number.
  registerAppRoutes(table, deps);
  registerRepoRoutes(table, deps);
  registerReactionRoutes(table, deps);
  registerCommentRoutes(table, deps);
  registerIssueRoutes(table, deps);
  registerPullRoutes(table, deps);
  registerCheckRoutes(table, deps);
  registerGitRoutes(table, deps);
  registerGraphql(table, state, shapes);
  const clientId = opts.clientId ?? `Iv1.${randomBytes(8).toString("hex")}`;
  const clientSecret = opts.clientSecret ?? randomBytes(20).toString("hex");
  const browser: OAuthBrowser = { user: undefined };
  registerOAuthRoutes(table, { state, shapes, client: { clientId, clientSecret, callbackUrls: opts.callbackUrls ?? [] }, browser });
  const manifests = new ManifestRegistry();
  registerManifestRoutes(table, manifests, () => url);

  let webhookUrl = opts.webhookUrl;
  const hookId = randomInt(100_000_000, 999_999_999);
  const issueOf = (fullName: string, number: number) => state.mustIssue(state.mustRepo(fullName), number);

  const double: GitHubDouble = {
    url,
    manifests,
    createAppFromManifest: (manifest) => manifests.create(manifest),
    appId: opts.appId,
    appSlug,
    privateKey,
    webhookSecret: opts.webhookSecret,
    clientId,
    clientSecret,
    botLogin,
    state,
    calls,
    deliveries,
    payloads: new StatePayloads(state, shapes),

    setWebhookUrl(next) {
      webhookUrl = next;
    },

    fault(method, pathPattern, failure) {
      faults.push({ ...failure, method: method === "*" ? "*" : method.toUpperCase(), path: typeof pathPattern === "string" ? patternRegex(pathPattern) : pathPattern });
    },

    clearFaults() {
      faults.length = 0;
    },

    callsTo(method, pathPattern) {
      const re = typeof pathPattern === "string" ? patternRegex(pathPattern) : pathPattern;
      return calls.filter((c) => (method === "*" || c.method === method.toUpperCase()) && re.test(c.path));
    },

    reset() {
      calls.length = 0;
      deliveries.length = 0;
    },

    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },

    addInstallation(input) {
      const account = state.user(input.account.login, input.account.type);
      account.type = input.account.type;
      const inst: InstallationRecord = {
        id: input.id,
        nodeId: state.nodeId("IN", input.id),
        account,
        repositories:
          input.repositories === "all"
            ? "all"
            : new Set(input.repositories.map((n) => (n.includes("/") ? n : `${account.login}/${n}`).toLowerCase())),
        permissions: input.permissions ?? DEFAULT_PERMISSIONS,
        events: input.events ?? ["issues", "issue_comment", "pull_request", "pull_request_review", "check_run"],
        createdAt: new Date(),
      };
      state.installations.set(inst.id, inst);
      return inst;
    },

    async createRepo(fullName, ropts = {}) {
      const [ownerLogin, name] = fullName.split("/");
      if (!ownerLogin || !name) throw new Error(`createRepo: expected owner/name, got ${fullName}`);
      if (state.repo(fullName)) throw new Error(`createRepo: ${fullName} already exists`);
      const owner = state.findUser(ownerLogin) ?? state.user(ownerLogin, "Organization");
      const defaultBranch = ropts.defaultBranch ?? "main";
      const git = await initBare(join(root, owner.login, `${name}.git`), defaultBranch);
      if (ropts.fromDir) await pushAll(ropts.fromDir, git);
      else if (ropts.files) {
        await commitFiles(git, {
          branch: defaultBranch,
          files: ropts.files,
          message: "Initial commit",
          author: userIdentity(owner),
        });
      }
      const id = state.nextId();
      const repo: RepoRecord = {
        id,
        nodeId: state.nodeId("R", id),
        owner,
        name,
        fullName: `${owner.login}/${name}`,
        private: ropts.private ?? true,
        description: ropts.description ?? null,
        defaultBranch,
        git,
        createdAt: new Date(),
        permissions: new Map(),
        labels: new Map(),
        nextNumber: 1,
      };
      state.repos.set(repo.fullName.toLowerCase(), repo);
      return repo;
    },

    addUser(login, uopts = {}) {
      state.user(login, uopts.type ?? "User");
      for (const [fullName, permission] of Object.entries(uopts.permissions ?? {})) {
        double.setPermission(fullName, login, permission);
      }
    },

    addMember(org, login) {
      state.user(org, "Organization");
      state.user(login);
      const key = org.toLowerCase();
      const members = state.members.get(key) ?? new Set<string>();
      members.add(login.toLowerCase());
      state.members.set(key, members);
    },

    signInBrowser(login) {
      browser.user = login === undefined ? undefined : state.user(login);
    },

    setPermission(fullName, login, permission) {
      state.user(login);
      state.mustRepo(fullName).permissions.set(login.toLowerCase(), permission);
    },

    async commitFiles(fullName, input) {
      const repo = state.mustRepo(fullName);
      const author = state.user(input.author ?? repo.owner.login);
      return commitFiles(repo.git, { ...input, author: userIdentity(author) });
    },

    createIssue(fullName, input) {
      return newIssue(state, state.mustRepo(fullName), {
        title: input.title,
        body: input.body ?? null,
        user: state.user(input.user),
        labels: input.labels ?? [],
      });
    },

    async createPullRequest(fullName, input) {
      const repo = state.mustRepo(fullName);
      return createPull(state, repo, {
        title: input.title,
        body: input.body ?? null,
        head: input.head,
        base: input.base ?? repo.defaultBranch,
        draft: input.draft ?? false,
        user: state.user(input.user),
      });
    },

    async mergePullRequest(fullName, number, mopts = {}) {
      const issue = issueOf(fullName, number);
      return mergePull(state, issue, {
        method: mopts.method ?? "merge",
        user: state.user(mopts.user ?? issue.repo.owner.login),
        ...(mopts.commitTitle !== undefined ? { commitTitle: mopts.commitTitle } : {}),
        ...(mopts.commitMessage !== undefined ? { commitMessage: mopts.commitMessage } : {}),
      });
    },

    closeIssue(fullName, number, reason = "completed") {
      const issue = issueOf(fullName, number);
      setIssueState(issue, "closed", issue.pull ? null : reason);
    },

    setDraft(fullName, number, draft) {
      const issue = issueOf(fullName, number);
      pullOf(issue).draft = draft;
      issue.updatedAt = new Date();
    },

    addIssueComment(fullName, number, input) {
      return newComment(state, issueOf(fullName, number), input.body, state.user(input.user, input.type ?? "User"));
    },

    addReaction(fullName, target, content, user) {
      const repo = state.mustRepo(fullName);
      let reactions: ReactionRecord[];
      if ("issue" in target) reactions = state.mustIssue(repo, target.issue).reactions;
      else {
        const comment = state.comments.get(target.commentId);
        if (!comment || comment.issue.repo !== repo) throw new Error(`addReaction: no comment ${target.commentId} in ${fullName}`);
        reactions = comment.reactions;
      }
      return react(state, reactions, content, state.user(user)).reaction;
    },

    async addReview(fullName, number, input) {
      const issue = issueOf(fullName, number);
      const pull = pullOf(issue);
      const id = state.nextId();
      const review: ReviewRecord = {
        id,
        nodeId: state.nodeId("PRR", id),
        user: state.user(input.user),
        body: input.body ?? "",
        state: input.state,
        commitId: pull.headSha,
        submittedAt: new Date(),
        comments: (input.comments ?? []).map((c) => {
          const cid = state.nextId();
          return { id: cid, nodeId: state.nodeId("PRRC", cid), user: state.user(c.user ?? input.user), body: c.body, path: c.path, line: c.line, diffHunk: c.diffHunk ?? `@@ -${c.line},1 +${c.line},1 @@`, commitId: pull.headSha, createdAt: new Date() };
        }),
      };
      pull.reviews.push(review);
      return review;
    },

    addLabel(fullName, number, label) {
      const issue = issueOf(fullName, number);
      const record = state.label(issue.repo, label);
      if (!issue.labels.includes(record)) issue.labels.push(record);
      issue.updatedAt = new Date();
    },

    linkIssue(fullName, prNumber, issueNumber) {
      const pull = pullOf(issueOf(fullName, prNumber));
      issueOf(fullName, issueNumber);
      if (!pull.linkedIssues.includes(issueNumber)) pull.linkedIssues.push(issueNumber);
    },

    appJwt() {
      return signJwt(opts.appId, privateKey);
    },

    installationToken(installationId) {
      const inst = state.installations.get(installationId);
      if (!inst) throw new Error(`installationToken: no installation ${installationId}`);
      return mintToken(state, inst, {}).token;
    },

    gitUrl(fullName, token) {
      const credentials = token ? `x-access-token:${token}@` : "";
      return `${url.replace("://", `://${credentials}`)}/${state.mustRepo(fullName).fullName}.git`;
    },

    async deliver(event, payload, dopts = {}) {
      if (!webhookUrl) throw new Error("GitHub double: no webhook URL; pass webhookUrl or call setWebhookUrl");
      const result = await deliver({ url: webhookUrl, secret: opts.webhookSecret, appId: opts.appId, hookId }, event, payload, dopts);
      deliveries.push(result);
      return result;
    },
  };
  return double;
}
