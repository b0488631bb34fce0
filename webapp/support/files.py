"""Sending an attachment: always as a download, with the type found by content, never run by the browser."""
from urllib.parse import quote

from flask import make_response

from webapp.models import TicketAttachment


def send_attachment(attachment: TicketAttachment):
    response = make_response(attachment.data)
    response.headers["Content-Type"] = attachment.content_type + (
        "; charset=utf-8" if attachment.content_type == "text/plain" else "")
    ascii_name = attachment.filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(attachment.filename)}")
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
