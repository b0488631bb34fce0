"""Record ids and page numbers from URLs: ASCII digits within the database's integer range, else a 404."""
from werkzeug.routing import IntegerConverter

# PostgreSQL's integer; SQLite's is wider, but one bound for both keeps the answer the same everywhere.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: "١" (an Arabic-Indic digit) or 2**31 do not match, so the answer is 404."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_id(value) -> int | None:
    """An id from a form or query string, or None when it is not one (non-ASCII digits, out of range)."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
