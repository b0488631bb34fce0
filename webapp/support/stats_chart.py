"""The statistics chart: tickets received per month as bars stacked by department, laid out here and drawn as
SVG by webapp/charts.py's template (autoescaped: department names are what people typed).
"""
import math

from webapp.charts import (
    LEFT,
    LEGEND_COLUMNS,
    LEGEND_ROW,
    MAX_MONTH_LABELS,
    PALETTE,
    PLOT_HEIGHT,
    RIGHT,
    TOP,
    WIDTH,
    Bar,
    LegendItem,
    Tick,
    nice_step,
    xml_text,
)
from webapp.i18n import gettext as _
from webapp.i18n import ngettext
from webapp.support.stats import Report, format_hours, month_label, short_month_label


def chart(report: Report) -> dict:
    """Everything the SVG template draws, in pixels."""
    months = report.wanted.months
    departments = report.departments
    plot_width = WIDTH - LEFT - RIGHT
    bottom = TOP + PLOT_HEIGHT
    totals = [sum(d.months[i].received for d in departments) for i in range(len(months))]
    top_value = max(totals, default=0)
    step = nice_step(top_value)
    scale_top = max(step * math.ceil(top_value / step), step)
    y_ticks = [Tick(bottom - PLOT_HEIGHT * value / scale_top, f"{value:,}".replace(",", "\u2009"))
               for value in range(0, scale_top + 1, step)]
    slot = plot_width / len(months)
    bar_width = max(slot * 0.64, 1)
    every = math.ceil(len(months) / MAX_MONTH_LABELS)
    x_ticks = [Tick(LEFT + slot * (i + 0.5), xml_text(short_month_label(month)))
               for i, month in enumerate(months) if i % every == 0]
    bars = []
    for i, month in enumerate(months):
        stacked = 0
        x = LEFT + slot * i + (slot - bar_width) / 2
        for index, figures in enumerate(departments):
            count = figures.months[i].received
            if not count:
                continue
            height = PLOT_HEIGHT * count / scale_top
            y = bottom - PLOT_HEIGHT * (stacked + count) / scale_top
            bars.append(Bar(round(x, 1), round(y, 1), round(bar_width, 1), round(height, 1),
                            PALETTE[index % len(PALETTE)],
                            xml_text(f"{figures.name}, {month_label(month)}: {count}")))
            stacked += count
    legend_top = bottom + 58
    column_width = plot_width / LEGEND_COLUMNS
    legend = [LegendItem(LEFT + column_width * (index % LEGEND_COLUMNS), legend_top + LEGEND_ROW * (index // LEGEND_COLUMNS),
                         PALETTE[index % len(PALETTE)], xml_text(figures.name, limit=int(column_width / 7.2) - 3))
              for index, figures in enumerate(departments)]
    rows = math.ceil(len(departments) / LEGEND_COLUMNS)
    return {
        "width": WIDTH, "height": legend_top + LEGEND_ROW * rows + 6, "left": LEFT, "right": WIDTH - RIGHT,
        "top": TOP, "bottom": bottom, "bars": bars, "y_ticks": y_ticks, "x_ticks": x_ticks, "legend": legend,
        "empty": top_value == 0, "title": _("Tickets received per month and department"),
        "description": xml_text(description(report)), "y_label": _("Tickets received"),
        "x_label": _("Month (%(zone)s time)", zone=report.wanted.zone),
        "empty_text": _("No tickets were received in this period."),
    }


def description(report: Report) -> str:
    """The chart in words: the period and each department's total and first-response figures."""
    wanted = report.wanted
    parts = [_("From %(first)s to %(last)s, months in %(zone)s time.", first=month_label(wanted.first),
               last=month_label(wanted.last), zone=wanted.zone)]
    for figures in report.departments:
        text = ngettext("%(department)s: %(num)d ticket received", "%(department)s: %(num)d tickets received",
                        figures.total.received, department=figures.name)
        if figures.total.responded:
            text += _(", median first response %(hours)s business hours",
                      hours=format_hours(figures.total.median_hours))
        parts.append(text + ".")
    return " ".join(parts)
