"""Reading error codes off photos of device displays (Tesseract), on images drawn at test time."""

from __future__ import annotations

import random
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from nikdesk.agent.photo import DisplayReading, extract_codes, read_display
from nikdesk.core.errors import BadImage, NikDeskError, OcrUnavailable

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # CI installs fonts-dejavu-core

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract not installed (apt install tesseract-ocr tesseract-ocr-deu)",
)

RGB = tuple[int, int, int]
LCD_GREEN: tuple[RGB, RGB] = ((28, 40, 28), (158, 186, 128))  # text, background
LCD_GREY: tuple[RGB, RGB] = ((35, 35, 40), (188, 192, 186))
LCD_BLUE: tuple[RGB, RGB] = ((215, 235, 255), (20, 44, 110))  # light text on a dark display
LCD_AMBER: tuple[RGB, RGB] = ((255, 176, 40), (24, 18, 12))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Return a bold DejaVu font, or Pillow's own when the system has no DejaVu."""
    for name in ("DejaVuSansMono-Bold.ttf", "DejaVuSans-Bold.ttf"):
        if (FONT_DIR / name).is_file():
            return ImageFont.truetype(str(FONT_DIR / name), size)
    return ImageFont.load_default(size=size)


def _fitting_font(
    lines: Sequence[str], width: int, height: int
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Return the largest font up to a line-height share that fits the lines into the width."""
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    size = height // (len(lines) + 2) + 8
    font = _font(size)
    while size > 8 and max(probe.textlength(line, font=font) for line in lines) > width * 0.86:
        size = int(size * 0.92)
        font = _font(size)
    return font


def draw_display(
    lines: Sequence[str], colours: tuple[RGB, RGB], size: tuple[int, int] = (600, 200)
) -> Image.Image:
    """Draw an LCD: text lines on a slightly uneven backlit panel inside a dark bezel."""
    text, background = colours
    width, height = size
    panel = Image.new("RGB", size, background)
    # Backlights are brighter in the middle: darken towards the left and right edges
    falloff = Image.linear_gradient("L").rotate(90).resize(size)
    falloff = falloff.point(lambda v: 255 - abs(v - 128) * 40 // 128)
    panel = Image.composite(panel, Image.new("RGB", size, (0, 0, 0)), falloff)
    draw = ImageDraw.Draw(panel)
    font = _fitting_font(lines, width, height)
    line_height = height // (len(lines) + 1)
    for i, line in enumerate(lines):
        draw.text((width // 14, line_height * (i + 1)), line, fill=text, font=font, anchor="lm")
    framed = Image.new("RGB", (width + 40, height + 40), (30, 30, 32))
    framed.paste(panel, (20, 20))
    return framed


def phone_photo(
    display: Image.Image,
    size: tuple[int, int] = (2400, 1800),
    display_share: float = 0.5,
    tilt: float = -4.0,
    seed: int = 7,
) -> Image.Image:
    """Put a display into a device housing and shoot it like a phone would: skewed, tilted,
    blurred, noisy, with glare and a type label beside the display."""
    rng = random.Random(seed)
    width, height = size
    housing = Image.new("RGB", size, (205, 208, 212))
    draw = ImageDraw.Draw(housing)
    draw.rounded_rectangle(
        (width // 10, height // 10, width * 9 // 10, height * 9 // 10),
        radius=width // 60,
        fill=(232, 234, 236),
        outline=(120, 120, 125),
        width=max(2, width // 400),
    )
    for x in range(4):  # buttons below the display
        cx, cy, r = width // 2 + (x - 1.5) * width // 10, height * 3 // 4, width // 60
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(90, 90, 95))
    draw.text(
        (width * 0.13, height * 0.13),
        "SolarMax 5000 SP",
        fill=(70, 70, 80),
        font=_font(width // 70),
    )
    shown_width = int(width * display_share)
    scaled = display.resize((shown_width, shown_width * display.height // display.width))
    housing.paste(scaled, ((width - scaled.width) // 2, height // 4))
    # Perspective: the phone is held a little to the left of and below the display
    d = width // 40
    quad = (d, 0, 0, height, width, height - d, width - d // 2, d // 2)
    photo = housing.transform(size, Image.Transform.QUAD, quad, Image.Resampling.BICUBIC)
    photo = photo.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=(60, 62, 66))
    photo = photo.filter(ImageFilter.GaussianBlur(width / 1200))
    noise = Image.frombytes("L", size, rng.randbytes(width * height)).convert("RGB")
    photo = Image.blend(photo, noise, 0.06)  # sensor noise, the same on every run
    glare = Image.new("L", size, 0)
    ImageDraw.Draw(glare).ellipse(
        (width * 0.6, height * 0.2, width * 0.9, height * 0.45), fill=rng.randint(50, 70)
    )
    return Image.composite(
        Image.new("RGB", size, (255, 255, 255)),
        photo,
        glare.filter(ImageFilter.GaussianBlur(width / 40)),
    )


def save(image: Image.Image, path: Path, quality: int = 80) -> Path:
    """Save as JPEG (what a phone sends) or PNG by suffix."""
    if path.suffix.lower() in {".jpg", ".jpeg"}:
        image.save(path, quality=quality)
    else:
        image.save(path)
    return path


def sample_images(folder: Path) -> dict[str, tuple[Path, str]]:
    """Write the sample photos; return name -> (path, code that must be found)."""
    cases = {
        "green_error_203": (draw_display(["Error 203"], LCD_GREEN), "Error 203"),
        "grey_e050_two_words": (
            draw_display(["E050  Isolationsfehler"], LCD_GREY, (760, 200)),
            "E050",
        ),
        "blue_err_33_inverted": (draw_display(["ERR 33"], LCD_BLUE), "ERR 33"),
        "amber_error_no_current": (
            draw_display(["ERROR NO CURRENT"], LCD_AMBER, (700, 200)),
            "ERROR NO CURRENT",
        ),
        "grey_fehler_two_lines": (draw_display(["Status: Fehler", "F012  Netz"], LCD_GREY), "F012"),
    }
    out = {name: (save(img, folder / f"{name}.png"), code) for name, (img, code) in cases.items()}
    photos = {
        "phone_photo_e050": (
            phone_photo(draw_display(["E050", "Isolationsfehler"], LCD_GREEN, (640, 240))),
            "E050",
        ),
        "phone_photo_warnung_401_inverted": (
            phone_photo(draw_display(["Warnung 401"], LCD_BLUE, (640, 200)), tilt=3, seed=3),
            "Warnung 401",
        ),
        # 12 MP, the display a third of the frame wide: the usual shot from arm's length
        "phone_photo_12mp_fehler_f012": (
            phone_photo(
                draw_display(["Fehler F012", "Netz getrennt"], LCD_GREY, (640, 240)),
                size=(4032, 3024),
                display_share=0.34,
                tilt=-6,
                seed=11,
            ),
            "F012",
        ),
    }
    for name, (img, code) in photos.items():
        out[name] = (save(img, folder / f"{name}.jpg", quality=75), code)
    return out


# --- extract_codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Error 203", ("Error 203",)),
        ("Error: 203", ("Error 203",)),
        ("ERROR-203", ("Error 203",)),
        ("E050", ("E050",)),
        ("E-050 Isolationsfehler", ("E050",)),
        ("F012", ("F012",)),
        ("Fehler F-012", ("F012",)),
        ("ERR 33", ("ERR 33",)),
        ("Err33", ("ERR 33",)),
        ("Fehler 2", ("Fehler 2",)),
        ("Warnung 401", ("Warnung 401",)),
        ("W 102", ("W102",)),
        ("W-102 PV 3000 W 230 V", ("W102",)),
        ("Code 12", ("Code 12",)),
        ("Fehlercode: 12", ("Code 12",)),
        ("ERROR NO CURRENT", ("ERROR NO CURRENT",)),
        ("ERROR: NO GRID\nPV 3000 W", ("ERROR NO GRID",)),
        ("Fault 41", ("Fault 41",)),
        ("Alarm 2001", ("Alarm 2001",)),
        ("Störung Nr. 7", ("Störung 7",)),
        ("Status: E050  Error 203", ("E050", "Error 203")),
        ("E050 E050 E-050", ("E050",)),
    ],
)
def test_extract_codes_canonical_forms(text: str, codes: tuple[str, ...]) -> None:
    assert extract_codes(text) == codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("E05O", ("E050",)),  # letter O for zero
        ("EO5O", ("E050",)),
        ("Error 2O3", ("Error 203",)),
        ("ERR 3l", ("ERR 31",)),  # lower-case l for one
        ("Fault I2", ("Fault 12",)),
        ("F0I2", ("F012",)),
        ("Warnung 4O1", ("Warnung 401",)),
        ("Errer 203", ("Error 203",)),  # a keyword with one letter misread
        ("Alarn 2001", ("Alarm 2001",)),
        ("WARNUNQ 401", ("Warnung 401",)),
        ("ERROR No CURRENT", ("ERROR NO CURRENT",)),  # OCR lower-cases short words
    ],
)
def test_extract_codes_repairs_ocr_confusions(text: str, codes: tuple[str, ...]) -> None:
    assert extract_codes(text) == codes


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Isolationsfehler",  # "fehler" inside a word is no keyword
        "PV 3000 W 230 V 16 A",  # units after numbers are no codes
        "EOL FOIL Error",  # look-alike letters without a real digit
        "Error: Netz getrennt",  # words after a mixed-case keyword are prose, not a word code
        "DE050 E0501",  # codes are whole tokens
        "Fehler O",
        "Terror 5",  # one letter from "Error", but not a misread first letter
        "Spannung 230 V",
        "Fehler\n2",  # a keyword and a number on different lines
    ],
)
def test_extract_codes_ignores_non_codes(text: str) -> None:
    assert extract_codes(text) == ()


def test_error_code_words_followed_by_number_give_the_number_code() -> None:
    assert extract_codes("ERROR CODE 12") == ("Code 12",)


# --- query -----------------------------------------------------------------------------------


def test_query_puts_codes_first_and_drops_duplicates_and_noise() -> None:
    reading = DisplayReading(
        text="| Isolationsfehler E05O ~\nErr33 ; :: x",
        codes=("E050", "ERR 33"),
        engine="tesseract 5",
        confidence=0.9,
    )
    assert reading.query() == "E050 ERR 33 Isolationsfehler"


def test_query_is_short() -> None:
    reading = DisplayReading(
        text=" ".join(["Netzspannung"] * 40),
        codes=("Error 203",),
        engine="tesseract 5",
        confidence=0.9,
    )
    long = DisplayReading(
        text=" ".join(f"Wort{i}" for i in range(100)),
        codes=(),
        engine="tesseract 5",
        confidence=0.9,
    )
    assert reading.query() == "Error 203 Netzspannung"
    assert 0 < len(long.query()) <= 120


# --- errors ----------------------------------------------------------------------------------


def test_a_text_file_is_a_bad_image_with_a_clear_message(tmp_path: Path) -> None:
    fake = tmp_path / "display.jpg"
    fake.write_text("kein Bild")
    with pytest.raises(BadImage) as err:
        read_display(fake)
    message = str(err.value)
    assert "display.jpg" in message
    assert "keine lesbare Bilddatei" in message
    assert "JPEG" in message and "PNG" in message
    assert isinstance(err.value, NikDeskError)


def test_a_missing_file_is_a_bad_image(tmp_path: Path) -> None:
    with pytest.raises(BadImage, match="nicht gefunden"):
        read_display(tmp_path / "weg.png")


def test_heic_photo_names_the_iphone_setting(tmp_path: Path) -> None:
    heic = tmp_path / "IMG_0001.HEIC"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64)
    with pytest.raises(BadImage, match="Maximale Kompatibilität"):
        read_display(heic)


def test_missing_tesseract_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pytesseract

    image = save(draw_display(["E050"], LCD_GREY), tmp_path / "e050.png")
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-tesseract"))
    with pytest.raises(OcrUnavailable) as err:
        read_display(image)
    message = str(err.value)
    assert "Tesseract fehlt" in message
    assert "apt install tesseract-ocr tesseract-ocr-deu" in message
    assert "Windows" in message


@needs_tesseract
def test_no_installed_language_is_ocr_unavailable(tmp_path: Path) -> None:
    image = save(draw_display(["E050"], LCD_GREY), tmp_path / "e050.png")
    with pytest.raises(OcrUnavailable, match="tesseract-ocr-xyz"):
        read_display(image, languages="xyz")


# --- reading real pixels ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return sample_images(tmp_path_factory.mktemp("displays"))


@needs_tesseract
@pytest.mark.parametrize(
    "name",
    [
        "green_error_203",
        "grey_e050_two_words",
        "blue_err_33_inverted",
        "amber_error_no_current",
        "grey_fehler_two_lines",
        "phone_photo_e050",
        "phone_photo_warnung_401_inverted",
        "phone_photo_12mp_fehler_f012",
    ],
)
def test_read_display_finds_the_code(samples: dict[str, tuple[Path, str]], name: str) -> None:
    path, code = samples[name]
    reading = read_display(path)
    assert code in reading.codes, reading
    assert reading.engine.startswith("tesseract")
    assert reading.confidence is not None and 0.0 < reading.confidence <= 1.0
    assert reading.query().startswith(code.split()[0])


@needs_tesseract
def test_read_display_keeps_the_words_next_to_the_code(
    samples: dict[str, tuple[Path, str]],
) -> None:
    reading = read_display(samples["grey_e050_two_words"][0])
    assert "Isolationsfehler" in reading.query()


@needs_tesseract
def test_read_display_follows_exif_rotation(tmp_path: Path) -> None:
    upright = draw_display(["Error 203"], LCD_GREEN)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned; viewers rotate 90° clockwise
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    path = tmp_path / "sideways.jpg"
    sideways.save(path, exif=exif, quality=90)
    assert "Error 203" in read_display(path).codes
