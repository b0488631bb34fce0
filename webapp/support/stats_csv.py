"""The statistics as CSV for a spreadsheet: UTF-8 with a BOM (Excel then reads Cyrillic), the header in the
viewer's language, and numbers as that language writes them — in Russian with a decimal comma, so separated by
semicolons, as Russian Excel expects. Text that a spreadsheet would take for a formula is quoted with a "'"."""
import csv
import io

from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.support.stats import Report, format_hours, format_share_number

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) starts with "'"."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def header() -> list[str]:
    return [_("Department"), _("Month"), _("Tickets received"), _("Answered"),
            _("Median first response (business hours)"), _("90th percentile first response (business hours)"),
            _("Answered within target (%)"), _("Open now"), _("Overdue now")]


def stats_csv(report: Report) -> str:
    """One row per department and month; open and overdue now (a count at download time) on each row."""
    out = io.StringIO()
    delimiter = ";" if current_language() == "ru" else ","
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header()])
    for figures in report.departments:
        for month in figures.months:
            writer.writerow([neutralise(figures.name), f"{month.month:%Y-%m}", month.received, month.responded,
                             format_hours(month.median_hours, grouping=False),
                             format_hours(month.p90_hours, grouping=False),
                             format_share_number(month.share_in_target), figures.open_now, figures.overdue_now])
    return "\ufeff" + out.getvalue()
