"""Form helpers any app may use."""

from django import forms

from core.text import multi_line, single_line


class ControlCharactersCleaned:
    """Form mixin: every text value loses its control characters (core.text) once the fields are
    valid: a textarea's keeps tab and newline, a single-line input's becomes one line.

    Put it first among the bases, so that the form's own `clean()` sees the cleaned values.
    """

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            field = self.fields.get(name)
            if isinstance(value, str) and isinstance(field, forms.CharField):
                textarea = isinstance(field.widget, forms.Textarea)
                cleaned[name] = multi_line(value) if textarea else single_line(value)
        return cleaned
