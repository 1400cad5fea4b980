"""Run the Tesseract OCR engine on an image; find it and its language packs, or say how to."""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nikdesk.agent.photo.codes import extract_codes
from nikdesk.agent.photo.reading import DisplayReading, _Pass, _Word
from nikdesk.core.errors import MissingExtra, OcrUnavailable

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "Installieren: apt install tesseract-ocr tesseract-ocr-deu "
    "(Windows: Installer von https://github.com/UB-Mannheim/tesseract/wiki ausführen, "
    "dabei das Sprachpaket „German“ wählen und den Installationsordner zu PATH hinzufügen; "
    "macOS: brew install tesseract tesseract-lang)"
)
TESSERACT_TIMEOUT_S = 6.0  # a pass that takes longer is reading noise, not a display
MIN_WORD_CONFIDENCE = 0.30  # words below this are noise (display frame, reflections)


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
