"""Read the text and error codes off a photo of a device display, offline, with Tesseract.

A technician photographs an inverter/charger LCD ("Error 203", "E050", "ERROR NO CURRENT");
:func:`read_display` returns what the display says and the codes on it, and
:meth:`DisplayReading.query` turns that into the search text for the manuals.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nikdesk.errors import BadImage, MissingExtra, OcrUnavailable

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

SUPPORTED_FORMATS = "JPEG, PNG, WebP, BMP, TIFF, GIF"
INSTALL_HINT = (
    "Installieren: apt install tesseract-ocr tesseract-ocr-deu "
    "(Windows: Installer von https://github.com/UB-Mannheim/tesseract/wiki ausführen, "
    "dabei das Sprachpaket „German“ wählen und den Installationsordner zu PATH hinzufügen; "
    "macOS: brew install tesseract tesseract-lang)"
)

# Sizes in pixels. A phone photo shows the display text at a few percent of the frame height:
# 2400 px keep it sharp enough to zoom into, 1200 px are enough to find it.
WORK_SIDE = 2400
OVERVIEW_SIDE = 1200
MIN_SIDE = 1000  # smaller images (screenshots, crops) are upscaled to this
DETAIL_SIDE = 1600  # the zoomed display crop
TARGET_WORD_HEIGHT = 44  # the crop is zoomed to words this tall, Tesseract's sweet spot...
MAX_ZOOM = 4.0  # ...but never more than this
REGION_MARGIN_X = 3.0  # word heights kept around the display text: missed characters
REGION_MARGIN_Y = 1.2  # ...and missed lines
MAX_REGIONS = 2  # zoom into at most this many places
MIN_TEXT_HEIGHT = 8  # px in the overview: smaller ink is no readable display text
MIN_CROSSINGS = 4  # strokes across a line of text: "ERR 33" has 12
NEIGHBOUR_LINES = 2.5  # words this many word heights above or below a code line belong to it
MAX_SKEW_DEGREES = 12.0
STROKE_WIDTH = 15  # thicker strokes than this are frame, not text (at OVERVIEW/DETAIL sizes)
DARK_MEAN = 110  # a region darker than this on average shows light text on dark ground
TESSERACT_TIMEOUT_S = 6.0  # a pass that takes longer is reading noise, not a display
MIN_WORD_CONFIDENCE = 0.30  # words below this are noise (display frame, reflections)
GOOD_ENOUGH = 0.85  # a reading with a code and this mean confidence ends the search early
CODE_BONUS = 0.25  # a plausible code outweighs a few points of confidence
AGREEMENT_BONUS = 0.1  # per other pass that read the same code
QUERY_MAX_CHARS = 120


@dataclass(frozen=True)
class DisplayReading:
    """What a device display says: its text, the codes on it, and who read it how well."""

    text: str  # display text, one line per display line
    codes: tuple[str, ...]  # canonical codes in reading order, e.g. ("E050", "Error 203")
    engine: str  # e.g. "tesseract 5.3.0"
    confidence: float | None  # mean word confidence 0..1; None if the engine gives none

    def query(self, max_chars: int = QUERY_MAX_CHARS) -> str:
        """Return the search text: the codes first, then the rest of the display text."""
        words: list[str] = []
        seen: set[str] = set()
        for word in [part for code in self.codes for part in code.split()]:
            if word.casefold() not in seen:
                seen.add(word.casefold())
                words.append(word)
        for token in _clean_tokens(self.text):
            found = extract_codes(token)
            if (found and set(found) <= set(self.codes)) or token.casefold() in seen:
                continue  # "Err33" is in the query already, as "ERR 33"
            seen.add(token.casefold())
            words.append(token)
        query = ""
        for word in words:
            if len(query) + 1 + len(word) > max_chars:
                break
            query = f"{query} {word}" if query else word
        return query


# --- codes -----------------------------------------------------------------------------------

# OCR confuses digits with look-alike letters; a code must still hold one real digit.
_DIGITISH = "0-9OoDQIl|SBZ"
_CONFUSIONS = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1"}
    | {"S": "5", "B": "8", "Z": "2"}
)
_LETTERS = "A-Za-zÄÖÜäöüß"
# "E050", "E-050", "F012", "W 102". A letter right after a number is a unit ("3000 W 230 V").
_LETTER_CODE = re.compile(
    rf"(?<![{_LETTERS}0-9])(?<!\d )([EFW])(?:[-‐–]|[ ]?)([{_DIGITISH}]{{2,4}})"
    rf"(?![{_LETTERS}0-9])"
)
_KEYWORDS = {
    "fehlercode": "Code",
    "errorcode": "Code",
    "error code": "Code",
    "code": "Code",
    "error": "Error",
    "err": "ERR",
    "fehler": "Fehler",
    "fault": "Fault",
    "alarm": "Alarm",
    "warnung": "Warnung",
    "warning": "Warning",
    "störung": "Störung",
}
# "Error 203", "Error: 203", "ERR 33", "Err33", "Fehler 2", "Störung Nr. 7": on one line only.
_KEYWORD_CODE = re.compile(
    rf"(?<![{_LETTERS}])(?i:({'|'.join(sorted(_KEYWORDS, key=len, reverse=True))}))"
    rf"[ \t]*[:#.\-]?[ \t]*(?i:n[or]\.?[ \t]*)?([{_DIGITISH}]{{1,5}})(?![{_LETTERS}0-9])"
)
# "ERROR NO CURRENT": status words after a keyword in capitals, on the same line.
_WORD_CODE = re.compile(
    r"(?<![A-Za-z])(ERROR|FAULT|FEHLER|ALARM|WARNING|WARNUNG)[ \t]*:?[ \t]*"
    r"([A-ZÄÖÜ][A-Za-zÄÖÜäöü \t]*)"
)
_MAX_CODE_WORDS = 4


def extract_codes(text: str) -> tuple[str, ...]:
    """Return the error/warning/status codes in ``text`` in canonical form, in reading order.

    ``"Error: 203"`` -> ``"Error 203"``, ``"E-05O"`` -> ``"E050"``, ``"Err33"`` -> ``"ERR 33"``,
    ``"W 102"`` -> ``"W102"``, ``"ERROR No CURRENT"`` -> ``"ERROR NO CURRENT"``.
    """
    text = _NEAR_KEYWORD.sub(_repaired_keyword, text)
    found: list[tuple[int, str]] = []
    for m in _LETTER_CODE.finditer(text):
        if (digits := _as_digits(m.group(2))) is not None:
            found.append((m.start(), f"{m.group(1)}{digits}"))
    for m in _KEYWORD_CODE.finditer(text):
        if (digits := _as_digits(m.group(2))) is not None:
            label = _KEYWORDS[" ".join(m.group(1).casefold().split())]
            found.append((m.start(), f"{label} {digits}"))
    for m in _WORD_CODE.finditer(text):
        words: list[str] = []
        end = m.start(2)
        for token in list(re.finditer(r"\S+", m.group(2)))[:_MAX_CODE_WORDS]:
            word = token.group()
            # Capitals, or a short word OCR read in mixed case ("No"); prose ends the code
            if len(word) < 2 or not (word.isupper() or (len(word) <= 3 and word[0].isupper())):
                break
            words.append(word.upper())
            end = m.start(2) + token.end()
        followed_by_number = text[end:].lstrip(" \t.:#-")[:1].isdigit()  # "ERROR CODE 12"
        if any(w.isupper() for w in words) and not followed_by_number:
            found.append((m.start(), " ".join([m.group(1), *words])))
    codes: list[str] = []
    for _, code in sorted(found, key=lambda item: item[0]):
        if code not in codes:
            codes.append(code)
    return tuple(codes)


# A word of 4-8 letters right before a number may be a keyword with one letter misread
_NEAR_KEYWORD = re.compile(rf"(?<![{_LETTERS}])([{_LETTERS}]{{4,8}})(?=[ \t]*[:#.\-]?[ \t]*\d)")
_LONG_KEYWORDS = tuple(key for key in _KEYWORDS if len(key) >= 5 and " " not in key)


def _repaired_keyword(match: re.Match[str]) -> str:
    """Return the keyword that ``match`` is a misreading of ("Errer" -> "Error"), or the word."""
    word = match.group(1)
    if word.casefold() in _KEYWORDS:
        return word
    for key in _LONG_KEYWORDS:  # the first letter must match: "Terror 5" is no "Error 5"
        if word[0].casefold() == key[0] and _one_edit(word.casefold(), key):
            return key.upper() if word.isupper() else key.capitalize()
    return word


def _as_digits(raw: str) -> str | None:
    """Return ``raw`` with OCR look-alikes mapped to digits, or None if it holds no real digit."""
    return raw.translate(_CONFUSIONS) if any(ch.isdigit() for ch in raw) else None


_TOKEN_EDGE = re.compile(r"^[^\wÄÖÜäöüß]+|[^\wÄÖÜäöüß]+$")


def _clean_tokens(text: str) -> Iterator[str]:
    """Yield the words of OCR text worth searching for, without frame and noise characters."""
    for raw in text.split():
        token = _TOKEN_EDGE.sub("", raw)
        alnum = _alnum(token)
        if token and alnum >= len(token) * 0.6 and (alnum >= 2 or token.isdigit()):
            yield token  # single letters are mostly segment fragments and frame edges


def _alnum(text: str) -> int:
    """Return how many letters and digits ``text`` holds."""
    return sum(ch.isalnum() for ch in text)


# --- OCR -------------------------------------------------------------------------------------


_Region = tuple[int, int, int, int, float]  # left, top, right, bottom, text height


@dataclass(frozen=True)
class _Word:
    """One word Tesseract is reasonably sure of, with its box in the image it read."""

    text: str
    confidence: float  # 0..1
    box: tuple[int, int, int, int]  # left, top, right, bottom
    line: tuple[int, int, int]  # block, paragraph, line


@dataclass(frozen=True)
class _Pass:
    """What one Tesseract pass over one image made of it."""

    reading: DisplayReading
    words: tuple[_Word, ...]

    @property
    def score(self) -> float:
        """Rank passes: confident text first, a plausible code on top."""
        if not self.reading.text:
            return 0.0
        return (self.reading.confidence or 0.0) + (CODE_BONUS if self.reading.codes else 0.0)

    @property
    def good_enough(self) -> bool:
        """Tell whether looking further is not worth the time."""
        return bool(self.reading.codes) and (self.reading.confidence or 0.0) >= GOOD_ENOUGH


@dataclass(frozen=True)
class _Tesseract:
    """The pytesseract module, the languages to read and the engine's name."""

    module: Any
    languages: str
    engine: str

    @classmethod
    def find(cls, languages: str) -> _Tesseract:
        """Return the installed Tesseract, reading those of ``languages`` that are installed."""
        module = _pytesseract()
        engine, installed = _probe(module.pytesseract.tesseract_cmd)
        # Tesseract's OpenMP threads spin on every core: with two passes side by side, one
        # thread each is twice as fast. Only the Tesseract subprocesses see this environment.
        if "OMP_THREAD_LIMIT" not in module.pytesseract.environ:
            module.pytesseract.environ = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        return cls(module, _usable_languages(installed, languages), engine)

    def run(self, image: Image.Image, psm: int) -> _Pass:
        """Read ``image`` with page segmentation mode ``psm`` (6 block, 7 line, 11 sparse)."""
        started = time.perf_counter()
        try:
            data = self.module.image_to_data(
                image,
                lang=self.languages,
                # Sauvola thresholds locally: backlight falloff and glare defeat a global Otsu.
                # Polarity is ours to try: Tesseract's own per-line retry costs time.
                config=f"--psm {psm} -c thresholding_method=2 -c tessedit_do_invert=0",
                output_type=self.module.Output.DICT,
                timeout=TESSERACT_TIMEOUT_S,
            )
        except RuntimeError as exc:  # pytesseract reports its timeout as a bare RuntimeError
            log.info("Tesseract psm %d on %dx%d gave up: %s", psm, *image.size, exc)
            return _Pass(DisplayReading("", (), self.engine, None), ())
        words = []
        for i, raw in enumerate(data["text"]):
            confidence = float(data["conf"][i]) / 100.0
            if not raw.strip() or confidence < MIN_WORD_CONFIDENCE:
                continue
            left, top = int(data["left"][i]), int(data["top"][i])
            box = (left, top, left + int(data["width"][i]), top + int(data["height"][i]))
            line = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
            words.append(_Word(raw.strip(), confidence, box, line))
        lines: dict[tuple[int, int, int], list[str]] = {}
        for word in words:
            lines.setdefault(word.line, []).append(word.text)
        text = "\n".join(" ".join(line) for _, line in sorted(lines.items()))
        mean = sum(w.confidence for w in words) / len(words) if words else None
        took = time.perf_counter() - started
        log.debug("psm %d on %dx%d: %.2f s, %r", psm, *image.size, took, text)
        return _Pass(DisplayReading(text, extract_codes(text), self.engine, mean), tuple(words))


