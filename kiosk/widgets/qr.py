"""A QR code drawn with block characters, as large as its box allows, dark on light.

The characters alone carry the code: dark modules are drawn with block glyphs (`█ ▀ ▄`) in the
dark colour and light ones as spaces on the light background, so a plain-text capture of the
screen (tmux, a screen reader's buffer) still holds the matrix, and a terminal that draws the
colours reads as a scannable code. A box too small for the code shows a hint instead of a
cropped, unscannable code.
"""

from __future__ import annotations

import textwrap

from rich.segment import Segment
from rich.style import Style
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from server.qr import SCREEN_ERROR_CORRECTION, qr_matrix

# Modules of light margin drawn in the code itself. The widget's own light background adds more
# around it, so the margin a phone sees is at least this and usually far more.
QUIET_ZONE = 2
DARK = "#000000"
LIGHT = "#ffffff"
# (top dark, bottom dark) -> glyph, drawn dark on light.
HALF_BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def render_rows(matrix: list[list[bool]], scale: int) -> list[Strip]:
    """Lines of text for the matrix. Scale 1: a module is one column by half a row (half
    blocks `▀ ▄ █`); scale n ≥ 2: n columns by n/2 rows of full blocks. Terminal cells are about twice as tall as
    wide, so both keep modules square."""
    ink = Style(color=DARK, bgcolor=LIGHT)
    strips: list[Strip] = []
    if scale <= 1:
        padded = matrix + ([[False] * len(matrix[0])] if len(matrix) % 2 else [])
        for top, bottom in zip(padded[0::2], padded[1::2], strict=True):
            line = "".join(HALF_BLOCKS[t, b] for t, b in zip(top, bottom, strict=True))
            strips.append(Strip([Segment(line, ink)]))
        return strips
    rows_per_module = scale // 2
    for row in matrix:
        line = "".join(("█" if cell else " ") * scale for cell in row)
        strips.extend(Strip([Segment(line, ink)]) for _ in range(rows_per_module))
    return strips


def fits(modules: int, width: int, height: int) -> bool:
    """True when a code of `modules` per side fits a box at the smallest scale (half blocks)."""
    return modules <= width and (modules + 1) // 2 <= height


class QRCode(Widget):
    """Shows `data` as a QR code, scaled to the largest size that fits the widget."""

    DEFAULT_CSS = """
    QRCode {
        width: 1fr;
        height: 1fr;
        min-height: 10;
        content-align: center middle;
    }
    """

    data: reactive[str] = reactive("", layout=True)
    """The text encoded; empty draws nothing."""

    def __init__(
        self,
        data: str = "",
        *,
        too_small: str = "Too small to scan here.",
        id: str | None = None,
        classes: str | None = None,
    ):
        """Create the widget; `too_small` is shown instead of a code that would not fit."""
        super().__init__(id=id, classes=classes)
        self.too_small = too_small
        self._matrix: list[list[bool]] = []
        self._strips: list[Strip] = []
        self._cache_key: tuple[str, int, int] = ("", 0, 0)
        self.set_reactive(QRCode.data, data)

    def watch_data(self, data: str) -> None:
        """Recompute the matrix when the text changes."""
        self._matrix = (
            qr_matrix(data, border=QUIET_ZONE, error_correction=SCREEN_ERROR_CORRECTION)
            if data
            else []
        )
        self._cache_key = ("", 0, 0)
        self.refresh()

    def on_mount(self) -> None:
        """Compute the first matrix."""
        self.watch_data(self.data)

    def _strips_for_size(self) -> list[Strip]:
        width, height = self.size.width, self.size.height
        key = (self.data, width, height)
        if key == self._cache_key:
            return self._strips
        self._cache_key = key
        if not self._matrix:
            self._strips = []
            return self._strips
        modules = len(self._matrix)
        if not fits(modules, width, height):
            ink = Style(color=DARK, bgcolor=LIGHT)
            lines = textwrap.wrap(self.too_small, max(width, 1))[:height]
            self._strips = [Strip([Segment(line, ink)]) for line in lines]
            return self._strips
        scale = 1
        for candidate in (8, 6, 4, 2):
            if modules * candidate <= width and modules * candidate // 2 <= height:
                scale = candidate
                break
        self._strips = render_rows(self._matrix, scale)
        return self._strips

    def render_line(self, y: int) -> Strip:
        """One line of the code, centred in the widget."""
        strips = self._strips_for_size()
        width, height = self.size.width, self.size.height
        top = max(0, (height - len(strips)) // 2)
        index = y - top
        if not 0 <= index < len(strips):
            return Strip.blank(width, self.rich_style)
        strip = strips[index]
        left = max(0, (width - strip.cell_length) // 2)
        blank = Segment(" " * left, self.rich_style)
        return Strip([blank, *strip]).adjust_cell_length(width, self.rich_style)

    @property
    def module_count(self) -> int:
        """Modules per side including the quiet zone (0 when empty)."""
        return len(self._matrix)
