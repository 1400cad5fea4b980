"""Read the text and error codes off a photo of a device display, offline, with Tesseract.

A technician photographs an inverter/charger LCD ("Error 203", "E050", "ERROR NO CURRENT");
:func:`read_display` returns what the display says and the codes on it, and
:meth:`DisplayReading.query` turns that into the search text for the manuals.

The work is split by stage: :mod:`.codes` finds codes in text, :mod:`.image` loads and
prepares the photo, :mod:`.locate` finds where on it the display text is, :mod:`.tesseract`
runs the OCR engine, :mod:`.reading` holds what a pass read, and :mod:`.reader` ties it all
together in :func:`read_display`.
"""

from nikdesk.agent.photo.codes import extract_codes
from nikdesk.agent.photo.image import SUPPORTED_FORMATS
from nikdesk.agent.photo.reader import read_display
from nikdesk.agent.photo.reading import DisplayReading
from nikdesk.agent.photo.tesseract import INSTALL_HINT

__all__ = ["INSTALL_HINT", "SUPPORTED_FORMATS", "DisplayReading", "extract_codes", "read_display"]
