"""Text rules shared by every form and model: comparison keys, and characters no field may hold."""
import re
import unicodedata

# C0/C1 control characters (tab, newline and carriage return are allowed only where a field says so),
# and the bidirectional embeddings, overrides and isolates that can make text read differently than stored.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FORBIDDEN_ON_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")
# Case folding and NFKC can make a name longer ("ß" → "ss", "ﬃ" → "ffi", "ﷺ" → 18 characters), so a key has
# room for three times a 120-character name and is cut there: two names alike in their first 360 folded
# characters count as the same name.
KEY_LENGTH = 360


def fold(text: str | None) -> str:
    """The comparison key of a name: NFKC, Unicode case folding, spaces collapsed ("Отдел Ё" == "отдел ё")."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return _SPACES.sub(" ", folded).strip()[:KEY_LENGTH]


def has_forbidden(text: str, multiline: bool = False) -> bool:
    """Whether the text holds a control character or a bidirectional override."""
    return bool((_FORBIDDEN if multiline else _FORBIDDEN_ON_ONE_LINE).search(text))


def without_forbidden(text: str) -> str:
    """The text with control characters and bidirectional overrides removed (for search boxes)."""
    return _FORBIDDEN_ON_ONE_LINE.sub("", text)


def like_escape(text: str, escape: str = "\\") -> str:
    """Text for a LIKE pattern with `escape` as its escape character: %, _ and the escape itself match
    literally."""
    return text.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")
