"""tests/forms.py: what `submit_form` sends is what a browser would send for the rendered form."""

import pytest
from django.http import HttpResponse

from tests.forms import FormNotFound, form_data, submit_form


class RecordingClient:
    def __init__(self):
        self.calls = []

    def post(self, url, data, follow=False, **extra):
        self.calls.append(("post", url, data))
        return "posted"

    def get(self, url, data, follow=False, **extra):
        self.calls.append(("get", url, data))
        return "got"


def page(html, path="/events/new/", query=""):
    response = HttpResponse(html)
    response.request = {"PATH_INFO": path, "QUERY_STRING": query}
    return response


EVENT_FORM = """
<form id="other" method="get" action="/search/"><input name="q" value=""></form>
<form id="event-form" method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input name="title" value="Policy Cafe &amp; friends">
  <textarea name="description">
Line one</textarea>
  <select name="kind"><option value="cafe">Cafe</option>
    <option value="workshop" selected>W</option></select>
  <select name="series"><option value="">---</option><option value="3">Policy Cafe</option></select>
  <select name="themes" multiple><option value="1" selected>A</option>
    <option value="2">B</option></select>
  <input type="checkbox" name="step_free" checked>
  <input type="checkbox" name="hearing_loop">
  <input type="radio" name="mode" value="in_person" checked>
  <input type="radio" name="mode" value="online">
  <input type="hidden" name="roles-TOTAL_FORMS" value="1">
  <input type="hidden" name="roles-0-id" value="7">
  <input name="frozen" value="x" disabled>
  <fieldset disabled><input name="in_disabled_fieldset" value="y"></fieldset>
  <button type="submit" name="action" value="save">Save draft</button>
  <button type="submit" name="action" value="publish">Publish</button>
</form>
<input name="outside" value="z" form="event-form">
"""


def test_form_data_is_what_a_browser_sends_unchanged():
    assert form_data(page(EVENT_FORM), "#event-form") == {
        "csrfmiddlewaretoken": ["tok"],
        "title": ["Policy Cafe & friends"],
        "description": ["Line one"],
        "kind": ["workshop"],
        "series": [""],
        "themes": ["1"],
        "step_free": ["on"],
        "mode": ["in_person"],
        "roles-TOTAL_FORMS": ["1"],
        "roles-0-id": ["7"],
        "action": ["save"],
        "outside": ["z"],
    }


def test_submit_changes_only_named_fields_and_presses_the_chosen_button():
    client = RecordingClient()
    submit_form(
        client,
        page(EVENT_FORM),
        "#event-form",
        data={"title": "New", "themes": ["1", "2"], "step_free": None, "hearing_loop": "on"},
        button="action=publish",
    )
    [(method, url, data)] = client.calls
    assert (method, url) == ("post", "/events/new/")
    assert data["title"] == ["New"]
    assert data["themes"] == ["1", "2"]
    assert "step_free" not in data
    assert data["hearing_loop"] == ["on"]
    assert data["action"] == ["publish"]
    assert data["roles-0-id"] == ["7"]


def test_a_field_the_page_does_not_render_is_refused():
    with pytest.raises(KeyError, match="does not render a field named 'roles-0-idx'"):
        submit_form(RecordingClient(), page(EVENT_FORM), "#event-form", data={"roles-0-idx": 1})


def test_an_option_the_page_does_not_offer_is_refused():
    with pytest.raises(ValueError, match="a person cannot choose"):
        submit_form(RecordingClient(), page(EVENT_FORM), "#event-form", data={"kind": "party"})


def test_forms_are_found_by_action_and_get_forms_send_a_query():
    client = RecordingClient()
    submit_form(client, page(EVENT_FORM), "/search/", data={"q": "co-production"})
    assert client.calls == [("get", "/search/", {"q": ["co-production"]})]


def test_an_ambiguous_page_asks_which_form():
    two_posting = "<form method=post></form><form method=post></form>"
    with pytest.raises(FormNotFound, match="name one"):
        submit_form(RecordingClient(), page(two_posting))


def test_a_select_without_a_selected_option_sends_its_first_option():
    html = (
        '<form method="post" action="/flag/">'
        '<select name="reason"><option value="spam">Spam</option></select></form>'
    )
    assert form_data(page(html)) == {"reason": ["spam"]}


def test_submits_through_the_real_client_to_a_rendered_page(client, django_user_model):
    from django.urls import reverse

    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    response = submit_form(
        client, response, reverse("account_login"), data={"login": "x@example.org", "password": "x"}
    )
    # Wrong credentials: the page comes back with a form error, not a crash or a redirect.
    assert response.status_code == 200
    assert response.context["form"].errors


def test_controls_in_a_template_element_are_inert_and_not_submitted():
    html = """<form method="post"><input name="roles-TOTAL_FORMS" value="1">
      <template id="row"><input name="roles-__prefix__-name" value=""><select
        name="roles-__prefix__-role"><option value="chair">Chair</option></select></template>
      </form>"""
    assert form_data(page(html)) == {"roles-TOTAL_FORMS": ["1"]}
