"""People's texts in English and Welsh (django-modeltranslation; see events/translation.py)."""

from modeltranslation.translator import TranslationOptions, register

from people.models import Organisation, Person


@register(Person)
class PersonTranslation(TranslationOptions):
    fields = ("headline",)
    empty_values = ""


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    # Many organisations in Wales have a name in each language (Llywodraeth Cymru / Welsh
    # Government); one in a single language (Spice) is shown as it is, marked with its lang.
    fields = ("name", "description")
    empty_values = ""
