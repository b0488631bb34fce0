"""Support statistics: the page, its chart (SVG drawn here, shown with <img>) and the CSV, with the same filters."""
from flask import make_response, request
from flask_login import current_user

from webapp import charts
from webapp.htmx import render
from webapp.moments import viewer_timezone
from webapp.rights import requires
from webapp.support import bp, stats
from webapp.support.stats_chart import chart
from webapp.support.stats_csv import stats_csv


def _report() -> stats.Report:
    wanted = stats.wanted_from(request.args, current_user, viewer_timezone())
    return stats.report(wanted)


@bp.route("/stats", endpoint="stats")
@requires("support.tickets")
def stats_page():
    report = _report()
    return render("support/stats.html", report=report, wanted=report.wanted, hours=stats.format_hours,
                  share=stats.format_share, month_label=stats.month_label)


@bp.route("/stats/chart.svg")
@requires("support.tickets")
def stats_chart():
    return charts.response(chart(_report()))


@bp.route("/stats.csv", endpoint="stats_csv")
@requires("support.tickets")
def stats_download():
    report = _report()
    response = make_response(stats_csv(report).encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    period = f"{report.wanted.first:%Y-%m}_{report.wanted.last:%Y-%m}"
    response.headers["Content-Disposition"] = f'attachment; filename="support-statistics-{period}.csv"'
    return response
