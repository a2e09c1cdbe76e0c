// Strategy `ast`: procedural mutations through the language's parser. Each site is a set of
// byte-range edits inside the target function; a mutant that does not parse is discarded with
// the parser's reason, as is one that changes nothing.
import { createDiff } from "../../diff/index.js";
import { javascriptSites } from "../ast/javascript.js";
import type { MutationSite, OperatorName, SiteFinder } from "../ast/operators.js";
import { pythonSites } from "../ast/python.js";
import { applyEdits } from "../edits.js";
import { findFunction } from "../functions.js";
import { parse, parseProblem, type SourceLanguage } from "../languages.js";
import { shuffled } from "../random.js";
import type { Attempt, Strategy, Target } from "../types.js";

const finders: Record<SourceLanguage, SiteFinder> = { python: pythonSites, javascript: javascriptSites, typescript: javascriptSites, tsx: javascriptSites };

/** Every mutation site of the target function in `text`; null when the function is not there. */
export async function mutationSites(text: string, target: Pick<Target, "language" | "symbol" | "startLine">): Promise<MutationSite[] | null> {
  const tree = await parse(text, target.language);
  try {
    const fn = findFunction(tree.rootNode, target.language, target.symbol, target.startLine);
    return fn ? finders[target.language](tree.rootNode, text, fn) : null;
  } finally {
    tree.delete();
  }
}

/** One site made into a candidate, or the reason it cannot be one. */
export async function mutantOf(text: string, target: Pick<Target, "file" | "language" | "symbol" | "tests">, site: MutationSite): Promise<Attempt> {
  const strategy = `ast:${site.operator}`;
  const base = { strategy, operator: site.operator, file: target.file, symbol: target.symbol };
  const after = applyEdits(text, site.edits);
  if (after === text) return { ok: false, ...base, reason: "the mutation changes nothing" };
  const problem = await parseProblem(after, target.language);
  if (problem !== null) return { ok: false, ...base, reason: `the mutant does not parse: ${problem}` };
  return { ok: true, candidate: { ...base, lines: site.lines, bugPatch: createDiff([{ path: target.file, before: text, after }]), tests: target.tests } };
}

/** Sites in an order that visits every operator before any repeats, shuffled by the seed. */
function spread(sites: MutationSite[], random: () => number): MutationSite[] {
  const byOperator = new Map<OperatorName, MutationSite[]>();
  for (const s of shuffled(sites, random)) byOperator.set(s.operator, [...(byOperator.get(s.operator) ?? []), s]);
  const queues = shuffled([...byOperator.values()], random);
  const out: MutationSite[] = [];
  for (let round = 0; out.length < sites.length; round++) for (const q of queues) if (q[round]) out.push(q[round] as MutationSite);
  return out;
}

export const astStrategy: Strategy = {
  name: "ast",
  unavailable: () => null,
  async generate({ repo, target, random, max }) {
    const base = { strategy: "ast", file: target.file, symbol: target.symbol };
    const text = await repo.read(target.file);
    if (text === undefined) return [{ ok: false, ...base, reason: `${target.file} is not in the snapshot` }];
    const sites = await mutationSites(text, target);
    if (sites === null) return [{ ok: false, ...base, reason: `no function ${target.symbol} at line ${target.startLine} of ${target.file}` }];
    if (sites.length === 0) return [{ ok: false, ...base, reason: `no mutation operator applies to ${target.symbol}` }];
    const out: Attempt[] = [];
    for (const site of spread(sites, random)) {
      if (out.filter((a) => a.ok).length >= max) break;
      out.push(await mutantOf(text, target, site));
    }
    return out;
  },
};
