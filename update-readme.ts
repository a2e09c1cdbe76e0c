// `npm run docs`: rewrites the README's configuration tables from the schemas (the README test
// fails until this has been run after a change to either schema).
import { readFileSync, writeFileSync } from "node:fs";
import { configTableMarkdown } from "./src/config.js";
import { repoConfigTableMarkdown } from "./src/repo-config.js";

const file = new URL("./README.md", import.meta.url);
let text = readFileSync(file, "utf8");
for (const [name, table] of [["config-table", configTableMarkdown()], ["repo-config-table", repoConfigTableMarkdown()]] as const) {
  const re = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(\\n<!-- ${name}:end -->)`);
  if (!re.test(text)) throw new Error(`README.md has no ${name} markers`);
  text = text.replace(re, (_m, a: string, b: string) => `${a}${table}${b}`);
}
writeFileSync(file, text);
