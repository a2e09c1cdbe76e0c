import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, configTableMarkdown, githubApiUrl, loadConfig, webhookSecretsOf } from "../../../src/config.js";

const pem = generateKeyPairSync("rsa", {
  modulusLength: 1024,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("gives embedded defaults with no environment at all", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, HOST: "127.0.0.1", LOG_LEVEL: "info", DATABASE_URL: undefined, REDIS_URL: "redis://127.0.0.1:6379", hasAppCredentials: false });
    expect(c.githubApiUrl).toBe("https://api.github.com");
  });

  it("lets flags override the environment", () => {
    expect(loadConfig({ PORT: "4000" }, { PORT: "5000" }).PORT).toBe(5000);
    expect(loadConfig({ PORT: "4000" }, { PORT: undefined }).PORT).toBe(4000);
  });

  it("names each bad value and what to set", () => {
    const p = problems(() => loadConfig({ PORT: "http", LOG_LEVEL: "loud" }));
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^PORT: .*got "http".*Set PORT/);
    expect(p[1]).toMatch(/^LOG_LEVEL: .*got "loud"/);
  });

  it("requires a key and a secret with APP_ID, naming both", () => {
    const p = problems(() => loadConfig({ APP_ID: "12" }));
    expect(p.join("\n")).toMatch(/PRIVATE_KEY: required with APP_ID/);
    expect(p.join("\n")).toMatch(/WEBHOOK_SECRET: required with APP_ID/);
  });

  it("rejects a non-numeric APP_ID and a key that is not PEM", () => {
    const p = problems(() => loadConfig({ APP_ID: "my-app", PRIVATE_KEY: "abc", WEBHOOK_SECRET: "s" }));
    expect(p.join("\n")).toMatch(/APP_ID: must be the numeric App ID/);
    expect(p.join("\n")).toMatch(/PRIVATE_KEY: not a PEM private key/);
  });

  it("reads PRIVATE_KEY_PATH and unescapes \\n in PRIVATE_KEY", () => {
    const fromPath = loadConfig({ APP_ID: "1", PRIVATE_KEY_PATH: "/k.pem", WEBHOOK_SECRET: "s" }, {}, () => pem);
    expect(fromPath.privateKey).toBe(pem);
    expect(fromPath.hasAppCredentials).toBe(true);
    const escaped = loadConfig({ APP_ID: "1", PRIVATE_KEY: pem.replace(/\n/g, "\\n"), WEBHOOK_SECRET: "s" });
    expect(escaped.privateKey).toBe(pem);
  });

  it("reports an unreadable PRIVATE_KEY_PATH with the errno", () => {
    const p = problems(() =>
      loadConfig({ APP_ID: "1", PRIVATE_KEY_PATH: "/nope.pem", WEBHOOK_SECRET: "s" }, {}, () => {
        throw Object.assign(new Error("x"), { code: "ENOENT" });
      }),
    );
    expect(p[0]).toMatch(/PRIVATE_KEY_PATH: cannot read \/nope\.pem \(ENOENT\)/);
  });

  it("derives the API URL for GitHub Enterprise Server", () => {
    expect(githubApiUrl({ GHE_HOST: "ghe.example.com", GHE_PROTOCOL: "https", GITHUB_API_URL: undefined })).toBe("https://ghe.example.com/api/v3");
    expect(githubApiUrl({ GHE_HOST: "127.0.0.1:9", GHE_PROTOCOL: "http", GITHUB_API_URL: undefined })).toBe("http://127.0.0.1:9/api/v3");
    expect(githubApiUrl({ GHE_HOST: "x", GHE_PROTOCOL: "https", GITHUB_API_URL: "http://h:1/" })).toBe("http://h:1");
  });

  it("documents every option in the configuration table", () => {
    const table = configTableMarkdown();
    expect(table).toContain("| `PORT` | `3000` |");
    expect(table).toContain("| `DATABASE_URL` |  | PostgreSQL URL");
  });
});

describe("webhookSecretsOf", () => {
  it.each([
    [undefined, []],
    ["s3cret", ["s3cret"]],
    ["new-one, old-one", ["new-one", "old-one"]],
    [" a ,, b ,", ["a", "b"]],
  ] as [string | undefined, string[]][])("%j → %j", (value, expected) => expect(webhookSecretsOf(value)).toEqual(expected));
});
