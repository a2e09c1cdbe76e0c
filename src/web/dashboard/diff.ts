// A unified diff as HTML lines classed by kind (file header, hunk, added, removed, context),
// every line escaped. Long diffs are cut to keep the page bounded. Pure.
import { type Html, html } from "./html.js";

export type DiffLineKind = "file" | "hunk" | "add" | "del" | "ctx";

export function classifyDiffLine(line: string): DiffLineKind {
  if (/^(diff --git |index |--- |\+\+\+ |new file mode|deleted file mode|similarity index|rename (from|to) |Binary files )/.test(line)) return "file";
  if (line.startsWith("@@")) return "hunk";
  if (line.startsWith("+")) return "add";
  if (line.startsWith("-")) return "del";
  return "ctx";
}

export function renderDiff(diff: string, maxLines = 3000): Html {
  if (!diff.trim()) return html`<p class="empty">(empty)</p>`;
  const lines = diff.replace(/\n$/, "").split("\n");
  const shown = lines.slice(0, maxLines);
  const more = lines.length - shown.length;
  return html`<pre class="diff">${shown.map((l) => html`<span class="d-${classifyDiffLine(l)}">${l || " "}</span>`)}</pre>${more > 0 ? html`<p class="note">${more} more lines not shown.</p>` : ""}`;
}
