import { describe, expect, it } from "vitest";
import { trajgenJobs } from "../../../../src/trajgen/enqueue.js";

describe("trajgenJobs", () => {
  it("one job per rollout, ids derived from the task, the teacher and the index, without ':'", () => {
    const jobs = trajgenJobs({ instanceId: "acme__calc-7", repo: "acme/calc" }, 5, { model: "org/Teacher:v2", k: 2 });
    expect(jobs).toEqual([
      { id: "trajgen-acme__calc-7-org_Teacher_v2-r0", data: { instanceId: "acme__calc-7", repo: "acme/calc", installationId: 5, index: 0, model: "org/Teacher:v2", rolloutId: "acme__calc-7-org_Teacher_v2-r0" } },
      { id: "trajgen-acme__calc-7-org_Teacher_v2-r1", data: { instanceId: "acme__calc-7", repo: "acme/calc", installationId: 5, index: 1, model: "org/Teacher:v2", rolloutId: "acme__calc-7-org_Teacher_v2-r1" } },
    ]);
  });
});
