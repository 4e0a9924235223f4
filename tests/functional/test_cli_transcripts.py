"""`voxbento-kiosk transcript export BOOTH_ID --format srt|vtt|txt [--out FILE]`, run in-process.

The site is initialised by the CLI itself; the transcript is three stored TranscriptSegments,
as live captions would have written them. The SRT and WebVTT files are read back with a small
parser of their cue syntax, not compared with the exporter's own output.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import db
from kiosk.cli import main
from server.config import load_config
from server.manage import open_database

BOOTH = "talks/main/en"
START = datetime(2026, 5, 14, 9, 30, tzinfo=UTC)
# (text, seconds after START it starts, seconds it lasts); seq follows the list.
SPOKEN = [
    ("Good morning and welcome.", 0.0, 2.5),
    ("Our first speaker talks about energy.", 3.2, 3.1),
    ("Please switch off your phones.", 3725.4, 2.0),
]
CUE_TIME = re.compile(
    r"^(\d{2}):(\d{2}):(\d{2})([,.])(\d{3}) --> (\d{2}):(\d{2}):(\d{2})([,.])(\d{3})$"
)


@dataclass(frozen=True)
class Cue:
    """One parsed cue: its number (SRT only), times in seconds and text."""

    number: int | None
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Result:
    """Exit status and output of one command."""

    code: int
    out: str
    err: str


def parse_cues(text: str, decimal: str, numbered: bool) -> list[Cue]:
    """Blocks separated by blank lines: [number], `start --> end`, then text lines."""
    cues = []
    for block in [b for b in text.strip("\n").split("\n\n") if b.strip()]:
        lines = block.split("\n")
        number = int(lines.pop(0)) if numbered else None
        match = CUE_TIME.match(lines[0])
        assert match, f"not a cue time line: {lines[0]!r}"
        parts = match.groups()
        assert parts[3] == decimal and parts[8] == decimal, lines[0]
        start = _seconds(parts[0:3], parts[4])
        end = _seconds(parts[5:8], parts[9])
        cues.append(Cue(number, start, end, "\n".join(lines[1:])))
    return cues


def _seconds(hms: tuple[str, ...], millis: str) -> float:
    hours, minutes, secs = (int(part) for part in hms)
    return hours * 3600 + minutes * 60 + secs + int(millis) / 1000


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An initialised kiosk folder with the booth and its stored transcript; its config path."""
    config = tmp_path / "kiosk.toml"
    config.write_text("")
    assert main(["init", "--config", str(config)]) == 0

    async def seed() -> None:
        async with open_database(load_config(config)):
            await db.create_event("talks", "Talks")
            await db.create_booth("talks", "main", "en", "English", transcription=True)
            for seq, (text, offset, length) in enumerate(SPOKEN, start=1):
                started = START + timedelta(seconds=offset)
                ended = started + timedelta(seconds=length)
                await db.add_transcript_segment(BOOTH, seq, text, started, ended)

    asyncio.run(seed())
    return config


def export(
    site: Path, capsys: pytest.CaptureFixture[str], *argv: str, booth: str = BOOTH
) -> Result:
    """Run `transcript export` on the site."""
    try:
        code = main(["transcript", "export", booth, *argv, "--config", str(site)])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def assert_spoken_cues(cues: list[Cue]) -> None:
    """Cues in spoken order, timed from the first segment, each lasting as it was spoken."""
    assert [cue.text for cue in cues] == [text for text, _, _ in SPOKEN]
    assert [cue.start for cue in cues] == [offset for _, offset, _ in SPOKEN]
    assert [round(cue.end - cue.start, 3) for cue in cues] == [length for _, _, length in SPOKEN]
    starts = [cue.start for cue in cues]
    assert starts == sorted(starts) and all(cue.end >= cue.start for cue in cues)


def test_srt_export_has_numbered_cues_in_spoken_order(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = export(site, capsys, "--format", "srt")
    cues = parse_cues(result.out, ",", numbered=True)
    assert result.code == 0
    assert [cue.number for cue in cues] == [1, 2, 3]
    assert_spoken_cues(cues)


def test_vtt_export_to_a_file_is_webvtt_with_cues_in_spoken_order(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "talk.vtt"
    result = export(site, capsys, "--format", "vtt", "--out", str(out))
    header, _, body = out.read_text(encoding="utf-8").partition("\n\n")
    assert result.code == 0
    assert f"Wrote 3 segment(s) of {BOOTH} to {out}" in result.out + result.err
    assert header == "WEBVTT"
    assert_spoken_cues(parse_cues(body, ".", numbered=False))


def test_txt_export_has_one_line_per_caption(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = export(site, capsys, "--format", "txt")
    assert result.code == 0
    assert result.out.splitlines() == [text for text, _, _ in SPOKEN]


def test_exporting_an_unknown_booth_exits_2_with_one_line(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = export(site, capsys, "--format", "srt", booth="talks/main/it")
    lines = result.err.strip().splitlines()
    assert result.code == 2
    assert lines == ["voxbento-kiosk: error: no booth 'talks/main/it'"]
    assert result.out == ""
