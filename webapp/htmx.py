"""HTMX helpers: detect its requests, answer a page or a fragment, redirect."""
from flask import make_response, render_template, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render(page: str, fragment: str | None = None, status: int = 200, **context):
    """The fragment for an HTMX request, the full page otherwise; either way Vary: HX-Request."""
    template = fragment if fragment and is_htmx() else page
    response = make_response(render_template(template, **context), status)
    response.headers["Vary"] = "HX-Request"  # a new response: no Vary yet (the session adds Cookie to it)
    return response


def hx_redirect(url: str):
    response = make_response("", 200)
    response.headers["HX-Redirect"] = url
    return response
