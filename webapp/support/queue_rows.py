"""The queue's rows rendered in Python: the queue is the page staff keep open all day and it refreshes itself
every few seconds, and a 50-row Jinja loop cost more than the rest of the page together (about 2,500 small
writes a page). The client's list of their tickets the same way. See webapp.rows."""
from datetime import datetime

from webapp.i18n import gettext as _
from webapp.rows import NO_DEADLINE, Markup, Page, RowUrl, escape, written
from webapp.support.service import status_labels


def queue_rows(rows, now: datetime | None = None) -> Markup:
    return written(rows, _queue_row, now=now)


def _status_badges() -> dict:
    return {status: f'<span class="badge ticket-status ticket-{status.value}">{escape(label)}</span>'
            for status, label in status_labels().items()}


def _queue_row(page: Page):
    labels = page.label(client=_("Client"), department=_("Department"), status=_("Status"), assignee=_("Assignee"),
                        deadline=_("Deadline"), nobody=_("Unassigned"))
    statuses = _status_badges()
    nobody = f'<span class="muted">{labels["nobody"]}</span>'
    ticket_url = RowUrl("support.ticket", "ticket_id")

    def write(row):
        link = ticket_url.href(row.id)
        assignee = page.name(row.assignee_name, row.assignee_name_ru) if row.assignee_name else nobody
        between = (
            f'" data-ticket="{row.id}"><td class="nowrap"><a href="{link}">#{row.id}</a></td>'
            f'<td class="wrap"><a href="{link}">{escape(row.subject)}</a></td>'
            f'<td class="wrap" data-label="{labels["client"]}">{page.name(row.client_name, row.client_name_ru)}</td>'
            f'<td class="wrap" data-label="{labels["department"]}">{page.name(row.department_en, row.department_ru)}'
            f'</td><td data-label="{labels["status"]}">{statuses[row.status]}</td>'
            f'<td class="wrap" data-label="{labels["assignee"]}">{assignee}</td>'
            f'<td data-label="{labels["deadline"]}">')
        if row.due_at is None:
            return f'<tr class="{between}{NO_DEADLINE}</td></tr>'
        return page.running(row.due_at, '<tr class="', between, "</td></tr>")
    return write


def client_ticket_rows(rows, now: datetime | None = None) -> Markup:
    """The client's tickets (/my/tickets): the answer expected while it awaits staff, marked once late."""
    return written(rows, _client_ticket_row, now=now)


def _client_ticket_row(page: Page):
    labels = page.label(department=_("Department"), status=_("Status"), answer=_("Expected answer"),
                        activity=_("Last activity"))
    statuses = _status_badges()
    ticket_url = RowUrl("my.ticket", "ticket_id")

    def write(row):
        link = ticket_url.href(row.id)
        before = (f'<tr><td class="nowrap"><a href="{link}">#{row.id}</a></td>'
                  f'<td class="wrap"><a href="{link}">{escape(row.subject)}</a></td>'
                  f'<td class="wrap" data-label="{labels["department"]}">{page.name(row.department_en, row.department_ru)}'
                  f'</td><td data-label="{labels["status"]}">{statuses[row.status]}</td>'
                  f'<td data-label="{labels["answer"]}">')
        after = (f'</td><td class="nowrap" data-label="{labels["activity"]}">{page.moment(row.last_message_at)}'
                 f'</td></tr>')
        if row.status.awaits_staff and row.due_at:
            return page.late_marked(row.due_at, before, after)
        return f"{before}{NO_DEADLINE}{after}"
    return write
