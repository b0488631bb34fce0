"""The queue's rows rendered in Python: the queue is the page staff keep open all day and it refreshes itself
every few seconds, and a 50-row Jinja loop cost more than the rest of the page together (about 2,500 small
writes a page). Every value is escaped with markupsafe's escape(); labels are translated once a page, the
viewer's zone and the clock read once a page. The markup is the one the template used to write."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from webapp.i18n import gettext as _
from webapp.moments import TimeLeft, as_utc, viewer_timezone


def queue_rows(rows, ticket_url, status_labels: dict, russian: bool, now: datetime | None = None) -> Markup:
    now = now or datetime.now(UTC)
    zone = ZoneInfo(viewer_timezone())
    time_left = TimeLeft()
    labels = {name: escape(text) for name, text in (
        ("client", _("Client")), ("department", _("Department")), ("status", _("Status")),
        ("assignee", _("Assignee")), ("deadline", _("Deadline")), ("overdue", _("Overdue")),
        ("nobody", _("Unassigned")))}
    statuses = {status: (escape(status.value), escape(label)) for status, label in status_labels.items()}
    prefix, suffix = escape(ticket_url.prefix), escape(ticket_url.suffix)
    out = []
    for row in rows:
        due = as_utc(row.due_at)
        late = due is not None and due <= now
        link = f"{prefix}{row.id}{suffix}"
        department = row.department_ru if russian and row.department_ru else row.department_en
        status_value, status_label = statuses[row.status]
        client = row.client_name_ru if russian and row.client_name_ru else row.client_name
        assignee_name = row.assignee_name_ru if russian and row.assignee_name_ru else row.assignee_name
        assignee = (escape(assignee_name) if assignee_name
                    else f'<span class="muted">{labels["nobody"]}</span>')
        if due is not None:
            wall = due.astimezone(zone)
            badge = f'<span class="badge badge-off">{labels["overdue"]}</span> ' if late else ""
            deadline = (f'<span class="deadline{" deadline-late" if late else ""}">{badge}'
                        f'<time>{wall.isoformat(" ", "minutes")[:16]} {escape(wall.tzname())}</time> '
                        f'<span class="deadline-left">{escape(time_left(due, now))}</span></span>')
        else:
            deadline = '<span class="muted">—</span>'
        out.append(
            f'<tr class="{"row-overdue" if late else ""}" data-ticket="{row.id}">'
            f'<td class="nowrap"><a href="{link}">#{row.id}</a></td>'
            f'<td class="wrap"><a href="{link}">{escape(row.subject)}</a></td>'
            f'<td class="wrap" data-label="{labels["client"]}">{escape(client)}</td>'
            f'<td class="wrap" data-label="{labels["department"]}">{escape(department)}</td>'
            f'<td data-label="{labels["status"]}"><span class="badge ticket-status ticket-{status_value}">'
            f'{status_label}</span></td>'
            f'<td class="wrap" data-label="{labels["assignee"]}">{assignee}</td>'
            f'<td data-label="{labels["deadline"]}">{deadline}</td></tr>')
    return Markup("".join(out))
