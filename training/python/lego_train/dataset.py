"""Reading LLaMA-Factory sharegpt datasets (LegoFactory's SFT and verifier exports).

Every problem names the file and line of the row, so a bad export is fixed at its source
instead of being discovered hours into a GPU run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

from .errors import UsageError

# At most this many problems are listed; the rest are counted.
MAX_LISTED_PROBLEMS = 20

JUDGEMENT_ANSWERS = ("<judgement>YES</judgement>", "<judgement>NO</judgement>")


@dataclass(frozen=True)
class Message:
    role: str  # "system", "user" or "assistant", whatever the file's tags are
    content: str
    masked: bool = False  # an assistant turn with turn_mask: true (in context, no loss)


@dataclass(frozen=True)
class Conversation:
    where: str  # "file:line", for messages about this row
    messages: tuple[Message, ...]


@dataclass(frozen=True)
class Tags:
    """The sharegpt column and tag names of dataset_info.json (LLaMA-Factory's defaults)."""

    messages: str = "messages"
    role: str = "role"
    content: str = "content"
    user: str = "user"
    assistant: str = "assistant"
    system: str = "system"


class DatasetError(UsageError):
    """The dataset cannot be trained on; `problems` lists each bad row as "file:line: reason"."""

    def __init__(self, problems: list[str], hint: str = "fix these rows or export the data again (lego export sft|verifier)"):
        self.problems = problems
        listed = problems[:MAX_LISTED_PROBLEMS]
        more = len(problems) - len(listed)
        lines = [f"{len(problems)} problem(s) in the training data; {hint}:", *("  " + p for p in listed)]
        if more > 0:
            lines.append(f"  … and {more} more")
        super().__init__("\n".join(lines))


class RowError(Exception):
    """One bad row; the reader records it and goes on to the next."""


RowCheck = Callable[[Conversation], Optional[str]]


def check_judgement(conversation: Conversation) -> Optional[str]:
    """Verifier rows end with the judge's answer, exactly as src/verifier scores it."""
    answer = conversation.messages[-1].content.strip()
    if answer not in JUDGEMENT_ANSWERS:
        return f"the last assistant message must be {JUDGEMENT_ANSWERS[0]} or {JUDGEMENT_ANSWERS[1]}, got {_preview(answer)}"
    return None


def read_conversations(path: str, tags: Tags = Tags(), check: Optional[RowCheck] = None) -> tuple[list[Conversation], list[str]]:
    """All valid conversations of a .jsonl/.json file, and a "file:line: reason" for each bad row."""
    conversations: list[Conversation] = []
    problems: list[str] = []
    for line, record in _records(path, problems):
        where = f"{path}:{line}"
        try:
            conversation = parse_conversation(record, tags, where)
        except RowError as err:
            problems.append(f"{where}: {err}")
            continue
        reason = check(conversation) if check else None
        if reason:
            problems.append(f"{where}: {reason}")
            continue
        conversations.append(conversation)
    return conversations, problems


def parse_conversation(record: object, tags: Tags, where: str) -> Conversation:
    """One sharegpt row: an optional system message, then user/assistant turns, ending on assistant."""
    if not isinstance(record, dict):
        raise RowError(f'expected a JSON object with a "{tags.messages}" list, got {type(record).__name__}')
    raw = record.get(tags.messages)
    if not isinstance(raw, list) or not raw:
        raise RowError(f'"{tags.messages}" must be a non-empty list of messages')
    roles = {tags.system: "system", tags.user: "user", tags.assistant: "assistant"}
    messages: list[Message] = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise RowError(f"message {index}: expected an object, got {type(item).__name__}")
        raw_role = item.get(tags.role)
        role = roles.get(raw_role) if isinstance(raw_role, str) else None
        if role is None:
            raise RowError(f'message {index}: "{tags.role}" must be one of {", ".join(map(repr, roles))}, got {_preview(raw_role)}')
        content = item.get(tags.content)
        if not isinstance(content, str):
            raise RowError(f'message {index}: "{tags.content}" must be a string')
        masked = item.get("turn_mask", False)
        if not isinstance(masked, bool):
            raise RowError(f'message {index}: "turn_mask" must be true or false')
        if masked and role != "assistant":
            raise RowError(f'message {index}: "turn_mask" is only meaningful on an assistant message, found on {role}')
        expected = _expected_role(len(messages), messages[0].role if messages else None)
        if role not in expected:
            raise RowError(f"message {index}: expected {' or '.join(expected)}, got {role} (roles must alternate user/assistant after an optional system message)")
        messages.append(Message(role, content, masked))
    if messages[-1].role != "assistant":
        raise RowError("the conversation must end with an assistant message")
    return Conversation(where, tuple(messages))


def _expected_role(position: int, first_role: Optional[str]) -> tuple[str, ...]:
    if position == 0:
        return ("system", "user")
    turn = position - 1 if first_role == "system" else position
    return ("user",) if turn % 2 == 0 else ("assistant",)


def _records(path: str, problems: list[str]) -> Iterator[tuple[int, object]]:
    """(line, value) per row: JSON lines, or one JSON array whose elements are the rows."""
    try:
        with open(path, encoding="utf-8") as handle:
            first = _first_char(handle)
            handle.seek(0)
            if first == "[":
                yield from _array_records(path, handle.read(), problems)
                return
            for line, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    yield line, json.loads(text)
                except json.JSONDecodeError as err:
                    problems.append(f"{path}:{line}: not valid JSON ({err.msg} at column {err.colno})")
    except OSError as err:
        problems.append(f"{path}: cannot be read ({err.strerror or err})")
    except UnicodeDecodeError as err:
        problems.append(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})")


def _first_char(handle) -> str:
    while True:
        chunk = handle.read(4096)
        if not chunk:
            return ""
        stripped = chunk.lstrip()
        if stripped:
            return stripped[0]


_WS = re.compile(r"\s*")


def _array_records(path: str, text: str, problems: list[str]) -> Iterator[tuple[int, object]]:
    decoder = json.JSONDecoder()
    pos = _WS.match(text, 0).end() + 1  # past "["
    line, counted_to = 1, 0
    while True:
        pos = _WS.match(text, pos).end()
        if text.startswith("]", pos):
            return
        line += text.count("\n", counted_to, pos)
        counted_to = pos
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            problems.append(f"{path}:{err.lineno}: not valid JSON ({err.msg} at column {err.colno}); the rest of the array cannot be read")
            return
        yield line, value
        pos = _WS.match(text, pos).end()
        if text.startswith(",", pos):
            pos += 1
        elif not text.startswith("]", pos):
            line += text.count("\n", counted_to, pos)
            problems.append(f"{path}:{line}: expected , or ] after an array element; the rest of the array cannot be read")
            return


def _preview(value: object, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
