"""core/forms.py: control characters cleaned out of text; FastSelect writes what Django's Select
templates write."""

import pytest
from django import forms
from django.template import Context, Template

from core.forms import ControlCharactersCleaned, FastSelect

# --- ControlCharactersCleaned -------------------------------------------------------------------


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


# --- FastSelect ---------------------------------------------------------------------------------

CHOICES = [
    ("", "Any <theme>"),
    ("a&b", 'Quote " me'),
    ("Group", [("g1", "One"), ("g2", "Two")]),
    (3, "Three"),
]


@pytest.mark.parametrize("value", ["", "a&b", "g2", 3, None, ["x"]])
@pytest.mark.parametrize(
    "attrs",
    [None, {"class": "form-select", "required": True, "disabled": False, "data-x": '<"&>'}],
)
def test_fast_select_renders_what_djangos_select_renders(value, attrs):
    expected = forms.Select(choices=CHOICES).render("theme", value, attrs)

    assert FastSelect(choices=CHOICES).render("theme", value, attrs) == expected


def test_crispy_renders_a_fast_select_field_as_a_select_field():
    class Menus(forms.Form):
        slow = forms.ChoiceField(label="Theme", choices=CHOICES, widget=forms.Select)
        fast = forms.ChoiceField(label="Theme", choices=CHOICES, widget=FastSelect)

    form = Menus({"slow": "g1", "fast": "g1"})
    template = Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")

    def html(name):
        return template.render(Context({"field": form[name]})).replace(name, "menu")

    assert 'class="select form-select"' in html("fast")
    assert html("fast") == html("slow")
