"""Read a display photo: locate the display text, zoom in, and keep the best OCR pass."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from nikdesk.agent.photo.image import (
    WORK_SIDE,
    _open_image,
    _polarities,
    _resized,
    _straightened,
    _strokes,
)
from nikdesk.agent.photo.locate import _regions
from nikdesk.agent.photo.reading import DisplayReading, _Pass
from nikdesk.agent.photo.tesseract import _Tesseract

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

# Sizes in pixels. 1200 px are enough to find the display text in a phone photo, which is
# then read in the sharper WORK_SIDE image.
OVERVIEW_SIDE = 1200
MIN_SIDE = 1000  # smaller images (screenshots, crops) are upscaled to this
DETAIL_SIDE = 1600  # the zoomed display crop
TARGET_WORD_HEIGHT = 44  # the crop is zoomed to words this tall, Tesseract's sweet spot...
MAX_ZOOM = 4.0  # ...but never more than this
MAX_REGIONS = 2  # zoom into at most this many places
AGREEMENT_BONUS = 0.1  # per other pass that read the same code


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
