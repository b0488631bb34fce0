"""Business hours: named weekly schedules in an IANA time zone, with holidays, shared by departments."""
import datetime as dt
import enum

from sqlalchemy import (
    Date,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.i18n import lazy_gettext as _l
from webapp.models.localized import NamedInTwoLanguages
from webapp.models.versioned import Versioned

WEEKDAYS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))
WEEKDAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                 _l("Saturday"), _l("Sunday"))
MAX_INTERVALS = 4  # open intervals a day: 09:00–13:00 and 14:00–18:00 is two


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
    # Loaded when asked for (is_open, the calendar, the holidays page); list pages load them in one query.
    holidays = relationship(
        "BusinessHoliday", order_by="BusinessHoliday.date", cascade="all, delete-orphan", passive_deletes=True,
        back_populates="schedule",
    )
    departments = relationship("Department", back_populates="business_hours")

    def day(self, weekday: int) -> "BusinessDay | None":
        return next((d for d in self.days if d.weekday == weekday), None)

    @property
    def holiday_dates(self) -> frozenset[dt.date]:
        return frozenset(holiday.date for holiday in self.holidays)

    def is_open(self, at: dt.datetime) -> bool:
        """Whether the schedule is open at an aware moment, judged in its own zone; closed on its holidays."""
        from webapp.hours.business_time import calendar_for, is_open

        return is_open(calendar_for(self), at)

    @property
    def summary(self) -> str:
        """Consecutive days with the same hours folded together: "Mon–Fri 09:00–13:00, 14:00–18:00"."""
        groups: list[tuple[int, int, str]] = []
        for weekday in range(7):
            day = self.day(weekday)
            if day is None or day.mode is DayMode.closed:
                continue
            text = day.describe()
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
    """How a schedule is open on one weekday; open for set hours, in one or more intervals."""
    __tablename__ = "business_days"

    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("business_hours.id", ondelete="CASCADE"), primary_key=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # 0 = Monday
    mode: Mapped[DayMode] = mapped_column(
        Enum(DayMode, name="day_mode", native_enum=False, length=10), default=DayMode.closed
    )

    intervals = relationship(
        "BusinessInterval", order_by="BusinessInterval.opens", cascade="all, delete-orphan", lazy="selectin",
        passive_deletes=True,
    )

    def describe(self) -> str:
        if self.mode is DayMode.closed:
            return str(_l("closed"))
        if self.mode is DayMode.all_day:
            return str(_l("open 24 hours"))  # the same words as the form's "Open 24 hours"
        return ", ".join(f"{i.opens:%H:%M}–{i.closes:%H:%M}" for i in self.intervals)


class BusinessInterval(db.Model):
    """One open interval of a day open for set hours: [opens, closes) in the schedule's zone."""
    __tablename__ = "business_intervals"
    __table_args__ = (
        ForeignKeyConstraint(["schedule_id", "weekday"], ["business_days.schedule_id", "business_days.weekday"],
                             ondelete="CASCADE", name="fk_business_intervals_day"),
        Index("ix_business_intervals_day", "schedule_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(Integer)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens: Mapped[dt.time] = mapped_column(Time)
    closes: Mapped[dt.time] = mapped_column(Time)


class BusinessHoliday(db.Model):
    """A date on which a schedule is closed all day, with its name ("New Year's Day")."""
    __tablename__ = "business_holidays"
    __table_args__ = (UniqueConstraint("schedule_id", "date", name="uq_business_holidays_schedule_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("business_hours.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(120))

    schedule = relationship("BusinessHours", back_populates="holidays")
