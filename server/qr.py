"""QR codes for invites and listener posters: in the terminal, as SVG and as PNG."""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage

QUIET_ZONE = 4  # modules of light margin the QR standard asks for
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
# On a screen nothing smudges or tears the code, so the terminal takes the lowest level: the
# fewest modules, hence the largest ones a small terminal can draw.
SCREEN_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_L

# One character cell holds two modules stacked vertically: (top dark, bottom dark) -> glyph.
# Light modules are drawn in the terminal's text colour and dark ones left as background, so
# the code reads correctly on the usual light-on-dark terminal; `invert` serves dark-on-light.
_LIGHT_ON_DARK = {
    (False, False): "█",
    (True, False): "▄",
    (False, True): "▀",
    (True, True): " ",
}
_DARK_ON_LIGHT = {
    (False, False): " ",
    (True, False): "▀",
    (False, True): "▄",
    (True, True): "█",
}


def qr_matrix(
    text: str, *, border: int = QUIET_ZONE, error_correction: int = ERROR_CORRECTION
) -> list[list[bool]]:
    """The code's modules, True for dark, with `border` light modules around them."""
    code = qrcode.QRCode(error_correction=error_correction, border=border)
    code.add_data(text)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def qr_terminal(text: str, *, border: int = QUIET_ZONE, invert: bool = False) -> str:
    """The code drawn with Unicode half blocks, two module rows per line, quiet zone included.

    By default light modules are drawn as blocks, for a light-on-dark terminal; pass
    `invert=True` for a dark-on-light one.
    """
    matrix = qr_matrix(text, border=border)
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))  # a light row below: part of the quiet zone
    glyphs = _DARK_ON_LIGHT if invert else _LIGHT_ON_DARK
    lines = []
    for top, bottom in zip(matrix[0::2], matrix[1::2], strict=True):
        lines.append("".join(glyphs[(t, b)] for t, b in zip(top, bottom, strict=True)))
    return "\n".join(lines)


def qr_svg(text: str, *, border: int = QUIET_ZONE) -> str:
    """The code as a standalone SVG document (one path, scalable)."""
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECTION, border=border, image_factory=SvgPathImage
    )
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image()
    return image.to_string(encoding="unicode")  # type: ignore[no-any-return]


def qr_png(text: str, *, border: int = QUIET_ZONE, box_size: int = 10) -> bytes:
    """The code as a PNG image, `box_size` pixels per module."""
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECTION,
        border=border,
        box_size=box_size,
        image_factory=PilImage,
    )
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()
