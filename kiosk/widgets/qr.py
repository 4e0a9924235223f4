"""A QR code drawn with block characters, as large as its box allows, dark on light."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from server.qr import qr_matrix

QUIET_ZONE = 2  # modules of light margin drawn in the terminal: enough for phone scanners
DARK = "#000000"
LIGHT = "#ffffff"


def render_rows(matrix: list[list[bool]], scale: int) -> list[Strip]:
    """Lines of text for the matrix. Scale 1: a module is one column by half a row (▀);
    scale n ≥ 2: n columns by n/2 rows of full blocks. Terminal cells are about twice as tall as
    wide, so both keep modules square."""
    dark, light = Style(color=DARK, bgcolor=LIGHT), Style(color=LIGHT, bgcolor=LIGHT)
    strips: list[Strip] = []
    if scale <= 1:
        padded = matrix + ([[False] * len(matrix[0])] if len(matrix) % 2 else [])
        for top, bottom in zip(padded[0::2], padded[1::2], strict=True):
            segments = [
                Segment("▀", Style(color=DARK if t else LIGHT, bgcolor=DARK if b else LIGHT))
                for t, b in zip(top, bottom, strict=True)
            ]
            strips.append(Strip(segments))
        return strips
    rows_per_module = scale // 2
    for row in matrix:
        segments = [Segment("█" * scale, dark if cell else light) for cell in row]
        strips.extend(Strip(segments) for _ in range(rows_per_module))
    return strips


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

    def __init__(self, data: str = "", *, id: str | None = None, classes: str | None = None):
        """Create the widget, optionally with something to encode already."""
        super().__init__(id=id, classes=classes)
        self._matrix: list[list[bool]] = []
        self._strips: list[Strip] = []
        self._cache_key: tuple[str, int, int] = ("", 0, 0)
        self.set_reactive(QRCode.data, data)

    def watch_data(self, data: str) -> None:
        """Recompute the matrix when the text changes."""
        self._matrix = qr_matrix(data, border=QUIET_ZONE) if data else []
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
