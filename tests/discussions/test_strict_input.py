"""Control characters and odd query parameters never make a 500 (issue 10, item 4)."""

from xml.etree import ElementTree

import pytest
from django.urls import reverse

from discussions import services
from discussions.forms import ReplyForm, SearchForm
from discussions.models import Post, Thread
from tests.factories import UserFactory

ATOM = "{http://www.w3.org/2005/Atom}"


def test_board_feed_survives_control_characters_saved_before_they_were_cleaned(client, thread):
    reply = services.post_reply(thread=thread, author=UserFactory(), body="placeholder")
    # Rows from before the cleaning (an update() skips save, as old data did).
    Thread.objects.filter(pk=thread.pk).update(title="Vertical\x0btab")
    Post.objects.filter(pk=reply.pk).update(body_html="<p>form\x0cfeed\x1b</p>")

    response = client.get(
        reverse("discussions:board_feed", kwargs={"event_slug": thread.board.event.slug})
    )

    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Re: Verticaltab", "Verticaltab"]
    assert entries[0].find(f"{ATOM}summary").text == "<p>formfeed</p>"


@pytest.mark.parametrize("value", ["²", "٣", "9" * 40, "-1", "1\x0b"])
def test_reply_to_that_is_no_plain_number_is_ignored(client, thread, user, value):
    client.force_login(user)

    response = client.get(thread.get_absolute_url(), {"reply_to": value})

    assert response.status_code == 200
    assert response.context["replying_to"] is None


def test_flag_page_with_an_odd_image_number_flags_the_post(client, thread, user):
    client.force_login(user)
    url = reverse("discussions:post_flag", kwargs={"pk": thread.posts.get().pk})

    response = client.get(url, {"image": "²"})

    assert (response.status_code, response.context["image"]) == (200, None)


@pytest.mark.parametrize("params", [{"event": "\x00"}, {"q": "a\x00b"}, {"\x00": "1"}])
def test_nul_in_a_query_parameter_is_a_bad_request(client, db, params):
    # ?event=%00 was a 500 on PostgreSQL (SQLite took it).
    assert client.get(reverse("discussions:search"), params).status_code == 400


def test_nul_in_the_path_is_a_bad_request(client, db):
    assert client.get(reverse("discussions:search") + "%00/").status_code == 400


def test_forms_clean_control_characters_out_of_text(thread):
    reply = ReplyForm(data={"body": "one\x0btwo\r\nthree\x7f"}, thread=thread)
    search = SearchForm(data={"q": "time\x0bcredits"})

    assert reply.is_valid(), reply.errors
    assert search.is_valid(), search.errors
    assert (reply.cleaned_data["body"], search.cleaned_data["q"]) == (
        "onetwo\nthree",
        "time credits",
    )
