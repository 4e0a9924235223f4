"""The live table: a cell update is drawn in its row, and the other rows stay as they were."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets.data_table import CellDoesNotExist

from kiosk.widgets.live_table import LiveTable

pytestmark = pytest.mark.anyio

ROWS = ("en", "de", "fr")


class TableApp(App[None]):
    """Just a live table of three booths."""

    def compose(self) -> ComposeResult:
        """One table filling the screen."""
        yield LiveTable(id="table")

    def on_mount(self) -> None:
        """Columns language and listeners; one row per booth."""
        table = self.query_one(LiveTable)
        table.add_column("Language", key="language", width=10)
        table.add_column("Listeners", key="listeners", width=10)
        for code in ROWS:
            table.add_row(code, "0", key=code)


def drawn_rows(table: LiveTable) -> list[str]:
    """The text the table draws for each row (line 0 is the header)."""
    return [table.render_line(y).text for y in range(1, len(ROWS) + 1)]


async def test_an_updated_cell_is_drawn_in_its_row_once_it_was_drawn_before() -> None:
    async with TableApp().run_test() as pilot:
        table = pilot.app.query_one(LiveTable)
        assert "0" in drawn_rows(table)[1]

        table.update_cells([("de", "listeners", "42")])
        await pilot.pause()

        assert "42" in drawn_rows(table)[1]
        assert table.get_cell("de", "listeners") == "42"


async def test_rows_without_updates_are_drawn_unchanged() -> None:
    async with TableApp().run_test() as pilot:
        table = pilot.app.query_one(LiveTable)
        before = drawn_rows(table)

        table.update_cells([("de", "listeners", "42")])
        await pilot.pause()

        after = drawn_rows(table)
        assert [after[0], after[2]] == [before[0], before[2]]


async def test_updating_a_cell_that_does_not_exist_is_refused() -> None:
    async with TableApp().run_test() as pilot:
        table = pilot.app.query_one(LiveTable)

        with pytest.raises(CellDoesNotExist):
            table.update_cells([("it", "listeners", "1")])
