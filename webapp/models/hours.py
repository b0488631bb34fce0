"""Business hours: named weekly schedules in an IANA time zone, shared by departments."""
import enum
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Enum, ForeignKey, Integer, SmallInteger, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.i18n import lazy_gettext as _l
from webapp.models.localized import NamedInTwoLanguages
from webapp.models.versioned import Versioned

WEEKDAYS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))
WEEKDAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                 _l("Saturday"), _l("Sunday"))


class DayMode(enum.Enum):
    closed = "closed"
    all_day = "all_day"
    hours = "hours"


class BusinessHours(NamedInTwoLanguages, Versioned, db.Model):
    __tablename__ = "business_hours"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused after a delete

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))

    days = relationship(
        "BusinessDay", order_by="BusinessDay.weekday", cascade="all, delete-orphan", lazy="selectin"
    )
    departments = relationship("Department", back_populates="business_hours")

    def day(self, weekday: int) -> "BusinessDay | None":
        return next((d for d in self.days if d.weekday == weekday), None)

    def is_open(self, at: datetime) -> bool:
        """Whether the schedule is open at an aware moment, judged in the schedule's own zone."""
        local = at.astimezone(ZoneInfo(self.timezone))
        day = self.day(local.weekday())
        if day is None or day.mode is DayMode.closed:
            return False
        if day.mode is DayMode.all_day:
            return True
        return day.opens <= local.time().replace(tzinfo=None) < day.closes

    @property
    def summary(self) -> str:
        """Consecutive days with the same hours folded together: "Mon–Fri 09:00–18:00"."""
        groups: list[tuple[int, int, str]] = []
        for weekday in range(7):
            day = self.day(weekday)
            text = day.describe() if day else None
            if text is None or (day and day.mode is DayMode.closed):
                continue
            if groups and groups[-1][1] == weekday - 1 and groups[-1][2] == text:
                groups[-1] = (groups[-1][0], weekday, text)
            else:
                groups.append((weekday, weekday, text))
        if not groups:
            return str(_l("Closed every day"))
        parts = []
        for first, last, text in groups:
            days = str(WEEKDAYS[first]) if first == last else f"{WEEKDAYS[first]}–{WEEKDAYS[last]}"
            parts.append(f"{days} {text}")
        return ", ".join(parts)


class BusinessDay(db.Model):
    __tablename__ = "business_days"

    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("business_hours.id", ondelete="CASCADE"), primary_key=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # 0 = Monday
    mode: Mapped[DayMode] = mapped_column(
        Enum(DayMode, name="day_mode", native_enum=False, length=10), default=DayMode.closed
    )
    opens: Mapped[time | None] = mapped_column(Time)
    closes: Mapped[time | None] = mapped_column(Time)

    def describe(self) -> str:
        if self.mode is DayMode.closed:
            return str(_l("closed"))
        if self.mode is DayMode.all_day:
            return str(_l("open 24 hours"))  # the same words as the form's "Open 24 hours"
        return f"{self.opens:%H:%M}–{self.closes:%H:%M}"

