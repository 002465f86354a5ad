"""README snippets: the fenced block after a `<!-- snippet: NAME -->` marker, so tests run what users copy."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def readme_snippet(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    marker = f"<!-- snippet: {name} -->"
    assert text.count(marker) == 1, f"README.md needs exactly one {marker!r}"
    match = re.match(r"\s*```[a-z]*\n(.*?)```", text.split(marker, 1)[1], re.S)
    assert match, f"no fenced block right after {marker!r}"
    return match.group(1)


def readme_between(begin: str, end: str) -> str:
    text = README.read_text(encoding="utf-8")
    assert text.count(begin) == 1 and text.count(end) == 1, f"README.md needs one {begin!r} and one {end!r}"
    return text.split(begin, 1)[1].split(end, 1)[0]
