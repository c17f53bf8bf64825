"""Form helpers any app may use."""

from django import forms

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
