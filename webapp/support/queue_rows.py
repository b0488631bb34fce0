"""The queue's rows rendered in Python: the queue is the page staff keep open all day and it refreshes itself
every few seconds, and a 50-row Jinja loop cost more than the rest of the page together (about 2,500 small
writes a page). See webapp.rows."""
from datetime import datetime

from webapp.i18n import gettext as _
from webapp.rows import Markup, Page, RowUrl, escape


def queue_rows(rows, ticket_url: RowUrl, status_labels: dict, now: datetime | None = None) -> Markup:
    page = Page(now, client=_("Client"), department=_("Department"), status=_("Status"), assignee=_("Assignee"),
                deadline=_("Deadline"), nobody=_("Unassigned"))
    labels = page.labels
    statuses = {status: f'<span class="badge ticket-status ticket-{status.value}">{escape(label)}</span>'
                for status, label in status_labels.items()}
    nobody = f'<span class="muted">{labels["nobody"]}</span>'
    out = []
    for row in rows:
        link = ticket_url.href(row.id)
        assignee = page.name(row.assignee_name, row.assignee_name_ru) if row.assignee_name else nobody
        out.append(
            f'<tr class="{"row-overdue" if page.late(row.due_at) else ""}" data-ticket="{row.id}">'
            f'<td class="nowrap"><a href="{link}">#{row.id}</a></td>'
            f'<td class="wrap"><a href="{link}">{escape(row.subject)}</a></td>'
            f'<td class="wrap" data-label="{labels["client"]}">{page.name(row.client_name, row.client_name_ru)}</td>'
            f'<td class="wrap" data-label="{labels["department"]}">{page.name(row.department_en, row.department_ru)}</td>'
            f'<td data-label="{labels["status"]}">{statuses[row.status]}</td>'
            f'<td class="wrap" data-label="{labels["assignee"]}">{assignee}</td>'
            f'<td data-label="{labels["deadline"]}">{page.deadline(row.due_at)}</td></tr>')
    return Markup("".join(out))
