// Property-based fuzzing of the other place .github/lego.yml is parsed: the app's handlers read it
// through Probot's config loader (`context.config`, @probot/octokit-plugin-config: the file from the
// default branch, the org's `.github` fallback, `_extends`, the `yaml` package, deepmerge), then
// `loadRepoConfig` validates it. Driven through a real Probot, the GitHub double (the file is
// committed to the repository each run) and a real database: whatever a repository commits ends as
// a validated config or as one "needs attention" issue with the problems, in bounded time, with
// no prototype pollution and no crash of the process.
import fc from "fast-check";
import type { Context } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { getRepository, upsertInstallation, upsertRepositories } from "../../db/installations.js";
import { CONFIG_ISSUE_TITLE, loadRepoConfig } from "../../handlers/repo-config.js";
import { createProbot } from "../../src/github/probot.js";
import { createLogger } from "../../src/logger.js";
import { defaultRepoConfig, NOT_A_MAPPING, parseRepoConfigText, type RepoConfig, repoConfigSchema } from "../../src/repo-config.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double/index.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { testConfig, testPrivateKey } from "../support/test-config.js";
import { floods, fragments, PER_INPUT_MS, RUNS } from "./bounded.js";

const REPO = "acme/fz";
// Each run commits a file to the double (six git processes) and reads it over HTTP: a tenth of the
// runs of the pure suites (the parser itself is fuzzed at full count in text-parsers.test.ts).
const opts = { numRuns: Math.max(20, Math.floor(RUNS / 10)) };
let gh: GitHubDouble;
let temp: TempDatabase;
let database: DatabaseHandle;
let probot: ReturnType<typeof createProbot>;
let issueNumber = 0;
let seq = 0;
let last: { config: RepoConfig | null; error?: unknown } = { config: null };

/** Commits `text` as .github/lego.yml (null: none) and runs loadRepoConfig from a real issues.opened event. */
async function load(text: string | null): Promise<{ config: RepoConfig | null; ms: number; problems: string | null }> {
  await gh.commitFiles(REPO, { branch: "main", files: { ".github/lego.yml": text }, message: `config ${++seq}` });
  const started = performance.now();
  last = { config: null };
  await probot.receive({ id: `cfg-${seq}`, name: "issues", payload: gh.payloads.issuesOpened(REPO, issueNumber) } as never);
  const ms = performance.now() - started;
  if (last.error) throw last.error;
  const issue = configIssue();
  return { config: last.config, ms, problems: issue?.state === "open" ? (issue.body ?? "") : null };
}

function configIssue() {
  // The newest: a config issue closed once the file was fixed stays closed; a new problem opens another.
  return [...gh.state.issues.values()].filter((i) => i.title === CONFIG_ISSUE_TITLE && !i.pull).sort((a, b) => b.number - a.number)[0];
}

const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort().join(",");
const cleanPrototype = prototypeKeys();

beforeAll(async () => {
  gh = await startGitHubDouble({ appId: 4242, privateKey: testPrivateKey(), webhookSecret: "s" });
  await gh.createRepo(REPO, { files: { "README.md": "x\n" } });
  gh.addUser("alice", { permissions: { [REPO]: "write" } });
  gh.addInstallation({ id: 9, account: { login: "acme", type: "Organization" }, repositories: [REPO] });
  issueNumber = gh.createIssue(REPO, { title: "bug", body: "x", user: "alice" }).number;
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "unused" });
  await migrate(database);
  await upsertInstallation(database.db, { id: 9, accountLogin: "acme", accountType: "Organization" });
  await upsertRepositories(database.db, 9, [{ id: gh.state.mustRepo(REPO).id, fullName: REPO, private: false, defaultBranch: "main" }]);
  probot = createProbot(testConfig({ GITHUB_API_URL: gh.url, PRIVATE_KEY: gh.privateKey }), createLogger("silent"), { retries: false });
  await probot.load((app) => {
    app.on("issues.opened", async (context) => {
      try {
        last = { config: await loadRepoConfig(context as unknown as Context<"issues">, { db: database.db, queues: undefined as never }) };
      } catch (error) {
        last = { config: null, error };
      }
    });
  });
}, 60_000);

afterAll(async () => {
  await database?.close();
  await temp?.drop();
  await gh?.close();
});

