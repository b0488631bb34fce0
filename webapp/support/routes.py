"""The staff's side of the support center: the queue of their departments and a ticket's page."""
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.errors import Refused
from webapp.extensions import db
from webapp.forms import Form, form_status
from webapp.htmx import is_htmx, render
from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.ids import parse_id
from webapp.lists import page_number, paginate_rows, search_text
from webapp.models import CannedReply, Department, Ticket, TicketStatus
from webapp.rights import requires
from webapp.support import bp, canned, service
from webapp.support.files import send_attachment
from webapp.support.forms import AssignForm, CannedReplyForm, MoveForm, StaffMessageForm
from webapp.support.queue_rows import queue_rows


def _queue_filter() -> service.QueueFilter:
    """The queue's filter from the query string; a value that is not one of the choices means no filter."""
    args = request.args
    status = args.get("status", "open")
    assignee = args.get("assignee", "anyone")
    return service.QueueFilter(
        department_id=parse_id(args.get("department")) if args.get("department") else None,
        status=status if status in service.STATUS_FILTERS else "open",
        assignee=assignee if assignee in service.ASSIGNEE_FILTERS else "anyone",
        overdue=args.get("overdue") == "1", q=search_text())


@bp.route("/tickets")
@requires("support.tickets")
def queue():
    wanted = _queue_filter()
    pagination = service.queue_page(current_user, wanted, page_number(), current_app.config["TICKETS_PER_PAGE"])
    rows = queue_rows(pagination.items)
    context = {"pagination": pagination, "wanted": wanted, "rows": rows,
               "refresh_seconds": current_app.config["QUEUE_REFRESH_SECONDS"],
               "status": 404 if pagination.page > 1 and not pagination.items else 200}
    if is_htmx() and request.headers.get("HX-Target") == "queue-results":
        return render("support/queue.html", "support/_queue_results.html", **context)
    options = service.department_filter(current_user, wanted.department_id)
    return render("support/queue.html", department_options=options,
                  statuses=TicketStatus, **context)


def _ticket_page(ticket: Ticket, form: StaffMessageForm | None = None, status: int = 200, stale: bool = False):
    messages = service.thread(ticket, for_client=False)
    form = form or StaffMessageForm(data={"last_seen": ticket.last_message_id})
    if stale:
        form.last_seen.data = ticket.last_message_id
    members = service.assignable_members(ticket.department)
    assign_form = AssignForm(data={"assignee": ticket.assignee_id, "expected": ticket.assignee_id})
    russian = current_language() == "ru"  # once, not once a name: a department has many members

    def name(row) -> str:
        return row.name_ru if russian and row.name_ru else row.name_en

    assign_form.assignee.choices = [("", _("Nobody"))] + [(m.id, name(m)) for m in members]
    move_form = MoveForm(data={"department": ticket.department_id})
    departments = db.session.execute(select(Department.id, Department.name_en, Department.name_ru)).all()
    move_form.department.choices = sorted(((d.id, name(d)) for d in departments),
                                          key=lambda choice: choice[1].casefold())
    return render("support/ticket.html", ticket=ticket, messages=messages, events=service.describe_events(messages),
                  form=form, assign_form=assign_form,
                  move_form=move_form, state_form=Form(), stale=stale, is_member=ticket.department in
                  current_user.departments or current_user.full_access, canned=canned.picker(current_user, ticket),
                  status=status)


@bp.route("/tickets/<int:ticket_id>", methods=["GET", "POST"])
@requires("support.tickets")
def ticket(ticket_id: int):
    found = service.get_staff_ticket_or_404(current_user, ticket_id)
    if request.method == "GET":
        return _ticket_page(found)
    form = StaffMessageForm()
    if not form.validate_on_submit():
        return _ticket_page(found, form, status=form_status(form))
    internal = request.form.get("action") == "note"
    try:
        service.staff_reply(current_user, found, form.message.data, form.uploads, form.last_seen.data, internal)
    except service.StaleThread:
        db.session.rollback()
        found = service.get_staff_ticket_or_404(current_user, ticket_id)
        return _ticket_page(found, form, status=409, stale=True)
    db.session.commit()
    flash(_("Your internal note is added.") if internal else _("Your reply is sent to the client."), "success")
    return redirect(url_for("support.ticket", ticket_id=found.id, _anchor="last"))


@bp.route("/tickets/<int:ticket_id>/assign", methods=["POST"])
@requires("support.tickets")
def assign(ticket_id: int):
    found = service.get_staff_ticket_or_404(current_user, ticket_id)
    form = AssignForm()
    if not form.validate_on_submit():
        raise Refused(_("Choose a member of the ticket's department."), 422)
    assignee = current_user.id if request.form.get("action") == "me" else form.assignee.data
    service.assign(current_user, found, assignee, form.expected.data)
    db.session.commit()
    if found.assignee_id is None:
        flash(_("Ticket %(number)s is unassigned.", number=found.number), "success")
    else:
        flash(_("Ticket %(number)s is assigned to %(name)s.", number=found.number, name=found.assignee.name),
              "success")
    return redirect(url_for("support.ticket", ticket_id=found.id))


