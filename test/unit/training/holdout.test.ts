import { describe, expect, it } from "vitest";
import { HoldoutIndex, parseInstanceId, type HoldoutEntry } from "../../../training/holdout.js";

describe("holdout", () => {
  it.each([
    ["django__django-11099", { repo: "django/django", pullNumber: 11099 }],
    ["astropy__astropy-12907", { repo: "astropy/astropy", pullNumber: 12907 }],
    ["scikit-learn__scikit-learn-10297", { repo: "scikit-learn/scikit-learn", pullNumber: 10297 }],
    ["owner__my.repo_x-7", { repo: "owner/my.repo_x", pullNumber: 7 }],
    ["not-an-id", null],
    ["owner__repo", null],
  ])("reads %s", (id, expected) => {
    expect(parseInstanceId(id)).toEqual(expected);
  });

  const entry = (e: Partial<HoldoutEntry>): HoldoutEntry => ({ instanceId: null, repo: null, pullNumber: null, patchHash: null, wholeRepo: false, ...e });
  const index = new HoldoutIndex([
    entry({ instanceId: "django__django-11099", repo: "django/django", pullNumber: 11099, patchHash: "h1" }),
    entry({ instanceId: "acme__widgets-synth-1", patchHash: "h2" }),
    entry({ repo: "secret/eval-only", wholeRepo: true }),
  ]);

  it.each([
    ["the same instance id", { instanceId: "django__django-11099", repo: "x/y", pullNumber: null, patchHash: null }, "holdout:instance-id"],
    ["the same repository and PR under another id", { instanceId: "lego-task-1", repo: "Django/Django", pullNumber: 11099, patchHash: null }, "holdout:repo-pr"],
    ["the same gold patch elsewhere", { instanceId: "fork__django-5", repo: "fork/django", pullNumber: 5, patchHash: "h1" }, "holdout:patch-hash"],
    ["a synthetic task with the held-out patch", { instanceId: "acme__widgets-synth-9", repo: "acme/widgets", pullNumber: null, patchHash: "h2" }, "holdout:patch-hash"],
    ["a held-out repository", { instanceId: "secret__eval-only-3", repo: "secret/eval-only", pullNumber: 3, patchHash: null }, "holdout:repo"],
    ["another PR of the same repository", { instanceId: "django__django-11100", repo: "django/django", pullNumber: 11100, patchHash: "h9" }, null],
  ] as const)("matches %s", (_name, task, reason) => {
    expect(index.match(task)).toBe(reason);
  });
});
