"""Choice widgets for rows whose label may be shown in the other language.

A Welsh page offering a theme named in English only shows its English name: the option says so
with `lang` (core/i18n.py `other_language`), as the page's other texts do
(core/templatetags/bilingual.py). `text_field` names the field kept in both languages that the
label shows ("name" for themes, series and venues).

The classes keep Django's names (`bilingual.Select`, `bilingual.CheckboxSelectMultiple` where
imported as `from core import widgets as bilingual`): crispy-forms gives each field its widget's
class name as a CSS class, so the pages keep `class="select form-select"`.
"""

from django import forms
from django.utils.html import format_html

from core.forms import FastSelect
from core.i18n import other_language


class _MarksLanguage:
    def __init__(self, *args, text_field: str = "name", row=None, languages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.text_field = text_field
        self.row = row  # value -> row, for choices that are plain values (a menu of slugs)
        # value -> the language its label is shown in (other_language, computed beforehand):
        # for a menu of plain values kept without its rows (discussions' SearchForm).
        self.languages = languages

    def instance_for(self, value):
        """The row behind an option (ModelChoiceField gives it with the value)."""
        if self.row is not None:
            return self.row(value) if value else None
        return getattr(value, "instance", None)

    def option_language(self, value) -> str | None:
        if self.languages is not None:
            return self.languages.get(str(value)) if value else None
        instance = self.instance_for(value)
        return other_language(instance, self.text_field) if instance is not None else None


class Select(_MarksLanguage, FastSelect):
    """`<option lang="en">` for a choice shown in the other language (an option holds text
    only, so the attribute goes on the option itself). Rendered as core.forms.FastSelect does:
    in Python, not by a template per option."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if language := self.option_language(value):
            option["attrs"]["lang"] = language
        return option


class CheckboxSelectMultiple(_MarksLanguage, forms.CheckboxSelectMultiple):
    """Checkboxes whose label is in `<span lang="en">` when shown in the other language."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if language := self.option_language(value):
            option["label"] = format_html('<span lang="{}">{}</span>', language, label)
        return option
