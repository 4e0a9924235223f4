"""Names shown in a booth: no two people in one booth are ever shown under the same name.

Pure: `distinct_name` is given the names already taken and returns the one to show.
"""

from __future__ import annotations

from collections.abc import Iterable

NAME_MAX_CHARS = 200
"""The width of the name columns (on-air log, chat), which a suffixed name must still fit."""


def _key(name: str) -> str:
    # "Ana", "ana" and "ANA " would look alike on a busy screen: compare them as one.
    return " ".join(name.split()).casefold()


def distinct_name(wanted: str, taken: Iterable[str], max_chars: int = NAME_MAX_CHARS) -> str:
    """`wanted`, or `wanted (2)`, `wanted (3)`... : the first that no name in `taken` matches.

    Names match regardless of case and of runs of white space. A suffixed name is cut before
    its suffix where needed, so it never exceeds `max_chars`.
    """
    used = {_key(name) for name in taken}
    if _key(wanted) not in used:
        return wanted
    number = 2
    while True:
        suffix = f" ({number})"
        candidate = wanted[: max_chars - len(suffix)].rstrip() + suffix
        if _key(candidate) not in used:
            return candidate
        number += 1
