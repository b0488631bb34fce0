"""Ticket forms: a client's new ticket and reply, a staff reply or note, assignment and moves."""
from markupsafe import Markup, escape
from wtforms import HiddenField, MultipleFileField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length
from wtforms.widgets import Select, html_params

from webapp.forms import Form
from webapp.i18n import lazy_gettext as _l
from webapp.ids import parse_id
from webapp.support import canned
from webapp.support.attachments import MAX_FILES, AttachmentError, check_uploads
from webapp.support.service import BODY_MAX, SUBJECT_MAX


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_id(value):
    if value in (None, ""):
        return None
    return parse_id(value)


class LongSelect(Select):
    """A select of (value, label) choices rendered with one f-string an option. WTForms' own widget builds a
    choice object, coerces its value and formats an attribute string for every option: the ticket page's
    assignee and department lists (a member for each of a department's staff, every department) cost about
    15 ms a page that way, at 200 departments and 150 members."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if field.flags.required and "required" not in kwargs:
            kwargs["required"] = True
        data, coerce = field.data, field.coerce
        options = "".join(
            f'<option value="{escape(value)}"{" selected" if (value if type(value) is int else coerce(value)) == data else ""}>'
            f"{escape(label)}</option>" for value, label in field.choices)
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")


ACCEPT = "image/png,image/jpeg,image/gif,application/pdf,text/plain,.png,.jpg,.jpeg,.gif,.pdf,.txt"


class MessageForm(Form):
    """A message with files: what every reply form has."""

    message = TextAreaField(_l("Message"), filters=[_strip], validators=[
        DataRequired(_l("Write a message.")),
        Length(max=BODY_MAX, message=_l("At most %(max)d characters."))], render_kw={"rows": 6})
    attachments = MultipleFileField(_l("Attachments"), render_kw={"accept": ACCEPT})

    uploads: list = ()

    def validate_attachments(self, field):
        try:
            self.uploads = check_uploads(field.data or [])
        except AttachmentError as error:
            raise ValidationError(str(error)) from None

    @property
    def attachments_hint(self) -> str:
        return _l("PNG, JPEG, GIF, PDF or plain text; up to %(count)d files of at most 2 MB each.", count=MAX_FILES)


class NewTicketForm(MessageForm):
    department = SelectField(_l("Department"), coerce=_optional_id, validate_choice=False)
    subject = StringField(_l("Subject"), filters=[_strip], validators=[
        DataRequired(_l("Enter a subject.")),
        Length(max=SUBJECT_MAX, message=_l("At most %(max)d characters."))])

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.department.choices = [("", _l("Choose a department"))] + [
            (choice.department.id, choice.department.name) for choice in choices]
        self._allowed = {choice.department.id for choice in choices}

    def validate_department(self, field):
        if field.data is None:
            raise ValidationError(_l("Choose a department."))
        if field.data not in self._allowed:
            raise ValidationError(_l("Choose a department from the list."))


class StaffMessageForm(MessageForm):
    """A staff reply or internal note; `last_seen` is the newest message the page showed."""

    last_seen = HiddenField(filters=[_optional_id])


class AssignForm(Form):
    assignee = SelectField(_l("Assignee"), coerce=_optional_id, validate_choice=False, widget=LongSelect())
    expected = HiddenField(filters=[_optional_id])


class MoveForm(Form):
    department = SelectField(_l("Move to department"), coerce=_optional_id, validate_choice=False,
                             widget=LongSelect())

    def validate_department(self, field):
        if field.data is None:
            raise ValidationError(_l("Choose a department."))


class CannedReplyForm(Form):
    """A canned reply: its title, its text with placeholders, and whom it is available to."""

    title = StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(_l("Enter a title.")),
        Length(max=canned.TITLE_MAX, message=_l("At most %(max)d characters."))])
    body = TextAreaField(_l("Text"), filters=[_strip], validators=[
        DataRequired(_l("Write the text of the reply.")),
        Length(max=canned.BODY_MAX, message=_l("At most %(max)d characters."))], render_kw={"rows": 8})
    scope = SelectField(_l("Available to"), validate_choice=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.scope.choices = list(choices)

    def validate_body(self, field):
        unknown = canned.unknown_placeholders(field.data or "")
        if unknown:
            raise ValidationError(canned.unknown_message(unknown))

    def validate_scope(self, field):
        if field.data not in {value for value, _label in self.scope.choices}:
            raise ValidationError(_l("Choose whom the reply is available to from the list."))

    @property
    def wanted_scope(self) -> "canned.Scope":
        return canned.Scope.parse(self.scope.data)
