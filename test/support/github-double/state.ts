import type {
  AccountType,
  CheckRunRecord,
  CommentRecord,
  InstallationRecord,
  IssueRecord,
  LabelRecord,
  OAuthCodeRecord,
  RepoRecord,
  TokenRecord,
  UserRecord,
  UserTokenRecord,
} from "./types.js";

/** In-memory records of the double. Names are matched case-insensitively, as GitHub does. */
export class GitHubState {
  #nextId = 1_000_001;
  readonly users = new Map<string, UserRecord>();
  readonly repos = new Map<string, RepoRecord>();
  readonly installations = new Map<number, InstallationRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly comments = new Map<number, CommentRecord>();
  readonly checkRuns = new Map<number, CheckRunRecord>();
  /** "owner/repo#number" (lower-cased repo) → issue or pull request. */
  readonly issues = new Map<string, IssueRecord>();
  readonly userTokens = new Map<string, UserTokenRecord>();
  readonly oauthCodes = new Map<string, OAuthCodeRecord>();
  /** lower-cased organisation login → lower-cased member logins. */
  readonly members = new Map<string, Set<string>>();

  nextId(): number {
    return this.#nextId++;
  }

  /** GitHub's newer global ids: a type prefix and an opaque base64url payload. */
  nodeId(prefix: string, id: number): string {
    return `${prefix}_kwDO${Buffer.from(`${prefix}:${id}`).toString("base64url")}`;
  }

  user(login: string, type: AccountType = "User"): UserRecord {
    const key = login.toLowerCase();
    const existing = this.users.get(key);
    if (existing) return existing;
    const id = this.nextId();
    const prefix = type === "Bot" ? "BOT" : type === "Organization" ? "O" : "U";
    const user: UserRecord = { id, nodeId: this.nodeId(prefix, id), login, type };
    this.users.set(key, user);
    return user;
  }

  findUser(login: string): UserRecord | undefined {
    return this.users.get(login.toLowerCase());
  }

  repo(fullName: string): RepoRecord | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  mustRepo(fullName: string): RepoRecord {
    const repo = this.repo(fullName);
    if (!repo) throw new Error(`GitHub double: no repository ${fullName}; call createRepo first`);
    return repo;
  }

  issue(repo: RepoRecord, number: number): IssueRecord | undefined {
    return this.issues.get(`${repo.fullName.toLowerCase()}#${number}`);
  }

  mustIssue(repo: RepoRecord, number: number): IssueRecord {
    const issue = this.issue(repo, number);
    if (!issue) throw new Error(`GitHub double: no issue or pull request #${number} in ${repo.fullName}`);
    return issue;
  }

  addIssue(issue: IssueRecord): void {
    this.issues.set(`${issue.repo.fullName.toLowerCase()}#${issue.number}`, issue);
  }

  issuesOf(repo: RepoRecord): IssueRecord[] {
    return [...this.issues.values()].filter((i) => i.repo === repo);
  }

  commentsOf(issue: IssueRecord): CommentRecord[] {
    return [...this.comments.values()].filter((c) => c.issue === issue);
  }

  /** A repository label, created on first use as GitHub does when an unknown label is applied. */
  label(repo: RepoRecord, name: string): LabelRecord {
    const key = name.toLowerCase();
    const existing = repo.labels.get(key);
    if (existing) return existing;
    const id = this.nextId();
    const label: LabelRecord = {
      id,
      nodeId: this.nodeId("LA", id),
      name,
      color: "ededed",
      description: null,
      default: false,
    };
    repo.labels.set(key, label);
    return label;
  }

  installationCovers(installation: InstallationRecord, repo: RepoRecord): boolean {
    if (installation.repositories === "all") return repo.owner === installation.account;
    return installation.repositories.has(repo.fullName.toLowerCase());
  }

  /**
   * What GET /user/installations lists: installations of the app on the user's own account, on an
   * organisation the user belongs to, or covering a repository the user holds a permission on.
   */
  installationsOf(user: UserRecord): InstallationRecord[] {
    const login = user.login.toLowerCase();
    return [...this.installations.values()].filter(
      (inst) =>
        inst.account === user ||
        (this.members.get(inst.account.login.toLowerCase())?.has(login) ?? false) ||
        this.reposOf(inst).some((r) => (r.permissions.get(login) ?? "none") !== "none"),
    );
  }

  reposOf(installation: InstallationRecord): RepoRecord[] {
    return [...this.repos.values()].filter((r) => this.installationCovers(installation, r));
  }
}
