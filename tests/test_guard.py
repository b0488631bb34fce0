"""Deny by default: every endpoint is guarded by @requires or on the short public list."""
from webapp.rights.guard import PUBLIC, REQUIRED

PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.language"}


def test_every_view_is_guarded_or_explicitly_public(app):
    unguarded = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in PUBLIC_ENDPOINTS:
            assert rule.endpoint == "static" or getattr(view, PUBLIC, False), rule.endpoint
            continue
        if not hasattr(view, REQUIRED):
            unguarded.append(f"{rule.rule} ({rule.endpoint})")
    assert not unguarded, f"views without @requires: {unguarded}"


def test_public_list_is_short_and_explicit(app):
    marked = {e for e, v in app.view_functions.items() if getattr(v, PUBLIC, False)}
    assert marked == PUBLIC_ENDPOINTS - {"static"}


def test_every_guarded_view_refuses_anonymous(app, client):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "clients.view")
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.location, (url, response.status_code)
