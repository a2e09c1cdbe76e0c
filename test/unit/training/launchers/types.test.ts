import { describe, expect, it } from "vitest";
import { shQuote } from "../../../../sandbox/quote.js";
import { fillTemplate, logTail, lossCurve, templateValues } from "../../../../training/launchers/types.js";

describe("launcher helpers", () => {
  it("reads the trainer's step lines out of a mixed log", () => {
    const log = ['$ torchrun ...', '{"step": 1, "loss": 2.5, "stage": "easy"}', "[lego_train] stage easy", '{"step": 2, "loss": null}', '{"loss": broken', '{"step": 3, "loss": 1.5}', ""].join("\n");
    expect(lossCurve(log)).toEqual([{ step: 1, loss: 2.5, stage: "easy" }, { step: 3, loss: 1.5 }]);
  });

  it("keeps the last lines of a log", () => {
    expect(logTail("a\nb\nc\n\n", 2)).toBe("b\nc");
    expect(logTail("x".repeat(100), 5, 10)).toBe("x".repeat(10));
  });

  it("fills placeholders with quoted values and names an unknown one", () => {
    const values = templateValues({ name: "lego-train-1", dataDir: "/d/my data", configPath: "/d/train.yaml", outputDir: "/o", baseModel: "Qwen/Qwen3-8B" });
    expect(fillTemplate("llamafactory-cli train {config} && ls {data} {output} {base_model}", values, shQuote)).toBe("llamafactory-cli train /d/train.yaml && ls '/d/my data' /o Qwen/Qwen3-8B");
    expect(() => fillTemplate("sbatch {script}", values, shQuote)).toThrow("unknown placeholder {script}; use {data}, {config}, {yaml}, {output}, {name}, {base_model}");
  });
});
