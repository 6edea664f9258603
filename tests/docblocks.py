"""The README's runnable blocks: the docs are the expected output, and the lab test replays them.

A block is a fenced ``console`` block right after the marker line ``<!-- lab-run -->``. Inside, a line
starting with ``$ `` is a command; the lines up to the next command are its expected output, compared
after ``normalize``. Only ``alblab …`` commands may appear in runnable blocks (the test runs them through
the same argparse entry point as the shell). ``rewrite`` replaces the outputs with what really ran, so the
docs are regenerated from a real run, never typed by hand.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

MARKER = "<!-- lab-run -->"
_BLOCK = re.compile(r"^" + re.escape(MARKER) + r"\n```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Command:
    line: str  # as typed, without "$ "
    expected: str

    def argv(self) -> list[str]:
        words = shlex.split(self.line)
        if not words or words[0] != "alblab":
            raise ValueError(f"runnable blocks may only hold alblab commands, not {self.line!r}")
        return words[1:]


def _commands(body: str) -> list[Command]:
    commands: list[Command] = []
    current: str | None = None
    output: list[str] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            if current is not None:
                commands.append(Command(current, "\n".join(output).strip("\n")))
            current, output = line[2:].strip(), []
        elif current is not None:
            output.append(line)
    if current is not None:
        commands.append(Command(current, "\n".join(output).strip("\n")))
    return commands


def parse(markdown: str) -> list[Command]:
    """Every runnable command of the document, in reading order."""
    return [command for match in _BLOCK.finditer(markdown) for command in _commands(match.group(1))]


def rewrite(markdown: str, outputs: list[str]) -> str:
    """Replace each runnable command's expected output by ``outputs`` (same order as ``parse``)."""
    remaining = iter(outputs)

    def block(match: re.Match[str]) -> str:
        lines = []
        for command in _commands(match.group(1)):
            lines.append(f"$ {command.line}")
            text = next(remaining)
            if text:
                lines.append(text)
        return f"{MARKER}\n```console\n" + "\n".join(lines) + "\n```"

    result = _BLOCK.sub(block, markdown)
    if next(remaining, None) is not None:
        raise ValueError("more outputs than runnable commands")
    return result
