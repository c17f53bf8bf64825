"""Languages in addresses: /en/... and /cy/..., the switch between them, and the links that tell
search engines and browsers about the other language.

Pages live under i18n_patterns (config/urls.py), so the address says the language. A visitor who
arrives without a prefix is redirected by LocaleMiddleware to their remembered language (the
cookie the switch sets), or else the one their browser asks for (Accept-Language).
"""

import functools
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.db.models import CharField, Expression, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpResponseRedirect
from django.middleware import locale
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.deconstruct import deconstructible
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

# Each language's own name: the switch shows "Cymraeg" to English readers and "English" to Welsh
# ones, in that language (so the link carries its lang attribute).
ENDONYMS = {"cy": "Cymraeg", "en": "English"}


def language_links(request) -> list[dict]:
    """For each language: its code, own name, this page's address in it, and whether it is current.

    The address keeps the path and the query string (the same filters), translated with
    translate_url; on a page outside the prefixed URLs it stays the same page.
    """
    current = get_language()
    path, _mark, query = request.get_full_path().partition("?")
    return [
        {
            "code": code,
            "name": ENDONYMS.get(code, code),
            "url": translated_path(path, code) + (f"?{query}" if query else ""),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]


@functools.lru_cache(maxsize=4096)
def translated_path(path: str, code: str) -> str:
    """translate_url for a path, remembered per process: it resolves the path against every
    URL pattern (a costly part of each page), and the answer depends on the URLconf alone."""
    return translate_url(path, code)


def languages(request) -> dict:
    """Context processor: the switch and the alternate/canonical links of base.html."""

    @functools.cache
    def alternates():
        links = language_links(request)
        return [{**link, "absolute_url": request.build_absolute_uri(link["url"])} for link in links]

    # A callable (templates call it when they use it), computed once per render: emails and
    # partials that never show the links pay nothing.
    return {"language_alternates": alternates}


def interface_language() -> str:
    """The active language as one of settings.LANGUAGES' codes ("en-gb" -> "en")."""
    code = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def text_language(obj, field: str) -> str | None:
    """The language of the text `obj.<field>` shows now: the page's, or the one it fell back to.

    For fields kept in both languages (django-modeltranslation, each app's translation.py), the
    columns are read in the order `obj.<field>` reads them; None when nothing is written, or
    when the field is not kept per language (its text has no known language).
    """
    from modeltranslation.fields import TranslationFieldDescriptor
    from modeltranslation.utils import resolution_order

    descriptor = getattr(type(obj), field, None)
    if not isinstance(descriptor, TranslationFieldDescriptor):
        return None
    for code in resolution_order(interface_language(), descriptor.fallback_languages):
        if obj.__dict__.get(f"{field}_{code}") not in (None, ""):
            return code
    return None


def other_language(obj, field: str) -> str | None:
    """The language `obj.<field>` is shown in when it is not the page's (a fallback), else None:
    where it is shown, its element gets that `lang` (core/templatetags/bilingual.py)."""
    shown = text_language(obj, field) if obj is not None else None
    return shown if shown and shown != interface_language() else None


def marked(obj, field: str) -> str:
    """`obj.<field>`, escaped, inside `<span lang="…">` when shown in the other language (for
    templates: `{% trans_field %}`; a view building a heading calls it directly)."""
    text = getattr(obj, field, "") if obj is not None else ""
    other = other_language(obj, field)
    if other and text:
        return format_html('<span lang="{}">{}</span>', other, text)
    return format_html("{}", text)


def marking(model, field: str) -> Callable[[object], str]:
    """`marked(obj, field)` for objects of `model`, with the page's language and the order its
    texts fall back in read once: for a list that marks many (a search page's events, where
    marking each anew was 40% of its rows' CPU). Objects whose texts in the page's language
    and the ones before it are not all read (deferred) are marked by `marked`."""
    from modeltranslation.fields import NONE, TranslationFieldDescriptor
    from modeltranslation.utils import resolution_order

    descriptor = model.__dict__.get(field)
    language = interface_language()
    if not isinstance(descriptor, TranslationFieldDescriptor) or get_language() != language:
        return functools.partial(_marked_as, field=field)
    undefined = descriptor.fallback_undefined
    if (descriptor.field.get_default() if undefined is NONE else undefined) != "":
        # A text counts as written when it is not this (obj.<field> skips it): not the case
        # `mark` below knows.
        return functools.partial(_marked_as, field=field)
    order = [
        (code, f"{field}_{code}")
        for code in resolution_order(language, descriptor.fallback_languages)
    ]

    def mark(obj) -> str:
        values = getattr(obj, "__dict__", {})
        for code, name in order:
            if name not in values:
                break
            text = values[name]
            if text not in (None, ""):
                if code == language:
                    return format_html("{}", text)
                return format_html('<span lang="{}">{}</span>', code, text)
        return marked(obj, field)

    return mark


def _marked_as(obj, *, field: str) -> str:
    return marked(obj, field)


@deconstructible(path="core.i18n.ShownText")
class ShownText(Expression):
    """In a query, the text a field kept in both languages shows the reader: the active
    language's column, else the other one's (the order `obj.<field>` reads them).

    For ordering: `order_by(ShownText("name"), "pk")` sorts a Welsh page by the names it shows
    (Welsh where written, else English) and an English page by its own, whichever language a
    queryset was built in. django-modeltranslation's own rewrite of `order_by("name")` sorts by
    the active column alone, putting every name missing in that language ("") first. The
    columns are chosen when the query is compiled, so it can sit in a model's Meta.ordering.
    """

    output_field = CharField()

    def __init__(self, field: str):
        super().__init__()
        self.text_field = field

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        from modeltranslation.utils import resolution_order

        columns = [
            NullIf(F(f"{self.text_field}_{code}"), Value(""))
            for code in resolution_order(interface_language())
        ]
        return Coalesce(*columns, output_field=CharField()).resolve_expression(
            query, allow_joins, reuse, summarize, for_save
        )


@contextmanager
def in_language_of(user):
    """Render what is sent to `user` (mail, their own feed) in their account's language (the
    site's default while they have chosen none)."""
    with translation.override(getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE):
        yield


@require_safe
def switch_language(request, code):
    """Remember the reader's choice (cookie) and show the same page in that language."""
    codes = dict(settings.LANGUAGES)
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if code not in codes:
        return HttpResponseRedirect(target)
    user = getattr(request, "user", None)
    # preferred_language comes with issue 16's account settings; until then only the cookie.
    if (
        user is not None
        and user.is_authenticated
        and getattr(user, "preferred_language", code) != code
    ):
        # A member's choice is their account's language too: their mail follows it.
        user.preferred_language = code
        user.save(update_fields=["preferred_language"])
    response = HttpResponseRedirect(translate_url(target, code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's LocaleMiddleware, except that a 404 from a view that answered at an address
    without a prefix (an old feed or unsubscribe link) stays a 404: only addresses that match
    nothing are sent on to /en/ or /cy/ (a redirect would also repeat a token in the URL)."""

    def process_response(self, request, response):
        answered_unprefixed = (
            response.status_code == 404
            and getattr(request, "resolver_match", None) is not None
            and not translation.get_language_from_path(request.path_info)
        )
        if not answered_unprefixed:
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
