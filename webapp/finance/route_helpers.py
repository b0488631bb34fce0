"""Helpers the payment and expense routes share."""
from flask import request, url_for

from webapp.auth.sessions import safe_next
from webapp.finance.clients import client_suggestions
from webapp.htmx import render
from webapp.i18n import current_language
from webapp.lists import search_text


def back(endpoint: str) -> str:
    """Back to the list the action came from (its filters and page), else the list."""
    return safe_next(request.values.get("next")) or url_for(endpoint)


def suggestions():
    """<option>s of the clients whose login, name or email contains what is typed, for the form's datalist."""
    return render("finance/_client_suggestions.html", clients=client_suggestions(search_text("client")),
                  russian=current_language() == "ru")
