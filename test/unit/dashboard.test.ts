import { describe, expect, it } from "vitest";
import { classifyDiffLine, renderDiff } from "../../src/web/dashboard/diff.js";
import { clip, href, html, jsonBlock } from "../../src/web/dashboard/html.js";
import { BadQueryError, parseQuery, tasksQuery, windowStart } from "../../src/web/dashboard/params.js";
import { decodeSession, encodeSession, narrowTo, safeNext, secretMatches, sessionKey, type Viewer } from "../../src/web/dashboard/session.js";
import { parsePrometheusText } from "../support/prometheus.js";

describe("html", () => {
  it("escapes interpolated text and keeps Html as it is", () => {
    const evil = `<script>alert("x")</script>&'`;
    expect(html`<p>${evil}</p>`.value).toBe("<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>");
    expect(html`<ul>${["a", "<b>"].map((x) => html`<li>${x}</li>`)}</ul>`.value).toBe("<ul><li>a</li><li>&lt;b&gt;</li></ul>");
    expect(html`${null}${undefined}${false}${0}`.value).toBe("0");
  });

  it("embeds JSON that no text can break out of", () => {
    const block = jsonBlock("c", { label: "</script><script>alert(1)</script>" }).value;
    expect(block.match(/<\/script>/g)).toHaveLength(1);
    expect(JSON.parse(block.replace(/^<script[^>]*>/, "").replace(/<\/script>$/, ""))).toEqual({ label: "</script><script>alert(1)</script>" });
  });

  it.each([
    ["short", 10, "short", 0],
    ["0123456789abcdefghij", 8, "012345\n…\nij", 12],
  ])("clips %j to %i characters", (text, max, shown, omitted) => {
    expect(clip(text, max)).toEqual({ text: shown, omitted });
  });

  it("builds links without empty parameters", () => {
    expect(href("/dashboard/tasks", { status: "valid", repo: undefined, page: 2, reason: "" })).toBe("/dashboard/tasks?status=valid&page=2");
  });
});

describe("diff lines", () => {
  it.each([
    ["diff --git a/x b/x", "file"],
    ["--- a/x", "file"],
    ["+++ b/x", "file"],
    ["@@ -1,2 +1,2 @@", "hunk"],
    ["+added", "add"],
    ["-removed", "del"],
    [" context", "ctx"],
  ])("%j is %s", (line, kind) => expect(classifyDiffLine(line)).toBe(kind));

  it("cuts a long diff and says how much is left", () => {
    const out = renderDiff(Array.from({ length: 10 }, (_, i) => `+${i}`).join("\n"), 4).value;
    expect(out.match(/d-add/g)).toHaveLength(4);
    expect(out).toContain("6 more lines not shown");
  });
});

describe("query strings", () => {
  it("fills defaults and treats blank form fields as unset", () => {
    expect(parseQuery(tasksQuery, { status: "", repo: "", installation: "" })).toMatchObject({ page: 1, per_page: 50, window: "30d", status: undefined, repo: undefined, installation: undefined });
  });

  it.each([
    [{ per_page: "1000000" }, "per_page: must be at most 100"],
    [{ page: "0" }, "page: must be at least 1"],
    [{ page: "1.5" }, "page: must be a whole number"],
    [{ installation: "abc" }, "installation: must be a whole number"],
    [{ repo: "no-slash" }, "repo: must be owner/name"],
    [{ status: "done" }, "status: must be one of candidate, validating, valid, invalid, skipped"],
    [{ window: "1y" }, "window: must be one of 24h, 7d, 30d, 90d, all"],
    [{ reason: "x".repeat(301) }, "reason: must be at most 300 characters"],
    [{ status: ["valid", "invalid"] }, "status: given more than once"],
  ])("refuses %j", (query, message) => {
    expect(() => parseQuery(tasksQuery, query)).toThrow(BadQueryError);
    expect(() => parseQuery(tasksQuery, query)).toThrow(message);
  });

  it("turns a window into its start", () => {
    const now = new Date("2026-01-31T00:00:00Z");
    expect(windowStart("7d", now)?.toISOString()).toBe("2026-01-24T00:00:00.000Z");
    expect(windowStart("all", now)).toBeNull();
  });
});

describe("sessions", () => {
  const alice: Viewer = { login: "alice", via: "github", installations: [101] };

  it("round-trips a viewer until it expires", () => {
    const value = encodeSession(alice, 1000);
    expect(decodeSession(value, 2000)).toEqual(alice);
    expect(decodeSession(value, 1000 + 9 * 3600_000)).toBeNull();
  });

  it.each([
    ["not base64 json", "%%%"],
    ["a GitHub session claiming every installation", Buffer.from(JSON.stringify({ l: "x", v: "github", i: "all", e: 9e15 })).toString("base64url")],
    ["installations that are not numbers", Buffer.from(JSON.stringify({ l: "x", v: "github", i: ["101"], e: 9e15 })).toString("base64url")],
    ["an unknown kind", Buffer.from(JSON.stringify({ l: "x", v: "root", i: "all", e: 9e15 })).toString("base64url")],
  ])("rejects %s", (_what, value) => expect(decodeSession(value, 0)).toBeNull());

  it.each([
    ["/dashboard/tasks?status=valid", "/dashboard/tasks?status=valid"],
    ["/dashboard", "/dashboard"],
    ["//evil.example/dashboard", "/dashboard"],
    ["https://evil.example/", "/dashboard"],
    ["/dashboardx", "/dashboard"],
    ["/dashboard/\\evil", "/dashboard"],
    [undefined, "/dashboard"],
  ])("follows %j after sign-in as %j", (next, to) => expect(safeNext(next)).toBe(to));

  it("narrows a viewer to one of their installations, never to another", () => {
    expect(narrowTo(alice, undefined)).toEqual([101]);
    expect(narrowTo(alice, 101)).toEqual([101]);
    expect(narrowTo(alice, 202)).toBeNull();
    expect(narrowTo({ login: "token", via: "token", installations: "all" }, 202)).toEqual([202]);
  });

  it("compares secrets and derives a signing key", () => {
    expect(secretMatches("abc", "abc")).toBe(true);
    expect(secretMatches("abc", "abcd")).toBe(false);
    expect(sessionKey({ sessionSecret: "s".repeat(32) })).toBe("s".repeat(32));
    expect(sessionKey({ privateKey: "pem" })).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionKey({})).toBeUndefined();
  });
});

describe("Prometheus text reader (test support)", () => {
  it("reads families, labels and values, and refuses a malformed line", () => {
    const families = parsePrometheusText('# HELP a_total help\n# TYPE a_total counter\na_total{x="1",y="q\\"uote"} 3\n# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 2\n');
    expect(families.get("a_total")?.samples[0]).toEqual({ name: "a_total", labels: { x: "1", y: 'q"uote' }, value: 3 });
    expect(families.get("h")?.samples.map((s) => s.name)).toEqual(["h_bucket", "h_count"]);
    expect(() => parsePrometheusText("a_total{x=1} 3")).toThrow(/bad label set/);
    expect(() => parsePrometheusText("a_total three")).toThrow(/bad value/);
  });
});
