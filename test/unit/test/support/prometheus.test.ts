import { describe, expect, it } from "vitest";
import { parsePrometheusText } from "../../../support/prometheus.js";

describe("Prometheus text reader (test support)", () => {
  it("reads families, labels and values, and refuses a malformed line", () => {
    const families = parsePrometheusText('# HELP a_total help\n# TYPE a_total counter\na_total{x="1",y="q\\"uote"} 3\n# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 2\n');
    expect(families.get("a_total")?.samples[0]).toEqual({ name: "a_total", labels: { x: "1", y: 'q"uote' }, value: 3 });
    expect(families.get("h")?.samples.map((s) => s.name)).toEqual(["h_bucket", "h_count"]);
    expect(() => parsePrometheusText("a_total{x=1} 3")).toThrow(/bad label set/);
    expect(() => parsePrometheusText("a_total three")).toThrow(/bad value/);
  });
});
