"""The filters the payment and expense lists share: a client (an exact one or a search) and a date range.
Bad values fall back to no filter, with a note saying so (a GET filter never answers an error page)."""
import re
from dataclasses import dataclass, field
from datetime import date

from webapp.i18n import gettext as _
from webapp.ids import parse_id
from webapp.text import without_forbidden

DAY_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def parse_day(text: str | None) -> date | None:
    """"2026-03-31" as a date from 2000 to 2999, else None."""
    text = (text or "").strip()
    if not DAY_PATTERN.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


@dataclass
class ClientDates:
    """A client (an exact id, from the client's page, and/or a search text) and a date range, both ends kept."""

    client: str = ""
    client_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.client or self.client_id or self.date_from or self.date_to)

    @property
    def narrowed(self) -> bool:
        """A client or a period is chosen: the list's sum reads those rows, not the whole table."""
        return bool(self.client or self.client_id or self.date_from or self.date_to)

    def args(self) -> dict:
        args = {}
        if self.client:
            args["client"] = self.client
        if self.client_id:
            args["client_id"] = self.client_id
        if self.date_from:
            args["from"] = self.date_from.isoformat()
        if self.date_to:
            args["to"] = self.date_to.isoformat()
        return args

    def read(self, args) -> None:
        self.client = without_forbidden(args.get("client", "")).strip()[:200]
        self.client_id = parse_id(args.get("client_id")) if args.get("client_id") else None
        for name, attribute in (("from", "date_from"), ("to", "date_to")):
            text = (args.get(name) or "").strip()
            if not text:
                continue
            day = parse_day(text)
            if day is None:
                self.notes.append(_("“%(value)s” is not a date (YYYY-MM-DD) from 2000 on: that end of the period "
                                    "is left open.", value=without_forbidden(text[:20])))
            setattr(self, attribute, day)
        if self.date_from and self.date_to and self.date_from > self.date_to:
            self.notes.append(_("The first date was after the last one: they are swapped."))
            self.date_from, self.date_to = self.date_to, self.date_from
