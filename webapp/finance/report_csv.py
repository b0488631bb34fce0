"""The financial report as CSV, as the support statistics write theirs (webapp/support/stats_csv.py): UTF-8 with a
BOM, the header in the viewer's language, amounts as that language writes them (a decimal comma in Russian, so
semicolons between cells). Every text cell goes through the same formula neutraliser; amounts are numbers we
format from Decimals (a negative net stays a number a spreadsheet can add up)."""
import csv
import io
from decimal import Decimal

from babel.numbers import format_decimal

from webapp.finance.reports import Report
from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.support.stats_csv import neutralise


def amount(value: Decimal) -> str:
    """"-1234.50" / "-1234,50": no grouping, two decimals, exact."""
    return format_decimal(value, "0.00", locale=current_language())


def report_csv(report: Report, currency: str) -> str:
    out = io.StringIO()
    delimiter = ";" if current_language() == "ru" else ","
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    header = [_("Month"), _("Payments (%(currency)s)", currency=currency),
              _("Charges (%(currency)s)", currency=currency), _("Net (%(currency)s)", currency=currency)]
    writer.writerow([neutralise(cell) for cell in header])
    for figures in report.months:
        writer.writerow([f"{figures.month:%Y-%m}", amount(figures.payments), amount(figures.charges),
                         amount(figures.net)])
    total = report.total
    writer.writerow([neutralise(_("Total")), amount(total.payments), amount(total.charges), amount(total.net)])
    return "\ufeff" + out.getvalue()