/** What every outcome must be: a valid config, or a recorded, explained refusal; nothing else. */
function expectOutcome(r: { config: RepoConfig | null; ms: number; problems: string | null }): void {
  expect(r.ms, "one delivery's config read").toBeLessThan(PER_INPUT_MS * 2);
  if (r.config) {
    expect(repoConfigSchema.parse(r.config)).toEqual(r.config);
    expect(r.problems, "a valid file closes the config issue").toBeNull();
  } else {
    expect(r.problems, "a refused file is explained in the config issue").toMatch(/\*\*Problems found:\*\*\n- \S/);
    // In our words, not the loader's internals.
    expect(r.problems).not.toContain("[@probot/");
  }
  expect(prototypeKeys()).toBe(cleanPrototype);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

describe(".github/lego.yml read through Probot's loader (context.config)", () => {
  const yamlText = fc.oneof(
    fragments(["harvest:\n", "autofix:\n", "  k: ", "  minScore: ", "  trigger: ", "label", "all", "\n", "- ", ": ", "&a ", "*a", "!!str ", "!!binary ", "!!set ", "!!omap ", "<<: *a\n", "{", "}", "[", "]", "'", '"', "0.5", "true", "~", "_extends: ", "fz\n", ".github\n", "other:x.yml\n", "__proto__:\n", "  polluted: 1\n", "constructor:\n", "  prototype:\n", "    polluted: 1\n", "---\n", "...\n", "%YAML 1.2\n", "#"]),
    fc.string({ unit: "grapheme", maxLength: 200 }),
    floods(["[", "{", "- ", "&a [*a, ", "'", "  ", "{a: ", "- [", "? ", "a:\n "]),
  );

  it("gives a validated config or an explained refusal, quickly, whatever the repository commits", async () => {
    await fc.assert(fc.asyncProperty(yamlText, async (text) => expectOutcome(await load(text))), opts);
  }, 300_000);

  it("gives the defaults without a file and recovers (closing the issue) once the file is fixed", async () => {
    await load("autofix: [\n");
    expect(configIssue()?.state).toBe("open");
    const fixed = await load(null);
    expect(fixed.config).toEqual(defaultRepoConfig);
    expect(configIssue()?.state).toBe("closed");
    expect((await getRepository(database.db, REPO))?.configIssueNumber).toBeNull();
    const set = await load("autofix:\n  k: 2\n  trigger: label\n");
    expect(set.config?.autofix).toMatchObject({ k: 2, trigger: "label" });
  });

  it("never pollutes Object.prototype through __proto__, constructor or merge keys", async () => {
    for (const text of [
      "__proto__:\n  polluted: 1\n",
      "autofix:\n  __proto__:\n    polluted: 1\n",
      "constructor:\n  prototype:\n    polluted: 1\n",
      "a: &a {polluted: 1}\n__proto__: *a\n",
      "__proto__: {__proto__: {polluted: 1}}\nautofix: {k: 2}\n",
      '{"__proto__": {"polluted": 1}, "autofix": {"k": 2}}\n',
      "<<: {__proto__: {polluted: 1}}\n",
    ]) {
      const r = await load(text);
      expectOutcome(r);
    }
  });

  it("bounds alias bombs (billion laughs) and deep nesting, and says what is wrong", async () => {
    const laughs = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
    for (const text of [`${laughs}\n`, `${laughs}\nautofix:\n  label: *i\n`, "[".repeat(3000), "{a: ".repeat(3000), "- ".repeat(3000), "? ".repeat(3000), `# ${"x".repeat(70_000)}\n`]) {
      const r = await load(text);
      expectOutcome(r);
      expect(r.config, text.slice(0, 40)).toBeNull();
      expect(r.problems).toMatch(/\n- (not valid YAML: Excessive alias count|collections are nested more than 32 levels deep|the file is larger than 64 KB) /);
    }
  });

  it("refuses a whole document of false, 0 or '' as `lego harvest` does (the loader alone gives the defaults), and an empty file is the defaults", async () => {
    for (const text of ["false\n", "0\n", "''\n", "--- false\n", "just words\n"]) {
      const r = await load(text);
      expectOutcome(r);
      expect(r.config, text).toBeNull();
      expect(r.problems).toContain(`- ${NOT_A_MAPPING}`);
      expect(parseRepoConfigText(text)).toEqual({ ok: false, errors: [NOT_A_MAPPING] });
    }
    for (const text of ["", "# nothing set\n", "~\n"]) {
      const r = await load(text);
      expect(r.config, JSON.stringify(text)).toEqual(defaultRepoConfig);
      expect(parseRepoConfigText(text)).toEqual({ ok: true, config: defaultRepoConfig });
    }
  });

  it("reports a broken _extends precisely", async () => {
    const self = await load("_extends: fz\n");
    expect(self.config).toBeNull();
    expect(self.problems).toMatch(/_extends/);
    const bad = await load("_extends: 'no such thing!'\n");
    expect(bad.config).toBeNull();
    expect(bad.problems).toMatch(/_extends/);
  });
});