def read_display(path: Path, languages: str = "deu+eng") -> DisplayReading:
    """Read the text and error codes from a photo of a device display.

    Straighten the photo, find the display text in the whole frame, zoom into it and read it
    as a block, then as a line; keep the most confident reading, preferring one with a code.
    Raise :class:`BadImage` if ``path`` is not a readable image and :class:`OcrUnavailable`
    if Tesseract or all requested language packs are missing.
    """
    image = _open_image(path)  # a bad file is the user's to fix, whatever is installed
    tesseract = _Tesseract.find(languages)
    work, _ = _resized(image.convert("L"), MIN_SIDE, WORK_SIDE)
    work = _straightened(work)
    overview, scale = _resized(work, 0, OVERVIEW_SIDE)

    with ThreadPoolExecutor(max_workers=2) as pool:  # two Tesseract processes for two cores

        def read(jobs: list[tuple[Image.Image, int]]) -> list[_Pass]:
            return list(pool.map(lambda job: tesseract.run(*job), jobs))

        # The whole frame: its strokes as sparse text finds a display anywhere in a photo;
        # the picture as one block reads a display that fills the frame (text too big for
        # the stroke filter, and inside a bezel that sparse layout analysis takes for a figure)
        strokes = _strokes(overview)
        passes = read([(strokes, 11), (_polarities(overview)[-1], 6)])
        regions = _regions(passes, strokes)
        if not regions and _best(passes).good_enough:
            return _best(passes).reading  # a clean display filling the frame
        details = [overview]
        if regions:
            details = []
            for *box, word_height in regions[:MAX_REGIONS]:
                left, top, right, bottom = (round(v / scale) for v in box)
                crop = work.crop((left, top, right, bottom))
                zoom = min(TARGET_WORD_HEIGHT * scale / max(word_height, 1.0), MAX_ZOOM)
                details.append(_straightened(_resized(crop, 0, DETAIL_SIDE, zoom)[0]))
        for psm in (6, 7):  # as a block, then as a single line
            jobs = [(v, psm) for d in details for v in (_strokes(d), _polarities(d)[-1])]
            passes += read(jobs)
            if _best(passes).good_enough:
                break
    best = _best(passes)
    log.debug("read %s: %r (score %.2f)", path, best.reading.text, best.score)
    return best.reading


