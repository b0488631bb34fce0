"""The rows of /tasks, written in Python (see webapp.rows)."""
from datetime import datetime

from webapp.i18n import gettext as _
from webapp.models.tasks import OPEN_TASK_STATUSES
from webapp.rows import NO_DEADLINE, Markup, Page, RowUrl, escape, written
from webapp.tasks.service import status_labels


def task_rows(rows, now: datetime | None = None) -> Markup:
    return written(rows, _task_row, now=now)


def _task_row(page: Page):
    labels = page.label(client=_("Client"), department=_("Department"), status=_("Status"), assignee=_("Assignee"),
                        deadline=_("Deadline"), nobody=_("Unassigned"), done_at=_("Done at"))
    statuses = {status: f'<span class="badge task-status task-{status.value}">{escape(label)}</span>'
                for status, label in status_labels().items()}
    nobody = f'<span class="muted">{labels["nobody"]}</span>'
    task_url = RowUrl("tasks.detail", "task_id")

    def write(row):
        link = task_url.href(row.id)
        assignee = page.name(row.assignee_name, row.assignee_name_ru) if row.assignee_name else nobody
        between = (
            f'" data-task="{row.id}"><td class="nowrap"><a href="{link}">#{row.id}</a></td>'
            f'<td class="wrap"><a href="{link}">{escape(row.title)}</a></td>'
            f'<td class="wrap" data-label="{labels["client"]}">{page.name(row.client_name, row.client_name_ru)}</td>'
            f'<td class="wrap" data-label="{labels["department"]}">{page.name(row.department_en, row.department_ru)}'
            f'</td><td data-label="{labels["status"]}">{statuses[row.status]}</td>'
            f'<td class="wrap" data-label="{labels["assignee"]}">{assignee}</td>'
            f'<td data-label="{labels["deadline"]}">')
        if row.status in OPEN_TASK_STATUSES:
            if row.due_at is not None:
                return page.running(row.due_at, '<tr class="', between, "</td></tr>")
            deadline = NO_DEADLINE
        elif row.done_at:
            deadline = f'<span class="muted small">{labels["done_at"]}</span> <time>{page.moment(row.done_at)}</time>'
        else:
            deadline = NO_DEADLINE
        return f'<tr class="{between}{deadline}</td></tr>'
    return write
