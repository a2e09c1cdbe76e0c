// The hidden machine-readable metadata of a LegoFactory PR body (Renovate style): written on the
// way out, parsed back when GitHub tells us about the PR.
import { z } from "zod";

const prMetaSchema = z
  .strictObject({
    version: z.literal(1),
    attemptId: z.number().int().positive(),
    issue: z.number().int().positive(),
    chosenRolloutId: z.string().min(1).max(200),
    siblingRolloutIds: z.array(z.string().min(1).max(200)).max(64),
    // SHA-1 or SHA-256 object names.
    headSha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
  })
  .refine((m) => !m.siblingRolloutIds.includes(m.chosenRolloutId), { message: "the chosen rollout cannot be its own sibling" });

export type PrMeta = z.infer<typeof prMetaSchema>;

const META = /<!--\s*lego:meta\s*([\s\S]*?)-->/g;

/**
 * Validated on the way out: metadata that would not parse back would silently detach the PR from
 * its attempt. Escaping `<` and `>` keeps the JSON from ending the comment that carries it.
 */
export function metaComment(meta: PrMeta): string {
  const json = JSON.stringify(prMetaSchema.parse(meta)).replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
  return `<!-- lego:meta ${json} -->`;
}

/**
 * The metadata of a LegoFactory PR body; null when there is none, more than one block, or a
 * block that does not parse exactly (someone edited it). Text around the block may change freely.
 * A well-formed edit cannot be detected here, so callers check the ids against their records.
 */
export function parsePrMeta(body: string): PrMeta | null {
  const blocks = [...body.matchAll(META)];
  if (blocks.length !== 1) return null;
  let json: unknown;
  try {
    json = JSON.parse((blocks[0] as RegExpMatchArray)[1] as string);
  } catch {
    return null;
  }
  const parsed = prMetaSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