def _best(passes: list[_Pass]) -> _Pass:
    """Return the pass with the best score, where passes agreeing on a code back each other."""

    def support(candidate: _Pass) -> float:
        codes = set(candidate.reading.codes)
        agree = sum(1 for p in passes if p is not candidate and codes & set(p.reading.codes))
        return candidate.score + AGREEMENT_BONUS * agree

    return max(passes, key=support)


def _regions(passes: Sequence[_Pass], strokes: Image.Image) -> list[_Region]:
    """Return where to zoom in for the display text, most promising first; [] to read it all.

    With a code in the overview: around the code lines and the display lines next to them.
    Without: where text-like ink went unread, then around lines holding a digit, least
    confident first (a cleanly printed type label is read well already).
    """
    lines: dict[tuple[int, tuple[int, int, int]], list[_Word]] = {}
    for i, found in enumerate(passes):
        for w in found.words:
            if w.confidence >= 0.5 and _alnum(w.text) >= 2:
                lines.setdefault((i, w.line), []).append(w)
    sure = [w for words in lines.values() for w in words]
    coded = [
        w for words in lines.values() if extract_codes(" ".join(w.text for w in words))
        for w in words
    ]  # fmt: skip
    if coded:
        region = _around(coded, sure, strokes.size)
        return [region] if region is not None else []

    def promise(words: list[_Word]) -> tuple[bool, bool, float]:
        text = " ".join(w.text for w in words)
        return (
            not any(_near_keyword(t) for t in text.split()),
            not any(ch.isdigit() for ch in text),
            sum(w.confidence for w in words) / len(words),  # a clean type label reads well
        )

    ranked = sorted(lines.values(), key=promise)
    keyworded = [words for words in ranked if not promise(words)[0]]
    others = [words for words in ranked if promise(words)[0]]
    around = [_around(words, sure, strokes.size) for words in keyworded]
    around += _text_blobs(strokes, passes)
    around += [_around(words, sure, strokes.size) for words in others]
    return [r for r in around if r is not None]


