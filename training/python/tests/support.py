"""Export directories shaped like `lego export sft|verifier` output, built in temporary folders."""

from __future__ import annotations

import json
import os
from typing import Any, Optional

TAGS = {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant", "system_tag": "system"}


def trajectory(i: int, failed_first_action: bool = False) -> dict[str, Any]:
    """An agent trajectory in the OpenHands text format; the first action optionally failed."""
    first = {"role": "assistant", "content": f"<function=execute_bash>\n<parameter=command>cat src/mod{i}.py</parameter>\n</function>"}
    if failed_first_action:
        first["turn_mask"] = True
    return {
        "messages": [
            {"role": "system", "content": "You are a software engineer fixing an issue."},
            {"role": "user", "content": f"Issue {i}: parse() returns the wrong value."},
            first,
            {"role": "user", "content": "EXECUTION RESULT:\ndef parse():\n    return 1"},
            {"role": "assistant", "content": f"<function=finish>\n<parameter=message>fixed {i}</parameter>\n</function>"},
        ]
    }


def judgement(i: int, yes: bool) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": "You are an expert judge of software patches."},
            {"role": "user", "content": f"=== INTERACTION LOG ===\nrun {i}\n=== FINAL PATCH ===\n--- a/x.py\n+++ b/x.py"},
            {"role": "assistant", "content": "<judgement>YES</judgement>" if yes else "<judgement>NO</judgement>"},
        ]
    }


def write_jsonl(path: str, rows: list[Any]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write((row if isinstance(row, str) else json.dumps(row)) + "\n")


def write_export(directory: str, datasets: dict[str, list[Any]], stages: Optional[list[dict[str, Any]]] = None) -> str:
    """dataset_info.json + one JSONL per dataset (+ manifest.json with the stages when given)."""
    os.makedirs(directory, exist_ok=True)
    info = {}
    for name, rows in datasets.items():
        write_jsonl(os.path.join(directory, f"{name}.jsonl"), rows)
        info[name] = {"file_name": f"{name}.jsonl", "formatting": "sharegpt", "columns": {"messages": "messages"}, "tags": TAGS}
    with open(os.path.join(directory, "dataset_info.json"), "w", encoding="utf-8") as handle:
        json.dump(info, handle)
    manifest: dict[str, Any] = {"kind": "sft", "counts": {name: len(rows) for name, rows in datasets.items()}}
    if stages is not None:
        manifest["stages"] = stages
    with open(os.path.join(directory, "manifest.json"), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle)
    return directory


def curriculum_export(directory: str) -> str:
    """Three tier files and the SWE-Lego stages easy → easy+medium → all."""
    return write_export(
        directory,
        {
            "sft_easy": [trajectory(i, failed_first_action=i % 2 == 0) for i in range(4)],
            "sft_medium": [trajectory(10 + i) for i in range(2)],
            "sft_hard": [trajectory(20 + i, failed_first_action=True) for i in range(2)],
        },
        stages=[
            {"name": "easy", "dataset": "sft_easy"},
            {"name": "easy_medium", "dataset": "sft_easy,sft_medium"},
            {"name": "all", "dataset": ["sft_easy", "sft_medium", "sft_hard"]},
        ],
    )
