"""The financial report's chart: payments and charges per month as bars side by side, drawn with the shared
bar chart (webapp/charts.py), the net in its description."""
import math

from webapp.charts import (
    LEFT,
    LEGEND_COLUMNS,
    LEGEND_ROW,
    PALETTE,
    PLOT_HEIGHT,
    RIGHT,
    TOP,
    WIDTH,
    Bar,
    LegendItem,
    Tick,
    value_axis,
    xml_text,
)
from webapp.finance.reports import Report
from webapp.i18n import gettext as _
from webapp.money import company_currency, format_money
from webapp.support.stats import month_label, short_month_label

MONTH_LABELS = 7  # "Sep 2026" needs about 60 px: at most seven under the plot, or they touch


def chart(report: Report) -> dict:
    """Everything the SVG template draws, in pixels."""
    months = report.months
    plot_width = WIDTH - LEFT - RIGHT
    bottom = TOP + PLOT_HEIGHT
    top_value = max((max(m.payments, m.charges) for m in months), default=0)
    scale_top, y_ticks = value_axis(top_value, bottom)
    slot = plot_width / len(months)
    bar_width = max(slot * 0.36, 1)
    every = math.ceil(len(months) / MONTH_LABELS)
    x_ticks = [Tick(LEFT + slot * (i + 0.5), xml_text(short_month_label(m.month)))
               for i, m in enumerate(months) if i % every == 0]
    series = ((_("Payments"), "payments", PALETTE[0]), (_("Charges"), "charges", PALETTE[1]))
    bars = []
    for i, figures in enumerate(months):
        start = LEFT + slot * i + (slot - 2 * bar_width) / 2
        for index, (label, attribute, fill) in enumerate(series):
            amount = getattr(figures, attribute)
            if not amount:
                continue
            height = PLOT_HEIGHT * float(amount) / scale_top
            bars.append(Bar(round(start + index * bar_width, 1), round(bottom - height, 1), round(bar_width, 1),
                            round(height, 1), fill,
                            xml_text(f"{label}, {month_label(figures.month)}: {format_money(amount)}")))
    legend_top = bottom + 58
    column_width = plot_width / LEGEND_COLUMNS
    legend = [LegendItem(LEFT + column_width * index, legend_top, fill, xml_text(label))
              for index, (label, _attribute, fill) in enumerate(series)]
    return {
        "width": WIDTH, "height": legend_top + LEGEND_ROW + 6, "left": LEFT, "right": WIDTH - RIGHT,
        "top": TOP, "bottom": bottom, "bars": bars, "y_ticks": y_ticks, "x_ticks": x_ticks, "legend": legend,
        "empty": top_value == 0, "title": _("Payments and charges per month"),
        "description": xml_text(description(report)), "y_label": company_currency(),
        "x_label": _("Month (%(zone)s time)", zone=report.wanted.zone),
        "empty_text": _("No payments or charges in this period."),
    }


def description(report: Report) -> str:
    """The chart in words: the period and its totals."""
    total = report.total
    return _("From %(first)s to %(last)s: payments %(payments)s, charges %(charges)s, net %(net)s.",
             first=month_label(report.wanted.first), last=month_label(report.wanted.last),
             payments=format_money(total.payments), charges=format_money(total.charges), net=format_money(total.net))
