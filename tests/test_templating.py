"""Templates compiled per language (webapp.templating): a constant message is translated when the template is
compiled for the request's language, exactly as Jinja's gettext would have translated it when rendered."""
from flask import render_template_string

from webapp.i18n import force_locale, language_changed

SOURCE = ('{{ _("Payments") }}|{{ _("Reason:") }}|{{ _("%(num)s bytes", num=5) }}|{{ gettext("Log out") }}|'
          '{{ _(label) }}|{{ _("100%% sure") }}')


def rendered(app, language: str, **context) -> str:
    with app.test_request_context("/", headers={"Accept-Language": language}):
        language_changed()  # the test's app context outlives each request: forget the last one's language
        return render_template_string(SOURCE, label="Status", **context)


def test_each_language_gets_its_own_compiled_messages(app):
    for _ in range(2):  # compiled once per language, then from each language's cache
        assert rendered(app, "ru") == "Платежи|Причина:|5 байт|Выйти|Статус|100% sure"
        assert rendered(app, "en") == "Payments|Reason:|5 bytes|Log out|Status|100% sure"


def test_the_language_of_the_moment_decides(app):
    """A language chosen during the request, or forced for an email, renders in that language."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        language_changed()
        assert render_template_string('{{ _("Payments") }}') == "Payments"
        with force_locale("ru"):
            assert render_template_string('{{ _("Payments") }}') == "Платежи"
        assert render_template_string('{{ _("Payments") }}') == "Payments"


def test_outside_a_request_messages_are_translated_when_rendered(app):
    with app.app_context(), force_locale("ru"):
        assert render_template_string('{{ _("Payments") }}') == "Платежи"


def test_translated_constants_stay_escaped_like_runtime_messages(app):
    """A message is markup in an autoescaped template (as newstyle gettext returns Markup): its variables are
    escaped, the text itself is not."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        language_changed()
        html = render_template_string('{% autoescape true %}{{ _("%(num)s bytes", num="<b>") }}'
                                      '{{ _("Payments") }}{% endautoescape %}')
    assert html == "&lt;b&gt; bytesPayments"
