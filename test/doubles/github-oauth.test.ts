// The GitHub double's OAuth web flow, driven by the clients the dashboard uses:
// @octokit/oauth-methods for the authorize URL and the code exchange, Octokit for /user.
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from "@octokit/oauth-methods";
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";

const CALLBACK = "http://127.0.0.1:9/dashboard/oauth/callback";
let gh: GitHubDouble;

beforeAll(async () => {
  gh = await startGitHubDouble({ appId: 7, webhookSecret: "s", callbackUrls: [CALLBACK] });
  await gh.createRepo("acme/widgets", { files: { "README.md": "hi\n" } });
  await gh.createRepo("other/thing", { files: { "README.md": "hi\n" } });
  gh.addInstallation({ id: 101, account: { login: "acme", type: "Organization" }, repositories: "all" });
  gh.addInstallation({ id: 202, account: { login: "other", type: "Organization" }, repositories: "all" });
  gh.addMember("acme", "alice");
  gh.addUser("bob", { permissions: { "other/thing": "read" } });
});
afterAll(async () => gh?.close());

const request = () => new Octokit({ baseUrl: `${gh.url}/api/v3` }).request;

/** The browser's side: follow the authorize URL to the callback and read the code. */
async function authorize(state = "xyz"): Promise<URL> {
  const { url } = getWebFlowAuthorizationUrl({ clientType: "github-app", clientId: gh.clientId, redirectUrl: CALLBACK, state, request: request() });
  const res = await fetch(url, { redirect: "manual" });
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location") ?? "");
}

describe("GitHub double: OAuth web flow for a GitHub App", () => {
  it("redirects with a code and the state, trades the code once for an expiring user token, and serves /user and /user/installations", async () => {
    gh.signInBrowser("alice");
    const back = await authorize("s-1");
    expect(back.origin + back.pathname).toBe(CALLBACK);
    expect(back.searchParams.get("state")).toBe("s-1");
    const code = back.searchParams.get("code") ?? "";

    const { authentication } = await exchangeWebFlowCode({ clientType: "github-app", clientId: gh.clientId, clientSecret: gh.clientSecret, code, redirectUrl: CALLBACK, request: request() });
    expect(authentication.token).toMatch(/^ghu_[A-Za-z0-9]{36}$/);
    expect("expiresAt" in authentication && authentication.expiresAt).toBeTruthy();

    const octokit = new Octokit({ auth: authentication.token, baseUrl: `${gh.url}/api/v3` });
    expect((await octokit.rest.users.getAuthenticated()).data.login).toBe("alice");
    const { data } = await octokit.rest.apps.listInstallationsForAuthenticatedUser();
    expect(data.installations.map((i) => i.id)).toEqual([101]);

    await expect(
      exchangeWebFlowCode({ clientType: "github-app", clientId: gh.clientId, clientSecret: gh.clientSecret, code, request: request() }),
    ).rejects.toThrow(/bad_verification_code/);
  });

  it("lists an installation to a user with a permission on one of its repositories", async () => {
    gh.signInBrowser("bob");
    const code = (await authorize()).searchParams.get("code") ?? "";
    const { authentication } = await exchangeWebFlowCode({ clientType: "github-app", clientId: gh.clientId, clientSecret: gh.clientSecret, code, request: request() });
    const octokit = new Octokit({ auth: authentication.token, baseUrl: `${gh.url}/api/v3` });
    const { data } = await octokit.rest.apps.listInstallationsForAuthenticatedUser();
    expect(data.installations.map((i) => i.account && "login" in i.account ? i.account.login : "")).toEqual(["other"]);
  });

  it("refuses a wrong client secret, an unknown client, a foreign redirect_uri and a bad token", async () => {
    gh.signInBrowser("alice");
    const code = (await authorize()).searchParams.get("code") ?? "";
    await expect(
      exchangeWebFlowCode({ clientType: "github-app", clientId: gh.clientId, clientSecret: "wrong", code, request: request() }),
    ).rejects.toThrow(/incorrect_client_credentials/);
    expect((await fetch(`${gh.url}/login/oauth/authorize?client_id=Iv1.nope`, { redirect: "manual" })).status).toBe(404);
    const foreign = `${gh.url}/login/oauth/authorize?client_id=${gh.clientId}&redirect_uri=${encodeURIComponent("https://evil.example/cb")}`;
    expect((await fetch(foreign, { redirect: "manual" })).status).toBe(400);
    const octokit = new Octokit({ auth: "ghu_notatoken", baseUrl: `${gh.url}/api/v3` });
    await expect(octokit.rest.users.getAuthenticated()).rejects.toMatchObject({ status: 401 });
  });

  it("shows a sign-in form when nobody is signed in, and the form completes the flow", async () => {
    gh.signInBrowser(undefined);
    const { url } = getWebFlowAuthorizationUrl({ clientType: "github-app", clientId: gh.clientId, redirectUrl: CALLBACK, state: "f", request: request() });
    const page = await fetch(url);
    expect(await page.text()).toContain('name="login"');
    const form = new URLSearchParams({ client_id: gh.clientId, redirect_uri: CALLBACK, state: "f", login: "alice" });
    const res = await fetch(`${gh.url}/login/oauth/authorize`, { method: "POST", body: form, redirect: "manual" });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location") ?? "").searchParams.get("state")).toBe("f");
  });
});
