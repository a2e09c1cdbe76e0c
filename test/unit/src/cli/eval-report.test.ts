import { describe, expect, it } from "vitest";
import { type EvalReport, swebenchReport } from "../../../../src/cli/commands/eval.js";

const r = (instance_id: string, resolved: boolean, valid: boolean): EvalReport => ({ instance_id, model_name_or_path: "m", resolved, valid, reason: null });

describe("swebenchReport", () => {
  it("sorts ids into resolved, unresolved, empty-patch and error as the SWE-bench harness does", () => {
    const reports = [r("a__b-2", true, true), r("a__b-1", false, true), r("a__b-3", false, false), r("a__b-4", false, false)];
    const submitted = [
      { instance_id: "a__b-1", model_patch: "diff" },
      { instance_id: "a__b-2", model_patch: "diff" },
      { instance_id: "a__b-3", model_patch: "" },
      { instance_id: "a__b-4", model_patch: "diff" },
    ];
    expect(swebenchReport(reports, submitted)).toEqual({
      total_instances: 4,
      submitted_instances: 4,
      completed_instances: 2,
      resolved_instances: 1,
      unresolved_instances: 1,
      empty_patch_instances: 1,
      error_instances: 1,
      completed_ids: ["a__b-1", "a__b-2"],
      resolved_ids: ["a__b-2"],
      unresolved_ids: ["a__b-1"],
      empty_patch_ids: ["a__b-3"],
      error_ids: ["a__b-4"],
      schema_version: 2,
    });
  });
});
