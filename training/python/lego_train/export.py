"""Opening what `lego export sft|verifier` wrote: dataset_info.json, manifest.json, the data files."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Optional

from .curriculum import CurriculumError, Stage, stages_from_manifest
from .dataset import Conversation, DatasetError, RowCheck, Tags, read_conversations

_HINT = "point --data at the directory `lego export` wrote, or at one .jsonl/.json file"


@dataclass(frozen=True)
class DatasetFile:
    name: str
    path: str
    tags: Tags


@dataclass(frozen=True)
class Export:
    root: str
    datasets: dict[str, DatasetFile]
    stages: list[Stage]


def open_export(path: str) -> Export:
    """An export directory (dataset_info.json, optional manifest.json), or a single data file."""
    if os.path.isfile(path):
        name = os.path.splitext(os.path.basename(path))[0]
        return Export(os.path.dirname(path), {name: DatasetFile(name, path, Tags())}, [Stage("all", (name,))])
    if not os.path.isdir(path):
        raise DatasetError([f"{path}: no such file or directory"], _HINT)
    info = _read_json(os.path.join(path, "dataset_info.json"), required=True)
    if not isinstance(info, dict):
        raise DatasetError([f"{path}/dataset_info.json: expected an object of datasets"], _HINT)
    datasets: dict[str, DatasetFile] = {}
    problems: list[str] = []
    for name, entry in info.items():
        try:
            datasets[name] = _dataset_file(path, name, entry)
        except ValueError as err:
            problems.append(f"{path}/dataset_info.json: dataset {name!r}: {err}")
    if problems:
        raise DatasetError(problems, _HINT)
    manifest = _read_json(os.path.join(path, "manifest.json"), required=False)
    if manifest is not None and not isinstance(manifest, dict):
        raise DatasetError([f"{path}/manifest.json: expected an object"], _HINT)
    try:
        stages = stages_from_manifest(manifest, list(datasets))
    except CurriculumError as err:
        raise DatasetError([f"{path}: {err}"], _HINT) from err
    return Export(path, datasets, stages)


def validate(export: Export, names: list[str], check: Optional[RowCheck]) -> dict[str, int]:
    """Reads every named dataset once before any training; rows per dataset, or DatasetError."""
    counts: dict[str, int] = {}
    problems: list[str] = []
    for name in names:
        conversations, bad = read(export, name, check)
        problems.extend(bad)
        counts[name] = len(conversations)
        if not conversations and not bad:
            problems.append(f"{export.datasets[name].path}: dataset {name!r} has no rows (an empty or fully held-out export); export again once it has data")
    if problems:
        raise DatasetError(problems)
    return counts


def read(export: Export, name: str, check: Optional[RowCheck]) -> tuple[list[Conversation], list[str]]:
    entry = export.datasets[name]
    return read_conversations(entry.path, entry.tags, check)


def _dataset_file(root: str, name: str, entry: object) -> DatasetFile:
    if not isinstance(entry, dict):
        raise ValueError("expected an object")
    formatting = entry.get("formatting", "alpaca")
    if formatting != "sharegpt":
        raise ValueError(f'"formatting" is {formatting!r}; this trainer reads sharegpt data only')
    file_name = entry.get("file_name")
    if not isinstance(file_name, str) or not file_name:
        raise ValueError('"file_name" is missing')
    full = os.path.join(root, file_name)
    if not os.path.isfile(full):
        raise ValueError(f"its file {full} does not exist")
    columns = entry.get("columns") or {}
    tags = entry.get("tags") or {}
    if not isinstance(columns, dict) or not isinstance(tags, dict):
        raise ValueError('"columns" and "tags" must be objects')
    unsupported = sorted(set(columns) - {"messages"})
    if unsupported:
        raise ValueError(f'"columns" maps {", ".join(unsupported)}; only "messages" is read (put the system prompt in the messages)')
    defaults = Tags()
    return DatasetFile(
        name,
        full,
        Tags(
            messages=columns.get("messages", defaults.messages),
            role=tags.get("role_tag", defaults.role),
            content=tags.get("content_tag", defaults.content),
            user=tags.get("user_tag", defaults.user),
            assistant=tags.get("assistant_tag", defaults.assistant),
            system=tags.get("system_tag", defaults.system),
        ),
    )


def _read_json(path: str, required: bool) -> object:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        if required:
            raise DatasetError([f"{path} does not exist"], _HINT) from None
        return None
    except (OSError, ValueError) as err:
        raise DatasetError([f"{path}: cannot be read as JSON ({err})"], _HINT) from err
