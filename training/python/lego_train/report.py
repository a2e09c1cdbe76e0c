"""What the launcher reads: one JSON line per logged step on stdout, and OUTPUT/result.json."""

from __future__ import annotations

import json
import math
import os
from typing import IO, Any

RESULT_FILE = "result.json"


def is_main_process() -> bool:
    """Rank 0 of a torchrun / accelerate / DeepSpeed launch, or a plain process."""
    return os.environ.get("RANK", "0") == "0"


class StepWriter:
    def __init__(self, stream: IO[str], enabled: bool):
        self.stream = stream
        self.enabled = enabled

    def write(self, record: dict[str, Any]) -> None:
        if self.enabled:
            self.stream.write(json.dumps(_finite(record)) + "\n")
            self.stream.flush()


def remove_result(output_dir: str) -> None:
    """A previous run's result must not describe this one while it runs."""
    try:
        os.remove(os.path.join(output_dir, RESULT_FILE))
    except FileNotFoundError:
        pass


def write_result(output_dir: str, result: dict[str, Any]) -> str:
    """Written to a temporary name and renamed, so a reader never sees half of it."""
    path = os.path.join(output_dir, RESULT_FILE)
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(_finite(result), handle, indent=2)
        handle.write("\n")
    os.replace(temporary, path)
    return path


def _finite(value: Any) -> Any:
    """NaN and infinity are not JSON: they become null (a diverged loss is still reported)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
