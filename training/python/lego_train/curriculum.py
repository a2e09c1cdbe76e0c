"""The turn-count curriculum: which stages run, in which order, and what each starts from."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Optional, Sequence

from .errors import UsageError

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class CurriculumError(UsageError):
    """The stage list cannot be run as given; the message says what to change."""


@dataclass(frozen=True)
class Stage:
    name: str
    datasets: tuple[str, ...]  # dataset_info.json names, trained on together


@dataclass(frozen=True)
class StagePlan:
    name: str
    datasets: tuple[str, ...]
    init_from: str  # the base model, or the previous stage's checkpoint
    output_dir: str  # where this stage's checkpoint is written


def stages_from_manifest(manifest: Optional[dict], dataset_names: Sequence[str]) -> list[Stage]:
    """The manifest's "stages" in the order listed; without them, one stage over every dataset.

    A stage names its data as LLaMA-Factory's YAML does: "dataset": "a,b" or ["a", "b"].
    """
    if not dataset_names:
        raise CurriculumError("dataset_info.json lists no dataset: the export is empty; export again once trajectories exist")
    raw = (manifest or {}).get("stages")
    if raw is None:
        return [Stage("all", tuple(dataset_names))]
    if not isinstance(raw, list) or not raw:
        raise CurriculumError('manifest.json "stages" must be a non-empty list of {"name": …, "dataset": …}')
    stages: list[Stage] = []
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise CurriculumError(f"manifest.json stage {index} must be an object")
        name = entry.get("name")
        if not isinstance(name, str) or not _SAFE_NAME.match(name):
            raise CurriculumError(f'manifest.json stage {index}: "name" must be letters, digits, ".", "_" or "-" (it names the checkpoint folder)')
        datasets = _dataset_list(entry.get("dataset"))
        if not datasets:
            raise CurriculumError(f'manifest.json stage "{name}": "dataset" must name one or more datasets ("a,b" or a list)')
        unknown = [d for d in datasets if d not in dataset_names]
        if unknown:
            raise CurriculumError(f'manifest.json stage "{name}" names {", ".join(unknown)}, which dataset_info.json does not list (it lists {", ".join(dataset_names)})')
        stages.append(Stage(name, datasets))
    duplicates = sorted({s.name for s in stages if [t.name for t in stages].count(s.name) > 1})
    if duplicates:
        raise CurriculumError(f"manifest.json names stage {', '.join(duplicates)} more than once; stage names must be unique")
    return stages


def plan_stages(stages: Sequence[Stage], base_model: str, output_dir: str, only: Optional[Sequence[str]] = None) -> list[StagePlan]:
    """Stages in curriculum order, each starting from the previous one's checkpoint.

    `only` picks some stages (to resume a curriculum, or to run one stage per launch); they still
    run in curriculum order, and the first of them starts from `base_model`.
    """
    selected = list(stages)
    if only:
        names = [s.name for s in stages]
        unknown = [n for n in only if n not in names]
        if unknown:
            raise CurriculumError(f"--stages names {', '.join(unknown)}; the stages are {', '.join(names)}")
        selected = [s for s in stages if s.name in set(only)]
    plans: list[StagePlan] = []
    init_from = base_model
    for stage in selected:
        out = os.path.join(output_dir, "stages", stage.name)
        plans.append(StagePlan(stage.name, stage.datasets, init_from, out))
        init_from = out
    return plans


def _dataset_list(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",")]
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = [v.strip() for v in value]
    else:
        return ()
    return tuple(i for i in items if i)
