"""Ticket attachments: PNG, JPEG, GIF, PDF or plain text, up to 5 files of at most 2 MB each, recognised by
their content (never by the name or the type the browser claims) and stored as sent."""
import io
import unicodedata
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from webapp.i18n import gettext as _

MAX_FILES = 5
MAX_BYTES = 2 * 1024 * 1024
# A request with five full files and the text fits; Flask refuses anything bigger before reading it.
MAX_REQUEST_BYTES = MAX_FILES * MAX_BYTES + 256 * 1024
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "application/pdf": ".pdf",
              "text/plain": ".txt"}
MAX_PIXELS = 40_000_000  # the header's declared size only: images are not decoded


class AttachmentError(ValueError):
    """A file that cannot be attached; the message names it and says why."""


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


def _detect(data: bytes) -> str | None:
    """The content type by content: images by Pillow's reading of the header, PDF by its signature, text as
    UTF-8 without control characters other than tab, newline and carriage return."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data[:4] == b"\x89PNG" or data[:3] == b"\xff\xd8\xff" or data[:6] in (b"GIF87a", b"GIF89a"):
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind = IMAGE_TYPES.get(image.format)
                width, height = image.size
                if kind is None or width < 1 or height < 1 or width * height > MAX_PIXELS:
                    return None
                image.verify()
                return kind
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text):
        return None
    return "text/plain"


def clean_filename(name: str, content_type: str) -> str:
    """The name as sent without folders and control characters, ending in the extension of what it is."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .") or "file"
    extension = EXTENSIONS[content_type]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if not name.lower().endswith(extension) and not (extension == ".jpg" and name.lower().endswith(".jpeg")):
        name = stem + extension
    return name[-120:]


def check_uploads(files) -> list[Upload]:
    """The uploads of a form field (werkzeug FileStorage objects; empty inputs are skipped), checked."""
    chosen = [f for f in files if f is not None and getattr(f, "filename", "")]
    if len(chosen) > MAX_FILES:
        raise AttachmentError(_("Attach at most %(count)d files.", count=MAX_FILES))
    uploads = []
    for storage in chosen:
        data = storage.read(MAX_BYTES + 1)
        name = storage.filename
        if not data:
            raise AttachmentError(_("“%(name)s” is empty.", name=name))
        if len(data) > MAX_BYTES:
            raise AttachmentError(_("“%(name)s” is larger than 2 MB.", name=name))
        content_type = _detect(data)
        if content_type is None:
            raise AttachmentError(_("“%(name)s” is not a PNG, JPEG or GIF image, a PDF or a plain text file.",
                                    name=name))
        uploads.append(Upload(clean_filename(name, content_type), content_type, data))
    return uploads
