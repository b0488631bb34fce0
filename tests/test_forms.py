"""WTForms' own messages are translated too, and their catalog is read once per language."""
import contextvars

from webapp.forms import StateForm, _wtforms_catalog


def test_wtforms_messages_follow_the_request_language(app):
    def message_in(language):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            return StateForm(meta={"csrf": False}).meta.get_translations(None).gettext("Not a valid integer value.")

    _wtforms_catalog.cache_clear()
    for language, expected in [("en", "Not a valid integer value."), ("ru", "Неверное целое число."),
                               ("ru", "Неверное целое число.")]:
        assert contextvars.Context().run(message_in, language) == expected  # a fresh context, as per request
    assert _wtforms_catalog.cache_info().misses == 2  # en and ru, each read once


def test_a_bad_schedule_id_gets_one_clear_message(as_admin):
    response = as_admin.post("/provider/departments/new",
                             data={"name_en": "Ops", "business_hours_id": "abc", "task_locale": "en"})
    assert response.status_code == 422
    assert "Choose one of the schedules." in response.text and "could not coerce" not in response.text
