"""The client's tickets: the list, a new ticket to a department they may write to, the thread, files."""
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import Form, form_status
from webapp.htmx import render
from webapp.i18n import gettext as _
from webapp.lists import kept, paginate_rows
from webapp.models import Ticket
from webapp.my import bp
from webapp.rights import client_area
from webapp.support import service
from webapp.support.files import send_attachment
from webapp.support.forms import MessageForm, NewTicketForm
from webapp.support.queue_rows import client_ticket_rows


@bp.route("/tickets")
@client_area
def tickets():
    # Previous and Next, not counted: the page is one query, as the client's other lists.
    client_id = current_user.id
    statement = kept(("my tickets", client_id), lambda: service.client_tickets(client_id), per_client=True)
    pagination = paginate_rows(statement, current_app.config["TICKETS_PER_PAGE"], Ticket.id, count=False)
    return render("my/tickets.html", pagination=pagination, rows=client_ticket_rows(pagination.items),
                  status=404 if pagination.page > 1 and not pagination.items else 200)


@bp.route("/tickets/new", methods=["GET", "POST"])
@client_area
def new_ticket():
    client = current_user._get_current_object()
    choices = service.department_choices(client)
    chosen = request.args.get("department") if request.method == "GET" else None
    form = NewTicketForm(choices=choices, data={"department": chosen} if chosen else None)
    if form.validate_on_submit():
        ticket = service.open_ticket(client, form.department.data, form.subject.data, form.message.data,
                                     form.uploads)
        db.session.commit()
        flash(_("Ticket %(number)s is sent.", number=ticket.number), "success")
        return redirect(url_for("my.ticket", ticket_id=ticket.id))
    return render("my/ticket_new.html", form=form, choices=choices, status=form_status(form))


@bp.route("/tickets/<int:ticket_id>", methods=["GET", "POST"])
@client_area
def ticket(ticket_id: int):
    client = current_user._get_current_object()
    found = service.get_client_ticket_or_404(client, ticket_id)
    form = MessageForm()
    if form.validate_on_submit():
        service.client_reply(client, found, form.message.data, form.uploads)
        db.session.commit()
        flash(_("Your reply is sent."), "success")
        return redirect(url_for("my.ticket", ticket_id=found.id, _anchor="last"))
    return render("my/ticket.html", ticket=found, messages=service.thread(found, for_client=True), form=form,
                  close_form=Form(), status=form_status(form))


@bp.route("/tickets/<int:ticket_id>/close", methods=["POST"])
@client_area
def close_ticket(ticket_id: int):
    client = current_user._get_current_object()
    found = service.get_client_ticket_or_404(client, ticket_id)
    if Form().validate_on_submit():
        service.client_close(client, found)
        db.session.commit()
        flash(_("Ticket %(number)s is closed. Reply to it if you need anything more.", number=found.number),
              "success")
    return redirect(url_for("my.ticket", ticket_id=found.id))


@bp.route("/tickets/<int:ticket_id>/files/<int:file_id>")
@client_area
def ticket_file(ticket_id: int, file_id: int):
    found = service.get_client_ticket_or_404(current_user, ticket_id)
    return send_attachment(service.get_attachment_or_404(found, file_id, for_client=True))
