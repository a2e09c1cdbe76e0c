import { describe, expect, it } from "vitest";
import { clip, href, html, jsonBlock } from "../../../../../src/web/dashboard/html.js";

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
