"""The rows of /tariffs, written in Python (see webapp.rows)."""
from flask import url_for

from webapp.i18n import gettext as _
from webapp.rights.guard import has_right
from webapp.rows import DISABLED, Markup, Page, RowUrl, escape, written
from webapp.tariffs.forms import PER_PERIOD, PROVISIONING_LABELS


def tariff_rows(rows) -> Markup:
    return written(rows, _tariff_row, has_right("services.view"))


def _tariff_row(page: Page, services_view: bool):
    labels = page.label(price=_("Price"), provisioning=_("Provisioning"), department=_("Department"),
                        services=_("Services"), its_services=_("Its services"))
    periods = {period: escape(str(label)) for period, label in PER_PERIOD.items()}
    provisioning = {kind: escape(str(label)) for kind, label in PROVISIONING_LABELS.items()}
    archived, active = escape(_("Archived")), escape(_("Active"))  # outside the f-strings: pybabel skips those
    states = {True: f'<span class="status status-off">{archived}</span>',
              False: f'<span class="status status-ok">{active}</span>'}
    edit_url = RowUrl("tariffs.edit", "tariff_id")
    # Not a count per plan: that read every service of the page's plans (200,000 rows: 11 req/s); the plan's own
    # page counts its services, and this link lists them.
    services_url = escape(url_for("services.index")) if services_view else None

    def write(row) -> str:
        department = (page.name(row.department_en, row.department_ru) if row.department_en
                      else '<span class="muted">—</span>')
        services = (f'<td data-label="{labels["services"]}"><a href="{services_url}?tariff={row.id}">'
                    f'{labels["its_services"]}</a></td>') if services_url else ""
        return (f'<tr{DISABLED if row.archived else ""}>'
                f'<td class="wrap"><a href="{edit_url.href(row.id)}">{page.name(row.name_en, row.name_ru)}</a></td>'
                f'<td class="nowrap" data-label="{labels["price"]}">{page.money(row.price)} '
                f'<span class="muted">{periods[row.period]}</span></td>'
                f'<td data-label="{labels["provisioning"]}">{provisioning[row.provisioning]}</td>'
                f'<td class="wrap" data-label="{labels["department"]}">{department}</td>'
                f'{services}<td>{states[bool(row.archived)]}</td></tr>')
    return write
