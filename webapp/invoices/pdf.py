"""An invoice as a PDF (WeasyPrint), in the client's language: the company from the settings, the client, the
number, the dates, the lines and the total. WeasyPrint fetches nothing: only data: URIs are allowed."""
import hashlib

from babel.dates import format_date
from flask import current_app, make_response, render_template

from webapp.i18n import force_locale
from webapp.kept import Kept
from webapp.models import Invoice
from webapp.moments import as_utc

TEMPLATE = "invoices/pdf.html"


def _url_fetcher():
    from weasyprint.urls import URLFetcher

    # No network, no files: a stylesheet, image or font URL in the template (or in a client's name) is ignored.
    return URLFetcher(allowed_protocols=("data",), allow_redirects=False, timeout=1)


def document_language(invoice: Invoice) -> str:
    """The client's language, else the company's default, else English."""
    from webapp.settings.service import company_settings

    languages = current_app.config["LANGUAGES"]
    for language in (invoice.client.locale, company_settings().default_locale):
        if language in languages:
            return language
    return "en"


def invoice_html(invoice: Invoice) -> str:
    """The invoice's HTML page, as WeasyPrint prints it."""
    from webapp.invoices.service import company_zone
    from webapp.settings.service import company_settings

    language = document_language(invoice)
    zone = company_zone()

    def day(moment):
        return format_date(as_utc(moment).astimezone(zone).date(), "long", locale=language) if moment else None

    with force_locale(language):
        return render_template(TEMPLATE, invoice=invoice, company=company_settings(), client=invoice.client,
                               language=language, issued_on=day(invoice.issued_at), created_on=day(invoice.created_at),
                               paid_on=day(invoice.paid_at), cancelled_on=day(invoice.cancelled_at))


# The last PDFs printed, by the HTML they were printed from: the same invoice downloaded again (by the client,
# by staff, by someone clicking on and on) is not printed again, while any change to what the PDF shows (a
# payment, a cancellation, the company's address, the client's language) is another HTML, so another key.
_PRINTED = Kept(64)  # some 64 × 30 KB


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """The PDF bytes (about 0.03–0.1 s a page to print; a few ms when printed already)."""
    from weasyprint import HTML

    html = invoice_html(invoice)
    return _PRINTED.get(hashlib.sha256(html.encode()).digest(),
                        lambda: HTML(string=html, url_fetcher=_url_fetcher()).write_pdf())


def pdf_response(invoice: Invoice):
    """The invoice's PDF as a download named after its number."""
    from webapp.invoices.service import pdf_filename

    response = make_response(render_invoice_pdf(invoice))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(invoice)}"'
    return response
