"""Load a display photo and prepare its pixels for OCR: scale, polarity, strokes, deskew."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from nikdesk.core.errors import BadImage

if TYPE_CHECKING:
    from PIL import Image

SUPPORTED_FORMATS = "JPEG, PNG, WebP, BMP, TIFF, GIF"

# Pixels. A phone photo shows the display text at a few percent of the frame height:
# 2400 px keep it sharp enough to zoom into (the reader finds it at a smaller size).
WORK_SIDE = 2400
MAX_SKEW_DEGREES = 12.0
STROKE_WIDTH = 15  # thicker strokes than this are frame, not text (at overview/detail sizes)
DARK_MEAN = 110  # a region darker than this on average shows light text on dark ground


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
