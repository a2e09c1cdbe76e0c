// A stored trajectory as the exporters read it, from the database's JSON columns or from
// `lego rollout` lines: checked before use, because a corrupt or truncated message list must be
// reported with its reason rather than crash an export or slip into a dataset. Pure.
import { z } from "zod";
import type { ActionMode, Step } from "../src/agent/index.js";
import { textModeSuffix } from "../src/agent/prompts.js";

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const content = z.union([z.string(), z.array(textPart)]).nullish();

const toolCall = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const message = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content }),
  z.object({ role: z.literal("user"), content }),
  z.object({ role: z.literal("assistant"), content, tool_calls: z.array(toolCall).nullish() }),
  z.object({ role: z.literal("tool"), content, tool_call_id: z.string() }),
]);

const step = z.object({
  index: z.number().int(),
  turn: z.number().int().min(1),
  action: z.object({ tool: z.string(), args: z.record(z.string(), z.unknown()), raw: z.string().optional() }).nullable(),
  // Not needed by the exports (a tool message carries the result) and left out when the database is read.
  observation: z.string().optional(),
  exitCode: z.number().int().nullable(),
  error: z.boolean(),
  errorKind: z.string().optional(),
});

// Built once: zod schemas are objects, and an export checks hundreds of thousands of trajectories.
const messageList = z.array(message);
const stepList = z.array(step);

export type StoredMessage = z.infer<typeof message>;
export type StoredStep = Pick<Step, "index" | "turn" | "action" | "exitCode" | "error" | "errorKind"> & { observation?: string };

export interface StoredTrajectory {
  messages: StoredMessage[];
  steps: StoredStep[];
  mode: ActionMode;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Checks the JSON of a trajectory; `mode` is inferred when the record does not say it. */
export function parseStoredTrajectory(raw: { messages: unknown; steps: unknown; mode?: unknown }): Parsed<StoredTrajectory> {
  const messages = messageList.safeParse(raw.messages);
  if (!messages.success) return { ok: false, reason: `corrupt message list: ${describeIssue(messages.error)}` };
  const steps = stepList.safeParse(raw.steps);
  if (!steps.success) return { ok: false, reason: `corrupt step records: ${describeIssue(steps.error)}` };
  const list = messages.data;
  if (list[0]?.role !== "system" || list[1]?.role !== "user") {
    return { ok: false, reason: "truncated message list: it must open with the system prompt and the task" };
  }
  const mode = raw.mode === "tools" || raw.mode === "text" ? raw.mode : inferMode(list);
  return { ok: true, value: { messages: list, steps: steps.data as StoredStep[], mode } };
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "unreadable";
}

/** Tool calls or tool results mean native tools; otherwise the system prompt says which mode. */
function inferMode(messages: StoredMessage[]): ActionMode {
  if (messages.some((m) => m.role === "tool" || (m.role === "assistant" && (m.tool_calls?.length ?? 0) > 0))) return "tools";
  const system = textOf(messages[0]?.content);
  return system.endsWith(textModeSuffix()) ? "text" : "tools";
}

/** A message's text; parts are joined as the OpenAI API joins them. */
export function textOf(value: StoredMessage["content"]): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : value.map((part) => part.text).join("");
}
