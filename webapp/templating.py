"""Templates compiled once per language, with their constant messages translated in.

A page writes a few dozen `{{ _("Payments") }}`; each cost a call through Jinja's gettext, the request's
catalog and Markup on every render (some 5 µs each, a tenth of a list page). During a request the app renders
with its language's environment (an overlay of the app's: the same loader, filters and globals, a template
cache of its own), whose compiler replaces every `_("…")` or `gettext("…")` of a constant message without
variables by its translation, as Jinja's newstyle gettext would have returned it (`%%` read as `%`, safe in an
autoescaped template). Messages with variables, plural forms and messages held in variables are translated
when rendered, as before; so is everything rendered outside a request (the worker's emails).
"""
from babel.support import Translations
from flask import Flask, has_request_context
from flask.templating import Environment
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

GETTEXT = frozenset({"_", "gettext"})


class _Translate(NodeTransformer):
    def __init__(self, translations):
        self.translations = translations

    def visit_Call(self, node):
        node = self.generic_visit(node)
        if not (isinstance(node.node, nodes.Name) and node.node.name in GETTEXT and len(node.args) == 1
                and isinstance(node.args[0], nodes.Const) and isinstance(node.args[0].value, str)
                and not node.kwargs and node.dyn_args is None and node.dyn_kwargs is None):
            return node
        try:
            text = self.translations.ugettext(node.args[0].value) % {}  # as newstyle gettext formats it
        except (TypeError, ValueError, KeyError):
            return node  # not a valid format: left to fail as it would when rendered
        return nodes.MarkSafeIfAutoescape(nodes.Const(text, lineno=node.lineno), lineno=node.lineno)


class LanguageEnvironment(Environment):
    translations = None  # set on a language's overlay

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        return tree if self.translations is None else _Translate(self.translations).visit(tree)


class ConsoleFlask(Flask):
    """Flask whose `jinja_env` is, during a request, the environment of the request's language."""

    jinja_environment = LanguageEnvironment

    @property
    def jinja_env(self) -> Environment:
        base = self.__dict__.get("_base_jinja_env")
        if base is None:
            base = self.__dict__["_base_jinja_env"] = self.create_jinja_environment()
        if not has_request_context():
            return base
        from webapp.i18n import current_language

        language = current_language()
        overlays = self.__dict__.setdefault("_language_jinja_envs", {})
        overlay = overlays.get(language)
        if overlay is None:
            overlay = base.overlay(cache_size=400)
            overlay.translations = Translations.load(self.config["BABEL_TRANSLATION_DIRECTORIES"], [language])
            overlays[language] = overlay
        return overlay