@bp.route("/tickets/<int:ticket_id>/move", methods=["POST"])
@requires("support.tickets")
def move(ticket_id: int):
    found = service.get_staff_ticket_or_404(current_user, ticket_id)
    form = MoveForm()
    if not form.validate_on_submit():
        raise Refused(_("Choose a department from the list."), 422)
    target = service.move(current_user, found, form.department.data)
    db.session.commit()
    flash(_("Ticket %(number)s is moved to %(department)s.", number=found.number, department=target.name),
          "success")
    if not _sees(found):  # moved out of the person's departments
        return redirect(url_for("support.queue"))
    return redirect(url_for("support.ticket", ticket_id=found.id))


def _sees(ticket: Ticket) -> bool:
    ids = service.staff_department_ids(current_user)
    return ids is None or ticket.department_id in ids


@bp.route("/tickets/<int:ticket_id>/close", methods=["POST"])
@requires("support.tickets")
def close(ticket_id: int):
    found = service.get_staff_ticket_or_404(current_user, ticket_id)
    if Form().validate_on_submit():
        service.staff_close(current_user, found)
        db.session.commit()
        flash(_("Ticket %(number)s is closed.", number=found.number), "success")
    return redirect(url_for("support.ticket", ticket_id=found.id))


@bp.route("/tickets/<int:ticket_id>/reopen", methods=["POST"])
@requires("support.tickets")
def reopen(ticket_id: int):
    found = service.get_staff_ticket_or_404(current_user, ticket_id)
    if Form().validate_on_submit():
        service.staff_reopen(current_user, found)
        db.session.commit()
        flash(_("Ticket %(number)s is reopened.", number=found.number), "success")
    return redirect(url_for("support.ticket", ticket_id=found.id))


@bp.route("/tickets/<int:ticket_id>/files/<int:file_id>")
@requires("support.tickets")
def ticket_file(ticket_id: int, file_id: int):
    found = service.get_staff_ticket_or_404(current_user, ticket_id)
    return send_attachment(service.get_attachment_or_404(found, file_id, for_client=False))


# Canned replies -----------------------------------------------------------------------------------

@bp.route("/replies")
@requires("support.tickets")
def replies():
    wanted = canned.ReplyFilter(scope=canned.Scope.parse(request.args.get("scope")), q=search_text())
    pagination = paginate_rows(canned.list_replies(current_user, wanted),
                               current_app.config["CANNED_REPLIES_PER_PAGE"], CannedReply.id)
    return render("support/replies.html", pagination=pagination, wanted=wanted,
                  departments=canned.department_options(current_user), russian=current_language() == "ru",
                  manages_everyone=canned.may_manage(current_user, canned.Scope()),
                  status=404 if pagination.page > 1 and not pagination.items else 200)


def _reply_form(form: CannedReplyForm, reply: CannedReply | None):
    return render("support/reply_form.html", form=form, reply=reply, placeholders=canned.PLACEHOLDERS,
                  status=form_status(form))


@bp.route("/replies/new", methods=["GET", "POST"])
@requires("support.tickets")
def new_reply():
    form = CannedReplyForm(choices=canned.scope_choices(current_user),
                           data=None if request.method == "POST" else {"scope": canned.PERSONAL})
    if not form.validate_on_submit():
        return _reply_form(form, None)
    reply = canned.create_reply(current_user, form.title.data, form.body.data, form.wanted_scope)
    db.session.commit()
    flash(_("Canned reply “%(title)s” added.", title=reply.title), "success")
    return redirect(url_for("support.replies"))


@bp.route("/replies/<int:reply_id>", methods=["GET", "POST"])
@requires("support.tickets")
def edit_reply(reply_id: int):
    reply = canned.get_managed_reply_or_404(current_user, reply_id)
    form = CannedReplyForm(choices=canned.scope_choices(current_user), data=None if request.method == "POST" else {
        "title": reply.title, "body": reply.body, "scope": canned.Scope.of(reply).value})
    if not form.validate_on_submit():
        return _reply_form(form, reply)
    canned.update_reply(current_user, reply, form.title.data, form.body.data, form.wanted_scope)
    db.session.commit()
    flash(_("Canned reply “%(title)s” saved.", title=reply.title), "success")
    return redirect(url_for("support.replies"))


@bp.route("/replies/<int:reply_id>/delete", methods=["GET", "POST"])
@requires("support.tickets")
def delete_reply(reply_id: int):
    reply = canned.get_managed_reply_or_404(current_user, reply_id)
    form = Form()
    if not form.validate_on_submit():
        return render("support/reply_delete.html", form=form, reply=reply)
    title = reply.title
    canned.delete_reply(current_user, reply)
    db.session.commit()
    flash(_("Canned reply “%(title)s” deleted.", title=title), "success")
    return redirect(url_for("support.replies"))
