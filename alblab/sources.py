"""What a user may point alblab at: an example's name or a directory holding a root configuration.

Checked before anything is started, so a typo costs a message, not a leaked emulator.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from alblab.errors import UsageError

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = REPO_ROOT / "examples"


def list_examples(root: Path = EXAMPLES_DIR) -> list[str]:
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.tf")))


def resolve_source(source: str | Path) -> Path:
    """The configuration directory ``source`` names, resolved; ``UsageError`` saying why when there is none.

    A directory wins over an example of the same name, so ``basic`` and ``examples/basic`` are one source
    when run from the repository root, and ``./basic`` is always the directory.
    """
    text = str(source)
    path = Path(text).expanduser()
    if path.is_dir():
        if not any(path.glob("*.tf")) and not any(path.glob("*.tf.json")):
            raise UsageError(f"{text}: no Terraform configuration here (no .tf files in {path.resolve()})")
        return path.resolve()
    if path.exists():
        raise UsageError(f"{text}: not a directory; give a directory holding a root configuration")
    examples = list_examples()
    if text in examples:
        return (EXAMPLES_DIR / text).resolve()
    looks_like_path = "/" in text or text.startswith(".")
    hint = ""
    close = difflib.get_close_matches(text, examples, n=1)
    if close and not looks_like_path:
        hint = f"; did you mean the example {close[0]!r}?"
    elif examples and not looks_like_path:
        hint = f"; examples: {', '.join(examples)}"
    what = "no such directory" if looks_like_path else "no such directory or example"
    return _fail(f"{text}: {what}{hint}")


def _fail(message: str) -> Path:
    raise UsageError(message)


def example_name(source: Path) -> str | None:
    """The example's name when ``source`` is one of this repository's examples, else None."""
    try:
        relative = source.resolve().relative_to(EXAMPLES_DIR)
    except ValueError:
        return None
    return relative.parts[0] if len(relative.parts) == 1 else None


def check_var_files(var_files: list[str] | tuple[str, ...]) -> list[Path]:
    paths = []
    for raw in var_files:
        path = Path(raw).expanduser()
        if not path.is_file():
            raise UsageError(f"--var-file {raw}: no such file")
        if not (path.name.endswith(".tfvars") or path.name.endswith(".tfvars.json")):
            raise UsageError(f"--var-file {raw}: Terraform reads only *.tfvars and *.tfvars.json files")
        paths.append(path.resolve())
    return paths


def parse_var(assignment: str) -> tuple[str, str]:
    """``k=v`` from ``--var k=v`` (the value stays a string, as Terraform's own ``-var`` takes it)."""
    key, sep, value = assignment.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--var {assignment!r}: expected NAME=VALUE")
    return key.strip(), value
