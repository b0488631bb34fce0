"""The task list of a staff member's departments, a task's page, and taking and doing a task."""
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import Form
from webapp.htmx import is_htmx, render
from webapp.i18n import gettext as _
from webapp.ids import parse_id
from webapp.lists import page_number
from webapp.models import TaskStatus
from webapp.rights import requires
from webapp.rights.guard import has_right
from webapp.support.service import department_filter
from webapp.tasks import bp, service
from webapp.tasks.rows import task_rows


def _task_filter() -> service.TaskFilter:
    """The list's filter from the query string; a value that is not one of the choices means no filter."""
    args = request.args
    status, assignee = args.get("status", "active"), args.get("assignee", "anyone")
    return service.TaskFilter(
        department_id=parse_id(args.get("department")) if args.get("department") else None,
        status=status if status in service.STATUS_FILTERS else "active",
        assignee=assignee if assignee in service.ASSIGNEE_FILTERS else "anyone")


@bp.route("")
@requires("tasks.view")
def index():
    wanted = _task_filter()
    pagination = service.task_page(current_user, wanted, page_number(), current_app.config["TASKS_PER_PAGE"])
    labels = service.status_labels()
    context = {"pagination": pagination, "wanted": wanted, "labels": labels, "rows": task_rows(pagination.items),
               "status": 404 if pagination.page > 1 and not pagination.items else 200}
    if is_htmx() and request.headers.get("HX-Target") == "task-results":
        return render("tasks/index.html", "tasks/_results.html", **context)
    options = department_filter(current_user, wanted.department_id)
    return render("tasks/index.html", department_options=options, statuses=TaskStatus, **context)


def _service_url(task) -> str | None:
    """The service's page, for those who may open it (once the services pages exist)."""
    if has_right("services.view") and "services.detail" in current_app.view_functions:
        return f"/services/{task.service_id}"
    return None


@bp.route("/<int:task_id>")
@requires("tasks.view")
def detail(task_id: int):
    task = service.get_staff_task_or_404(current_user, task_id)
    events = service.history(task)
    return render("tasks/detail.html", task=task, events=events, told=service.describe_events(events),
                  labels=service.status_labels(), operations=service.OPERATION_LABELS,
                  is_open=service.is_open(task), overdue=service.is_overdue(task), service_url=_service_url(task),
                  form=Form())


@bp.route("/<int:task_id>/take", methods=["POST"])
@requires("tasks.view", post=("tasks.solve",))
def take(task_id: int):
    task = service.get_staff_task_or_404(current_user, task_id)
    if Form().validate_on_submit():
        service.take(current_user, task)
        db.session.commit()
        flash(_("Task #%(number)s is yours now.", number=task.id), "success")
    return redirect(url_for("tasks.detail", task_id=task.id))


@bp.route("/<int:task_id>/done", methods=["POST"])
@requires("tasks.view", post=("tasks.solve",))
def done(task_id: int):
    task = service.get_staff_task_or_404(current_user, task_id)
    if Form().validate_on_submit():
        service.complete(current_user, task)
        db.session.commit()
        flash(_("Task #%(number)s is done.", number=task.id), "success")
    return redirect(url_for("tasks.detail", task_id=task.id))