def _near_keyword(token: str) -> bool:
    """Tell whether ``token`` is a code keyword misread by at most one letter ("ERRER")."""
    token = token.casefold()
    return len(token) >= 3 and any(_one_edit(token, key) for key in _KEYWORDS if " " not in key)


def _one_edit(a: str, b: str) -> bool:
    """Tell whether ``a`` and ``b`` differ by at most one inserted, deleted or changed letter."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _around(anchor: list[_Word], sure: list[_Word], size: tuple[int, int]) -> _Region | None:
    """Return the box around the ``anchor`` words, their neighbour lines and a margin.

    None if that is most of the frame: a display filling the frame needs no zooming.
    """
    height = float(sorted(w.box[3] - w.box[1] for w in anchor)[len(anchor) // 2])
    top = min(w.box[1] for w in anchor) - NEIGHBOUR_LINES * height
    bottom = max(w.box[3] for w in anchor) + NEIGHBOUR_LINES * height
    words = anchor + [w for w in sure if w.box[1] >= top and w.box[3] <= bottom]
    width, full_height = size
    box = (
        max(0, int(min(w.box[0] for w in words) - REGION_MARGIN_X * height)),
        max(0, int(min(w.box[1] for w in words) - REGION_MARGIN_Y * height)),
        min(width, int(max(w.box[2] for w in words) + REGION_MARGIN_X * height)),
        min(full_height, int(max(w.box[3] for w in words) + REGION_MARGIN_Y * height)),
    )
    if (box[2] - box[0]) * (box[3] - box[1]) > 0.6 * width * full_height:
        return None
    return (*box, height)


def _text_blobs(strokes: Image.Image, passes: Sequence[_Pass]) -> list[_Region]:
    """Return where the stroke image holds text-like ink no pass has read, biggest first.

    The sparse overview misses small or low-contrast display text; ink in clusters of the
    shape of text lines shows where to zoom in. Clusters a pass has read already (a type
    label without a code) and long lines (housing edges) are left out.
    """
    import numpy as np

    cell = 8
    ink = np.asarray(strokes) < 128
    rows, cols = ink.shape[0] // cell, ink.shape[1] // cell
    counts = ink[: rows * cell, : cols * cell].reshape(rows, cell, cols, cell).sum(axis=(1, 3))
    on = counts >= 4
    joined = on.copy()  # bridge the gaps between letters and words of one line
    for shift in (1, 2):
        joined[:, shift:] |= on[:, :-shift]
        joined[:, :-shift] |= on[:, shift:]
    read = np.zeros_like(on)
    for found in passes:
        for w in found.words:
            if w.confidence >= 0.5:
                read[
                    w.box[1] // cell : w.box[3] // cell + 1, w.box[0] // cell : w.box[2] // cell + 1
                ] = True
    blobs: list[tuple[int, _Region]] = []
    seen = np.zeros_like(on)
    for r0, c0 in zip(*np.nonzero(joined), strict=True):
        if seen[r0, c0]:
            continue
        seen[r0, c0] = True
        stack, members = [(r0, c0)], []
        while stack:
            r, c = stack.pop()
            members.append((r, c))
            for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if 0 <= nr < rows and 0 <= nc < cols and joined[nr, nc] and not seen[nr, nc]:
                    seen[nr, nc] = True
                    stack.append((nr, nc))
        rs = [m[0] for m in members]
        cs = [m[1] for m in members]
        height, width = max(rs) - min(rs) + 1, max(cs) - min(cs) + 1
        mass = int(sum(counts[m] for m in members))
        unread = sum(1 for m in members if on[m] and not read[m])
        if height < 2 or not 1.5 * height <= width <= 30 * height:
            continue  # a dot, a line or a frame: text lines are wider than tall
        if len(members) < 0.35 * height * width:
            continue  # the outline of something
        if unread < 0.5 * sum(1 for m in members if on[m]):
            continue  # read already
        patch = ink[min(rs) * cell : (max(rs) + 1) * cell, min(cs) * cell : (max(cs) + 1) * cell]
        if _text_height(patch) < MIN_TEXT_HEIGHT or _crossings(patch) < MIN_CROSSINGS:
            continue  # too small to read, or a ring or frame fragment rather than letters
        line = _text_height(patch)
        margin = line * REGION_MARGIN_Y
        box = (
            max(0, int(min(cs) * cell - margin)),
            max(0, int(min(rs) * cell - margin)),
            min(ink.shape[1], int((max(cs) + 1) * cell + margin)),
            min(ink.shape[0], int((max(rs) + 1) * cell + margin)),
            line,
        )
        blobs.append((mass, box))
    return [box for _, box in sorted(blobs, key=lambda b: -b[0])]


def _crossings(ink: Any) -> int:
    """Return how many strokes the busiest row of a boolean ink array crosses."""
    import numpy as np

    return int(np.abs(np.diff(ink.astype(np.int8), axis=1)).sum(axis=1).max()) // 2


def _text_height(ink: Any) -> float:
    """Return the typical height of the text lines in a boolean ink array (rows of ink)."""
    import numpy as np

    profile = ink.sum(axis=1) > max(1, 0.05 * ink.shape[1])
    runs, run = [], 0
    for filled in np.append(profile, False):
        if filled:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    runs = [run for run in runs if run >= 4] or runs  # frame edges are a few rows thin
    return float(sorted(runs)[len(runs) // 2]) if runs else float(ink.shape[0])


# --- pixels ----------------------------------------------------------------------------------


def _open_image(path: Path) -> Image.Image:
    """Open ``path`` as an upright image, or raise BadImage saying what is wrong."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not path.is_file():
        raise BadImage(path, "Datei nicht gefunden. Bitte das Foto erneut anhängen.")
    try:
        with Image.open(path) as opened:
            opened.draft("L", (WORK_SIDE, WORK_SIDE))  # JPEG: decode a 48 MP photo at 1/2 or 1/4
            upright = ImageOps.exif_transpose(opened)
            upright.load()
            return upright
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
            ValueError) as exc:  # fmt: skip
        hint = ""
        if path.suffix.lower() in {".heic", ".heif"}:
            hint = (
                " iPhone-Fotos (HEIC) bitte als JPEG senden: Einstellungen > Kamera > "
                "Formate > „Maximale Kompatibilität“."
            )
        raise BadImage(
            path,
            f"keine lesbare Bilddatei ({type(exc).__name__}). "
            f"Unterstützte Formate: {SUPPORTED_FORMATS}.{hint}",
        ) from exc


