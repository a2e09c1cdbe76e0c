// The one table of bug-injection strategies: a new strategy is a file meeting the contract in
// ../types.ts and its line here.
import type { Strategy, StrategyName } from "../types.js";
import { astStrategy } from "./ast.js";
import { combineStrategy } from "./combine.js";
import { llmModifyStrategy } from "./llm-modify.js";
import { llmRewriteStrategy } from "./llm-rewrite.js";

export const strategies: Record<StrategyName, Strategy> = {
  ast: astStrategy,
  "llm-modify": llmModifyStrategy,
  "llm-rewrite": llmRewriteStrategy,
  combine: combineStrategy,
};
