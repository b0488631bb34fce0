"""/reports: payments and charges per month, its chart (SVG, shown with <img>) and CSV, with the same period."""
from flask import make_response, request

from webapp import charts
from webapp.finance import reports, reports_bp
from webapp.finance.report_chart import chart
from webapp.finance.report_csv import report_csv
from webapp.htmx import render
from webapp.money import company_currency
from webapp.rights import requires


def _report() -> reports.Report:
    return reports.report(reports.wanted_from(request.args, reports.report_timezone()))


@reports_bp.route("", strict_slashes=False)
@requires("reports.finance")
def index():
    report = _report()
    return render("finance/reports.html", report=report, wanted=report.wanted, currency=company_currency())


@reports_bp.route("/chart.svg")
@requires("reports.finance")
def chart_svg():
    return charts.response(chart(_report()))


@reports_bp.route("/finance.csv")
@requires("reports.finance")
def csv_download():
    report = _report()
    response = make_response(report_csv(report, company_currency()).encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    period = f"{report.wanted.first:%Y-%m}_{report.wanted.last:%Y-%m}"
    response.headers["Content-Disposition"] = f'attachment; filename="finance-{period}.csv"'
    return response
