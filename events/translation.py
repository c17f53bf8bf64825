"""Which event texts exist in English and Welsh (django-modeltranslation).

Each field below gets `<field>_en` and `<field>_cy` columns on the same row; `event.title` reads
the active language's column and falls back to the other one (settings:
MODELTRANSLATION_FALLBACK_LANGUAGES). Lists, filters and ordering keep working without joins.
Templates show a text with `{% trans_field obj "field" %}` (core/templatetags/bilingual.py), which
marks a fallback with its own `lang`.
"""

from modeltranslation.translator import TranslationOptions, register

from events.models import Event, Series, Theme, Venue


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "summary", "description", "access_notes", "cancellation_reason")
    empty_values = ""


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name", "description")
    empty_values = ""


@register(Series)
class SeriesTranslation(TranslationOptions):
    fields = ("name", "description")
    empty_values = ""


@register(Venue)
class VenueTranslation(TranslationOptions):
    fields = ("name", "access_notes")
    empty_values = ""
