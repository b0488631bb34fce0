"""The rows of /tasks, written in Python (see webapp.rows)."""
from datetime import datetime

from webapp.i18n import gettext as _
from webapp.models.tasks import OPEN_TASK_STATUSES
from webapp.rows import Markup, Page, RowUrl, escape


def task_rows(rows, status_labels: dict, now: datetime | None = None) -> Markup:
    page = Page(now, client=_("Client"), department=_("Department"), status=_("Status"), assignee=_("Assignee"),
                deadline=_("Deadline"), nobody=_("Unassigned"), done_at=_("Done at"))
    labels = page.labels
    statuses = {status: f'<span class="badge task-status task-{status.value}">{escape(label)}</span>'
                for status, label in status_labels.items()}
    nobody = f'<span class="muted">{labels["nobody"]}</span>'
    task_url = RowUrl("tasks.detail", "task_id")
    out = []
    for row in rows:
        link = task_url.href(row.id)
        still_open = row.status in OPEN_TASK_STATUSES
        if still_open:
            deadline = page.deadline(row.due_at)
        elif row.done_at:
            deadline = f'<span class="muted small">{labels["done_at"]}</span> <time>{page.moment(row.done_at)}</time>'
        else:
            deadline = '<span class="muted">—</span>'
        assignee = page.name(row.assignee_name, row.assignee_name_ru) if row.assignee_name else nobody
        out.append(
            f'<tr class="{"row-overdue" if still_open and page.late(row.due_at) else ""}" data-task="{row.id}">'
            f'<td class="nowrap"><a href="{link}">#{row.id}</a></td>'
            f'<td class="wrap"><a href="{link}">{escape(row.title)}</a></td>'
            f'<td class="wrap" data-label="{labels["client"]}">{page.name(row.client_name, row.client_name_ru)}</td>'
            f'<td class="wrap" data-label="{labels["department"]}">{page.name(row.department_en, row.department_ru)}</td>'
            f'<td data-label="{labels["status"]}">{statuses[row.status]}</td>'
            f'<td class="wrap" data-label="{labels["assignee"]}">{assignee}</td>'
            f'<td data-label="{labels["deadline"]}">{deadline}</td></tr>')
    return Markup("".join(out))
