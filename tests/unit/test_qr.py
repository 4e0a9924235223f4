"""QR codes (server/qr.py): the terminal drawing, SVG and PNG carry the same modules."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from server.qr import QUIET_ZONE, qr_matrix, qr_png, qr_svg, qr_terminal

URL = "https://192.168.1.20:8443/join/Xq3v-9zLr_T0kPqW2mNbC8dYfA1sE5uH"
# Light-on-dark: a block is light. (top, bottom) dark flags per glyph.
GLYPHS = {"█": (False, False), "▄": (True, False), "▀": (False, True), " ": (True, True)}


def _decode_terminal(drawing: str) -> list[list[bool]]:
    rows: list[list[bool]] = []
    for line in drawing.splitlines():
        pairs = [GLYPHS[ch] for ch in line]
        rows.append([top for top, _ in pairs])
        rows.append([bottom for _, bottom in pairs])
    return rows


def test_terminal_drawing_holds_exactly_the_codes_modules() -> None:
    matrix = qr_matrix(URL)
    decoded = _decode_terminal(qr_terminal(URL))
    assert decoded[: len(matrix)] == matrix
    assert not any(any(row) for row in decoded[len(matrix) :])  # padding row is light


def test_terminal_drawing_packs_two_module_rows_per_line() -> None:
    size = len(qr_matrix(URL))
    lines = qr_terminal(URL).splitlines()
    assert len(lines) == (size + 1) // 2
    assert {len(line) for line in lines} == {size}


def test_terminal_drawing_has_a_light_quiet_zone() -> None:
    lines = qr_terminal(URL).splitlines()
    assert set(lines[0]) == set(lines[-1]) == {"█"}
    assert all(line[:QUIET_ZONE] == "█" * QUIET_ZONE for line in lines)


def test_inverted_drawing_swaps_light_and_dark() -> None:
    swap = str.maketrans({"█": " ", " ": "█", "▀": "▄", "▄": "▀"})
    assert qr_terminal(URL, invert=True) == qr_terminal(URL).translate(swap)


def test_matrix_has_the_finder_pattern_inside_the_quiet_zone() -> None:
    matrix = qr_matrix(URL)
    corner = [row[QUIET_ZONE : QUIET_ZONE + 7] for row in matrix[QUIET_ZONE : QUIET_ZONE + 7]]
    assert all(corner[0]) and all(corner[6])
    assert corner[1][1:6] == [False] * 5
    assert not any(matrix[0])


def test_svg_is_a_scalable_image_of_the_same_size() -> None:
    svg = ET.fromstring(qr_svg(URL))
    size = len(qr_matrix(URL))
    assert svg.tag.endswith("svg")
    assert svg.get("viewBox") == f"0 0 {size} {size}"
    assert any(element.tag.endswith("path") for element in svg.iter())


@pytest.mark.parametrize("box_size", [4, 10])
def test_png_draws_each_module_as_a_square_of_pixels(box_size: int) -> None:
    matrix = qr_matrix(URL)
    image = Image.open(io.BytesIO(qr_png(URL, box_size=box_size))).convert("L")
    assert image.size == (len(matrix) * box_size, len(matrix) * box_size)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            centre = (x * box_size + box_size // 2, y * box_size + box_size // 2)
            assert (image.getpixel(centre) < 128) is dark
