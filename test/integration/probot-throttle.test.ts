// GitHub paces writes per installation (a second between writes, three between writes that
// notify, which Probot's throttle keeps to). The client a webhook handler gets must be paced
// by its own installation: before the fix every handler's client shared one limiter, so a
// worker process posted one comment every three seconds across all installations together.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProbot, throttleFor } from "../../src/github/probot.js";
import { createLogger } from "../../src/logger.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { waitFor } from "../support/lego-process.js";
import { testConfig, testPrivateKey } from "../support/test-config.js";

let gh: GitHubDouble;
beforeAll(async () => {
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "s" });
  for (const org of ["a", "b"]) {
    await gh.createRepo(`${org}/r`, { files: { "README.md": "x\n" } });
    gh.addInstallation({ id: org === "a" ? 701 : 702, account: { login: org, type: "Organization" }, repositories: [`${org}/r`] });
    gh.addUser("alice", { permissions: { [`${org}/r`]: "write" } });
  }
});
afterAll(async () => gh?.close());

describe("throttleFor", () => {
  it("keys an installation's client by its id and leaves others alone", () => {
    expect(throttleFor({ throttle: { enabled: true }, auth: { installationId: 7 } })).toEqual({ enabled: true, id: "7" });
    expect(throttleFor({ throttle: { enabled: false }, auth: { installationId: 7 } })).toEqual({ enabled: false });
    expect(throttleFor({ throttle: { enabled: true }, auth: { appId: 1 } })).toEqual({ enabled: true });
    expect(throttleFor({ auth: { installationId: "8" } })).toEqual({ id: "8" });
  });
});

describe("webhook handlers' GitHub clients", () => {
  it("are throttled per installation: one installation's paced comments do not hold back another's", async () => {
    const probot = createProbot(testConfig({ GITHUB_API_URL: gh.url, PRIVATE_KEY: gh.privateKey, WEBHOOK_SECRET: "s" }), createLogger("silent"), { retries: true });
    await probot.load((app) =>
      app.on("issue_comment.created", async (context) => {
        await context.octokit.rest.issues.createComment(context.issue({ body: context.payload.comment.body }));
      }),
    );
    const event = (repo: string, body: string) => {
      const issue = gh.createIssue(repo, { title: "t", user: "alice" });
      const c = gh.addIssueComment(repo, issue.number, { body, user: "alice" });
      return probot.receive({ id: `e-${c.id}`, name: "issue_comment", payload: gh.payloads.issueCommentCreated(repo, c.id) as never });
    };
    const posted = () => [...gh.state.comments.values()].filter((c) => c.user.login === gh.botLogin).map((c) => c.body);
    // Three events of installation a at once: their comments (notifying writes) go out three
    // seconds apart, all three queued from the start.
    const a = Promise.all(["a", "a", "a"].map((body) => event("a/r", body)));
    await waitFor("two of a's comments", async () => (posted().length >= 2 ? true : undefined), 60_000, 20);
    // Installation b's comment, asked for after a's second: its own limiter lets it out at once,
    // before a's third; a shared limiter would queue it behind a's third, queued long before.
    await event("b/r", "b");
    await a;
    expect(posted()).toEqual(["a", "a", "b", "a"]);
  }, 90_000);
});
