// "Sign in with GitHub" through the app's own OAuth credentials (the web application flow of a
// GitHub App): the login, and the installations of this app the user can access. The user's
// token is used for these two reads and then dropped; it is never stored.
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from "@octokit/oauth-methods";
import { Octokit } from "@octokit/rest";

export interface GitHubIdentity {
  login: string;
  installationIds: number[];
}

export interface GitHubSignIn {
  authorizeUrl(state: string, redirectUrl: string): string;
  identify(code: string, redirectUrl: string): Promise<GitHubIdentity>;
}

export function githubSignIn(opts: { apiUrl: string; clientId: string; clientSecret: string; timeoutMs?: number }): GitHubSignIn {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const octokit = (auth?: string) => new Octokit({ baseUrl: opts.apiUrl, ...(auth ? { auth } : {}), request: { signal: AbortSignal.timeout(timeoutMs) } });
  return {
    authorizeUrl(state, redirectUrl) {
      return getWebFlowAuthorizationUrl({ clientType: "github-app", clientId: opts.clientId, redirectUrl, state, request: octokit().request }).url;
    },
    async identify(code, redirectUrl) {
      const { authentication } = await exchangeWebFlowCode({
        clientType: "github-app",
        clientId: opts.clientId,
        clientSecret: opts.clientSecret,
        code,
        redirectUrl,
        request: octokit().request,
      });
      const user = octokit(authentication.token);
      const { data: me } = await user.rest.users.getAuthenticated();
      const installationIds: number[] = [];
      // A user in more than 1000 installations of one app is not a case worth paging further.
      for (let page = 1; page <= 10; page++) {
        const { data } = await user.rest.apps.listInstallationsForAuthenticatedUser({ per_page: 100, page });
        installationIds.push(...data.installations.map((i) => i.id));
        if (data.installations.length < 100) break;
      }
      return { login: me.login, installationIds };
    },
  };
}
