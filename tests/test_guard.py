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


def test_a_database_conflict_is_a_409_not_a_500(app, as_admin, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from webapp.departments import routes

    def conflicting(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(routes, "create_department", conflicting)
    response = as_admin.post("/provider/departments/new",
                             data={"name_en": "Racing", "business_hours_id": "1", "task_locale": "en"})
    assert response.status_code == 409 and "nothing was" in response.text


def test_an_unexpected_error_is_a_500_page_that_rolls_back(app, as_admin, monkeypatch):
    from webapp.departments import routes

    monkeypatch.setattr(routes, "department_rights", lambda department: 1 / 0)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = as_admin.get("/provider/departments/1/permissions")
    assert response.status_code == 500 and "nothing was saved" in response.text


def test_row_urls_are_the_urls_url_for_builds(app):
    from flask import url_for

    from webapp.urls import RowUrl

    with app.test_request_context("/"):
        for endpoint, argument in [("staff.edit", "staff_id"), ("staff.avatar", "staff_id"),
                                   ("departments.permissions", "department_id")]:
            build = RowUrl(endpoint, argument)
            for row_id in (1, 42, 987654):
                assert build(row_id) == url_for(endpoint, **{argument: row_id})