def _resized(
    image: Image.Image, min_side: int, max_side: int, zoom: float = 1.0
) -> tuple[Image.Image, float]:
    """Scale a grayscale image by ``zoom`` within [min_side, max_side], stretch its contrast.

    Return the image and the scale factor applied.
    """
    from PIL import Image as PILImage
    from PIL import ImageOps

    side = max(image.size) * zoom
    if side > max_side:
        zoom *= max_side / side
    elif side < min_side:
        zoom *= min_side / side
    if abs(zoom - 1.0) > 0.02:
        size = (max(1, round(image.width * zoom)), max(1, round(image.height * zoom)))
        image = image.resize(size, PILImage.Resampling.LANCZOS)
    else:
        zoom = 1.0
    return ImageOps.autocontrast(image, cutoff=1), zoom


def _polarities(image: Image.Image) -> list[Image.Image]:
    """Return the image as Tesseract needs it, dark text on light ground: one or two variants.

    A light display needs nothing, a dark one inverting. A dark LCD in a light housing needs
    flipping only where it is dark, so flip by the local mean rather than the whole frame.
    """
    from PIL import Image as PILImage
    from PIL import ImageOps

    light = _light_ground(image)
    dark_share = light.histogram()[0] / (image.width * image.height)
    if dark_share < 0.05:
        return [image]
    inverted = ImageOps.invert(image)
    if dark_share > 0.95:
        return [inverted]
    return [image, PILImage.composite(image, inverted, light)]


