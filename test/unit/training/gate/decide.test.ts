import { describe, expect, it } from "vitest";
import { decideGate, signTest, type TaskResult } from "../../../../training/gate/decide.js";

const side = (resolved: number, graded: number, errors = 0) => ({ resolved, graded, errors, errorReasons: errors ? ["endpoint down"] : [] });
const tasks = (n: number, cand: (i: number) => number, cur: (i: number) => number): TaskResult[] =>
  Array.from({ length: n }, (_, i) => ({ instanceId: `t-${i}`, candidate: side(cand(i), 1), current: side(cur(i), 1) }));
const names = { candidate: "new", current: "old" };

describe("decideGate", () => {
  it("promotes when the candidate beats the current model by the margin on enough tasks", () => {
    const r = decideGate(names, tasks(20, (i) => (i < 12 ? 1 : 0), (i) => (i < 10 ? 1 : 0)));
    expect(r).toMatchObject({ decision: "promote", deltaPoints: 10, tasks: { evaluated: 20, excluded: 0, total: 20 }, paired: { both: 10, "candidate-only": 2, "current-only": 0, neither: 8 } });
    expect(r.candidate).toMatchObject({ name: "new", resolveRate: 0.6, resolved: 12, graded: 20 });
    expect(r.reason).toBe("new resolved 60.0% against 50.0% for old on 20 tasks: +10 points, at least the 2-point margin");
    expect(r.signTestP).toBe(0.5);
  });

  it("rejects a gain below the margin, a tie and a loss", () => {
    expect(decideGate(names, tasks(50, (i) => (i < 25 ? 1 : 0), (i) => (i < 25 ? 1 : 0))).decision).toBe("reject");
    expect(decideGate(names, tasks(100, (i) => (i < 51 ? 1 : 0), (i) => (i < 50 ? 1 : 0))).decision).toBe("reject");
    expect(decideGate(names, tasks(100, (i) => (i < 52 ? 1 : 0), (i) => (i < 50 ? 1 : 0))).decision).toBe("promote");
    const worse = decideGate(names, tasks(20, () => 0, () => 1));
    expect(worse).toMatchObject({ decision: "reject", deltaPoints: -100 });
    expect(worse.reason).toContain("-100 points, short of the 2-point margin");
  });

  it("says insufficient evidence below the minimum, counting only tasks both models were graded on", () => {
    const few = decideGate(names, tasks(19, () => 1, () => 0));
    expect(few.decision).toBe("insufficient-evidence");
    expect(few.reason).toContain("19 task(s) had graded rollouts from both models, fewer than the 20 required");
    const down = tasks(25, () => 1, () => 0).map((t, i) => (i < 10 ? { ...t, candidate: side(0, 0, 1) } : t));
    const r = decideGate(names, down);
    expect(r).toMatchObject({ decision: "insufficient-evidence", tasks: { evaluated: 15, excluded: 10 }, candidate: { errors: 10 } });
    expect(r.perTask[0]).toMatchObject({ pairing: "excluded", candidateRate: null });
    expect(decideGate(names, tasks(3, () => 1, () => 0), { margin: 2, minTasks: 3 }).decision).toBe("promote");
  });

  it("compares k rollouts per task by their resolve fractions", () => {
    const r = decideGate(names, [{ instanceId: "a", candidate: side(3, 4), current: side(1, 4) }], { margin: 2, minTasks: 1 });
    expect(r).toMatchObject({ decision: "promote", deltaPoints: 50, paired: { "candidate-only": 1 } });
  });

  it("sign test", () => {
    expect(signTest(0, 0)).toBeNull();
    expect(signTest(5, 0)).toBeCloseTo(0.0625, 6);
    expect(signTest(3, 3)).toBe(1);
  });
});
