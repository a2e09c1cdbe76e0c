"""Test fixture: cut each system message of a LegoFactory SFT export to its first line.

The tiny CPU model reads at most 2048 byte tokens, and an export's system prompt carries
OpenHands' 8 KB tool description, so without this no assistant token would fit. A real model
(32k+ context) trains on the export as it is."""
import glob
import json
import sys

for path in glob.glob(sys.argv[1] + "/*.jsonl"):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            for m in row.get("messages", []):
                if m.get("role") == "system":
                    m["content"] = m["content"].split("\n", 1)[0][:200]
            rows.append(row)
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
