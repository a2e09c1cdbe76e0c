import { describe, expect, it } from "vitest";
import { buildManifest, mergeEnv } from "../../../../src/web/manifest.js";

describe("app manifest", () => {
  it("carries app.yml's events and permissions and points GitHub back at this server", () => {
    const m = buildManifest("name: X\ndefault_events: [issues]\ndefault_permissions: {issues: write}\n", "http://localhost:3000");
    expect(m).toMatchObject({
      name: "X",
      default_events: ["issues"],
      default_permissions: { issues: "write" },
      redirect_url: "http://localhost:3000/probot/setup",
      hook_attributes: { url: "http://localhost:3000/api/github/webhooks" },
    });
    expect(buildManifest("name: X", "http://h", "https://proxy/abc").hook_attributes).toEqual({ url: "https://proxy/abc", active: true });
  });
  it("merges credentials into .env, replacing old values and keeping others", () => {
    expect(mergeEnv("PORT=1\nAPP_ID=old\n", { APP_ID: "2", PRIVATE_KEY: "a\nb" })).toBe('PORT=1\nAPP_ID="2"\nPRIVATE_KEY="a\\nb"\n');
  });
});
