"""Control characters out of user text (issue 10: a vertical tab made an Atom feed fail, a carriage
return in a title stopped every mail about it).

Multi-line text (a TextField, a textarea) keeps tab and newline (a CR LF or a lone CR becomes a
newline); single-line text (a CharField, a mail subject) keeps neither: each run of control
characters, newlines included, becomes one space. Every other C0 and C1 control character and DEL
is removed. `clean_text_fields` applies this to a model instance; core's AppConfig runs it before
every save of our apps' models, so whatever path a text takes (form, service, admin, command),
it is stored clean.
"""

import re

from django.db import models

# C0 but tab and newline, DEL, C1.
_MULTI_LINE_REMOVED = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"\r\n?")
# Every C0 (tab and newline too), DEL, C1, and the Unicode line and paragraph separators.
_SINGLE_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def multi_line(text: str) -> str:
    """`text` with control characters removed, but for tab and newline (CR LF and CR as LF)."""
    return _MULTI_LINE_REMOVED.sub("", _LINE_BREAK.sub("\n", text))


def single_line(text: str) -> str:
    """`text` on one line: each run of control characters (line breaks too) is one space."""
    return _SINGLE_LINE_BREAKS.sub(" ", text)


def has_control_characters(text: str, *, multiline: bool) -> bool:
    return (multi_line(text) if multiline else single_line(text)) != text


def clean_text_fields(instance: models.Model) -> None:
    """Clean every text field of `instance` in place: TextFields as multi-line, CharFields (and
    their kinds: slugs, emails, URLs) as single-line."""
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        value = getattr(instance, field.attname)
        if not isinstance(value, str):
            continue
        cleaned = multi_line(value) if isinstance(field, models.TextField) else single_line(value)
        if cleaned != value:
            setattr(instance, field.attname, cleaned)
