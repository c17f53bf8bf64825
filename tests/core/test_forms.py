from django import forms

from core.forms import ControlCharactersCleaned


class NoteForm(ControlCharactersCleaned, forms.Form):
    title = forms.CharField()
    note = forms.CharField(required=False, widget=forms.Textarea)
    code = forms.CharField(required=False, strip=False)


def test_single_line_text_becomes_one_stripped_line_and_textareas_keep_their_lines():
    form = NoteForm(data={"title": "Time\rcredits\x01", "note": "one\x0b\r\ntwo", "code": "a\x0b"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"title": "Time credits", "note": "one\ntwo", "code": "a "}


def test_a_required_text_of_control_characters_only_is_missing():
    form = NoteForm(data={"title": "\x01\x02", "note": "\x7f"})

    assert form.errors == {"title": ["This field is required."]}
