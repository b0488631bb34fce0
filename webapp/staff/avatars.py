"""Avatars: uploads checked by content with Pillow and stored as an 80×80 PNG; initials otherwise."""
import hashlib
import io

from markupsafe import escape
from PIL import Image, ImageOps, UnidentifiedImageError

from webapp.i18n import gettext as _

MAX_BYTES = 64 * 1024
SIZE = 80
FORMATS = {"PNG", "JPEG", "MPO", "GIF"}  # MPO: a JPEG with several pictures (some cameras and phones)
# Decoding is bounded by the declared size, checked before decoding: 2 M pixels decode and shrink in well
# under 0.2 s of CPU; JPEGs are decoded straight at a reduced scale (draft mode). A bigger image is refused
# as too large (a 64 KB PNG can declare 10,000 × 10,000 pixels of one colour).
MAX_PIXELS = 2_000_000
PALETTE = ("#1f5fbf", "#1d7a46", "#8a5a00", "#7b3fb3", "#b42318", "#0e7490", "#475569", "#9d174d")


class AvatarError(ValueError):
    """An upload that is not an acceptable avatar; the message says why."""


def process_avatar(data: bytes) -> bytes:
    """Check an upload by its content and return it as an 80×80 PNG without metadata."""
    if not data:
        raise AvatarError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise AvatarError(_("The file is %(size)s KB; the limit is 64 KB.", size=(len(data) + 1023) // 1024))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise AvatarError(_("Only PNG, JPEG and GIF images are accepted."))
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise _too_large(width, height)
            image.seek(0)
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", (SIZE * 2, SIZE * 2))  # decode at 1/2 … 1/8 scale: far less work
            image.load()
            image.thumbnail((SIZE * 4, SIZE * 4), Image.Resampling.BILINEAR, reducing_gap=2.0)
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGBA")
    except AvatarError:
        raise
    except Image.DecompressionBombError:
        raise AvatarError(_("The image declares more pixels than an avatar may have; it is too large.")) from None
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise AvatarError(_("The file is not a PNG, JPEG or GIF image, or it is damaged.")) from None
    fitted = ImageOps.fit(image, (SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    fitted.save(out, format="PNG", optimize=True)  # a new image: no EXIF, no text chunks
    return out.getvalue()


def _too_large(width: int, height: int) -> AvatarError:
    return AvatarError(_("The image is %(w)s×%(h)s pixels; that is too large (at most %(limit)s million pixels).",
                         w=width, h=height, limit=MAX_PIXELS // 1_000_000))


def initials_svg(initials: str, seed: str) -> str:
    """An 80×80 SVG with the initials on a colour derived from the login."""
    colour = PALETTE[int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(PALETTE)]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 80 80">'
        f'<rect width="80" height="80" fill="{colour}"/>'
        f'<text x="40" y="40" dy=".35em" text-anchor="middle" fill="#fff" '
        f'font-family="system-ui, DejaVu Sans, sans-serif" font-size="32" font-weight="600">'
        f"{escape(initials)}</text></svg>"
    )
