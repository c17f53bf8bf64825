"""People's texts in English and Welsh (django-modeltranslation; see events/translation.py)."""

from modeltranslation.translator import TranslationOptions, register

from people.models import Organisation, Person


@register(Person)
class PersonTranslation(TranslationOptions):
    fields = ("headline",)
    empty_values = ""


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("description",)
    empty_values = ""