def _light_ground(image: Image.Image) -> Image.Image:
    """Return a mask: 255 where the surroundings are light (dark text), 0 where dark."""
    from PIL import ImageFilter

    local = image.filter(ImageFilter.BoxBlur(max(8, max(image.size) // 30)))
    low, high = DARK_MEAN - 20, DARK_MEAN + 20
    return local.point(lambda v: 0 if v < low else 255 if v > high else (v - low) * 255 // 40)


def _strokes(image: Image.Image, width: int = STROKE_WIDTH) -> Image.Image:
    """Return only the thin strokes of an image, dark on white, whatever their polarity.

    A morphological top-hat: what a ``width`` wide max/min filter wipes out is text; the bezel,
    buttons, glare and backlight falloff are wider and vanish. Tesseract's layout analysis
    then sees the display text on a blank page instead of a box inside a photo.
    """
    import numpy as np
    from PIL import Image as PILImage

    a = np.asarray(image, dtype=np.int16)
    dark = _rank_filter(_rank_filter(a, width, np.max), width, np.min) - a  # dark strokes
    light = a - _rank_filter(_rank_filter(a, width, np.min), width, np.max)  # light strokes
    weight = np.asarray(_text_is_dark(image), dtype=np.float32) / 255.0
    strength = weight * dark + (1.0 - weight) * light
    top = max(float(np.percentile(strength, 99.5)), 30.0)
    ink = np.clip((strength - 0.1 * top) * (255.0 / (0.9 * top)), 0, 255)
    return PILImage.fromarray((255 - ink).astype(np.uint8))


def _text_is_dark(image: Image.Image, window: int = 28) -> Image.Image:
    """Return a mask: 255 where the text is darker than its ground, 0 where it is lighter.

    Around text, the ground is the majority: where the local median lies above the middle
    of the local range, the ground is light and the text dark.
    """
    from PIL import Image as PILImage
    from PIL import ImageChops, ImageFilter

    step = 4
    small = image.reduce(step).filter(ImageFilter.MedianFilter(3))
    size = window // step | 1
    median = small.filter(ImageFilter.MedianFilter(size))
    middle = ImageChops.add(
        small.filter(ImageFilter.MaxFilter(size)),
        small.filter(ImageFilter.MinFilter(size)),
        scale=2.0,
    )
    # 128 + (median - middle) * 4, clipped: a soft edge between the two kinds of ground
    mask = ImageChops.subtract(median, middle, scale=0.25, offset=128)
    return mask.resize(image.size, PILImage.Resampling.BILINEAR)


def _rank_filter(a: Any, size: int, reduce: Any) -> Any:
    """Return the max or min over a ``size`` square around each pixel (separable, fast)."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    pad = size // 2
    rows = sliding_window_view(np.pad(a, ((0, 0), (pad, pad)), mode="edge"), size, axis=1)
    a = reduce(rows, axis=-1)
    cols = sliding_window_view(np.pad(a, ((pad, pad), (0, 0)), mode="edge"), size, axis=0)
    return reduce(cols, axis=-1)


def _straightened(image: Image.Image) -> Image.Image:
    """Return the image rotated so text lines run level (phone photos are a few degrees off).

    Pick the angle whose row profile of ink is the most peaked: level lines of text put
    their ink into few rows.
    """
    import numpy as np
    from PIL import Image as PILImage
    from PIL import ImageFilter

    small, _ = _resized(image, 0, 400)
    polar = _polarities(small)[-1]
    local = polar.filter(ImageFilter.BoxBlur(6))
    ink = PILImage.fromarray(
        ((np.asarray(polar, dtype=np.int16) < np.asarray(local, dtype=np.int16) - 20) * 255).astype(
            np.uint8
        )
    )

    def peakedness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, PILImage.Resampling.NEAREST), dtype=np.float32)
        return float(np.var(rows.sum(axis=1)))

    coarse = max(np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 0.1, 1.0), key=peakedness)
    angle = max(np.arange(coarse - 0.75, coarse + 0.8, 0.25), key=peakedness)
    if abs(angle) < 0.75:
        return image
    background = int(np.median(np.asarray(image)))
    return image.rotate(float(angle), PILImage.Resampling.BICUBIC, fillcolor=background)


# --- Tesseract installation ------------------------------------------------------------------


def _pytesseract() -> Any:
    """Import pytesseract lazily: most NikDesk sessions never read a photo."""
    try:
        import pytesseract
    except ImportError as exc:
        raise MissingExtra("pytesseract", "ocr", "Texterkennung auf Fotos") from exc
    return pytesseract


@functools.lru_cache(maxsize=4)
def _probe(cmd: str) -> tuple[str, frozenset[str]]:
    """Return Tesseract's version line and installed languages, or raise OcrUnavailable.

    Ask the binary itself: pytesseract caches its answers process-wide (and exits the
    process on an old version), which would hide a Tesseract installed or moved meanwhile.
    """
    missing = OcrUnavailable(
        f"Texterkennung nicht verfügbar: Tesseract fehlt ({cmd}). {INSTALL_HINT}"
    )
    exe = shutil.which(cmd)
    if exe is None:
        raise missing
    try:
        version = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=10, check=True
        )
        langs = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise missing from exc
    first = (version.stdout or version.stderr).strip().splitlines()
    engine = first[0].strip() if first else "tesseract"
    listed = langs.stdout.strip().splitlines()[1:]  # first line: 'List of available languages'
    return engine, frozenset(line.strip() for line in listed if line.strip())


def _usable_languages(installed: frozenset[str], languages: str) -> str:
    """Return the requested languages that are installed; raise if none is."""
    wanted = [lang for lang in languages.split("+") if lang]
    usable = [lang for lang in wanted if lang in installed]
    missing = [lang for lang in wanted if lang not in installed]
    if not usable:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing) or "tesseract-ocr-deu"
        raise OcrUnavailable(
            f"Texterkennung nicht verfügbar: Sprachdaten {'+'.join(missing) or '(keine)'} "
            f"fehlen. Installieren: apt install {packages} "
            "(Windows: Tesseract-Installer erneut ausführen und die Sprachpakete wählen)"
        )
    if missing:
        log.warning("Tesseract reads with %s only, missing: %s", "+".join(usable), missing)
    return "+".join(usable)
