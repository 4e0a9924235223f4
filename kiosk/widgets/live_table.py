"""A DataTable whose cell updates repaint only the rows they touch.

Textual's `DataTable.update_cell` bumps a table-wide counter that is part of every render
cache key, so one changed cell re-renders every visible cell and repaints the whole widget.
With a hundred booths changing many times a second that is most of the console's CPU.
`LiveTable.update_cells` instead evicts only the cached renders of the changed rows and
repaints those rows' regions.

The eviction relies on the table's private caches (Textual 8). Should a Textual release
rename them, the table falls back to the public `update_cell`: slower, never wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import (
    CellDoesNotExist,
    ColumnDoesNotExist,
    ColumnKey,
    RowDoesNotExist,
    RowKey,
)

CellValue = str | Text

# Caches whose keys start with the row key, and the two keyed otherwise (see _evict_rows).
_ROW_KEYED_CACHES = ("_cell_render_cache", "_row_render_cache")
_PRIVATE_PARTS = (*_ROW_KEYED_CACHES, "_line_cache", "_row_renderable_cache", "_data")


class LiveTable(DataTable[CellValue]):
    """A DataTable for live values: `update_cells` costs only the rows that changed."""

    def __init__(self, **kwargs: Any) -> None:
        """As DataTable; checks once whether the row-level eviction is possible."""
        super().__init__(**kwargs)
        self._row_eviction = all(hasattr(self, name) for name in _PRIVATE_PARTS)

    def update_cells(self, updates: Iterable[tuple[str, str, CellValue]]) -> None:
        """Set each (row key, column key, value) and repaint only the rows they are in.

        Column widths stay as they are, as with `update_cell(..., update_width=False)`.
        """
        pending = list(updates)
        if not pending:
            return
        if not self._row_eviction:
            for row_key, column_key, value in pending:
                self.update_cell(row_key, column_key, value)
            return
        rows: dict[RowKey, int] = {}
        for row_key, column_key, value in pending:
            key, column = RowKey(row_key), ColumnKey(column_key)
            try:
                rows[key] = self.get_row_index(key)
                self.get_column_index(column)
            except (RowDoesNotExist, ColumnDoesNotExist) as missing:
                raise CellDoesNotExist(f"no cell at {row_key!r}, {column_key!r}") from missing
            self._data[key][column] = value
        self._evict_rows(rows)
        for row_index in rows.values():
            self.refresh_row(row_index)

    def _evict_rows(self, rows: dict[RowKey, int]) -> None:
        """Drop every cached render that shows one of these rows."""
        for name in _ROW_KEYED_CACHES:
            _discard_where(getattr(self, name), lambda key: key[0] in rows)
        # Row renderables are keyed (update count, row index).
        indexes = set(rows.values())
        _discard_where(self._row_renderable_cache, lambda key: key[1] in indexes)
        # Rendered lines are keyed by their y in the table (header included).
        lines: set[int] = set()
        for row_index in indexes:
            region = self._get_row_region(row_index)
            lines.update(range(region.y, region.y + region.height))
        _discard_where(self._line_cache, lambda key: key[0] in lines)


def _discard_where(cache: Any, stale: Callable[[Any], bool]) -> None:
    """Remove the entries of a Textual LRUCache whose key is stale."""
    # LRUCache has keys() but no __iter__, so the keys view is needed here.
    for key in [key for key in cache.keys() if stale(key)]:  # noqa: SIM118
        cache.discard(key)
