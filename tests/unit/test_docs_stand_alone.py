"""The repository's docs stand alone: no pointer to files outside it, no dead relative link.

The design contract and the MediaMTX facts live in `docs/design.md` and
`docs/mediamtx-reference.md`; nothing in the docs, the README or the code may send a reader to
a file the repository does not hold.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(r"DESIGN\.md|MEDIAMTX\.md|STYLE\.md|\.\./shared")
LINK = re.compile(r"\]\(([^)\s]+)\)")
SOURCES = ("*.py", "*.md", "*.html", "*.js", "*.css", "*.tcss", "*.toml")


def _files() -> list[Path]:
    files = [ROOT / "README.md"]
    for folder in ("docs", "server", "kiosk", "db"):
        for pattern in SOURCES:
            files.extend((ROOT / folder).rglob(pattern))
    return sorted(files)


def test_nothing_points_outside_the_repository() -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert hits == []


def test_relative_links_in_the_docs_lead_to_files_that_exist() -> None:
    dead = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:", "#")):
                continue
            path = target.split("#")[0]
            if not (page.parent / path).exists():
                dead.append(f"{page.relative_to(ROOT)} -> {target}")
    assert dead == []
