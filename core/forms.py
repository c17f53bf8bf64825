"""Form helpers any app may use."""

from django import forms
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from core.text import multi_line, single_line


class ControlCharactersCleaned:
    """Form mixin: every text value loses its control characters (core.text) once the fields are
    valid: a textarea's keeps tab and newline, a single-line input's becomes one line (and is
    stripped again when its field strips).

    Put it first among the bases, so that the form's own `clean()` sees the cleaned values.
    """

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            field = self.fields.get(name)
            if not (isinstance(value, str) and isinstance(field, forms.CharField)):
                continue
            textarea = isinstance(field.widget, forms.Textarea)
            text = multi_line(value) if textarea else single_line(value)
            # A control character at either end became a space: strip it as the field did.
            text = text.strip() if field.strip else text
            if value and not text and field.required:  # nothing but control characters
                self.add_error(name, field.error_messages["required"])
            else:
                cleaned[name] = text
        return cleaned


def _html_attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html, in Python.
    return "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{escape(str(value))}"')
        for name, value in attrs.items()
        if value is not False
    )


class FastSelect(forms.Select):
    """Django's <select>, byte for byte, written here instead of by its templates: a menu of 50
    options is otherwise 100 template renders (django/forms/widgets/select_option.html and
    attrs.html per option), a few milliseconds of every page that shows it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(str(widget["name"]))}"{_html_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            parts.extend(
                f'\n  <option value="{escape(str(option["value"]))}"'
                f"{_html_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)
