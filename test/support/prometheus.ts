// A strict reader of the Prometheus text exposition format (version 0.0.4): every line must be a
// comment, a HELP or TYPE line, or a sample `name{label="value",…} number`; anything else throws.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+-?\\d+)?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m?.[1]) throw new Error(`line ${line}: bad label set {${text}}`);
    labels[m[1]] = (m[2] ?? "").replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
  }
  return labels;
}

function parseValue(raw: string, line: number): number {
  if (raw === "+Inf") return Infinity;
  if (raw === "-Inf") return -Infinity;
  if (raw === "NaN") return NaN;
  const v = Number(raw);
  if (raw.trim() === "" || Number.isNaN(v)) throw new Error(`line ${line}: bad value ${raw}`);
  return v;
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: "untyped", help: "", samples: [] }));
    return f;
  };
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const meta = new RegExp(`^#\\s+(HELP|TYPE)\\s+(${NAME})\\s*(.*)$`).exec(line);
    if (meta) {
      const f = family(meta[2] ?? "");
      if (meta[1] === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(meta[3] ?? "")) throw new Error(`line ${i + 1}: unknown type ${meta[3]}`);
        f.type = meta[3] ?? "";
      } else f.help = meta[3] ?? "";
      return;
    }
    if (line.startsWith("#")) return;
    const m = SAMPLE.exec(line);
    if (!m?.[1] || m[3] === undefined) throw new Error(`line ${i + 1}: not a sample: ${line}`);
    const name = m[1];
    const base = [...families.keys()].find((f) => name === f || ["_bucket", "_sum", "_count", "_total", "_created"].some((s) => name === f + s)) ?? name;
    family(base).samples.push({ name, labels: m[2] ? parseLabels(m[2], i + 1) : {}, value: parseValue(m[3], i + 1) });
  });
  return families;
}
