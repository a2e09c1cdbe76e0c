"""Test fixture: shorten a LegoFactory SFT export so the tiny CPU model can learn from it.

The tiny model reads at most 2048 byte tokens, while an export's system prompt carries OpenHands'
8 KB tool description and its user and tool messages carry the task text and command output, so
without this no assistant token would fit. System, user and tool messages are cut to their first
300 characters; assistant messages (what is learned) are kept. A real model (32k+ context) trains
on the export as it is."""
import glob
import json
import sys

for path in glob.glob(sys.argv[1] + "/*.jsonl"):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            for m in row.get("messages", []):
                if m.get("role") != "assistant" and isinstance(m.get("content"), str):
                    m["content"] = m["content"][:300]
            rows.append(row)
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
