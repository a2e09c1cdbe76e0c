"""Failures the trainer explains; each carries the exit status the launcher sees."""

from __future__ import annotations


class TrainerError(Exception):
    exit_code = 1


class UsageError(TrainerError):
    """Bad arguments or settings (exit 2)."""

    exit_code = 2


class MissingDependency(TrainerError):
    """A library the chosen path needs is not installed (exit 3)."""

    exit_code = 3
