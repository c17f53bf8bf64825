"""core.text: control characters never reach the database, a feed or a mail header (issue 10)."""

import pytest

from core.params import parse_int
from core.text import has_control_characters, multi_line, single_line
from discussions import services
from discussions.models import Board
from tests.factories import EventFactory, UserFactory


def test_multi_line_text_keeps_tab_and_newline_and_loses_the_rest():
    assert multi_line("a\tb\r\nc\rd\x0be\x00f\x7fg\x85h") == "a\tb\nc\ndefgh"


def test_single_line_text_turns_each_run_of_breaks_into_one_space():
    assert single_line("Time\r\ncredits\x0b\x0bnow\u2028\ttoo\x00") == "Time credits now too "


def test_has_control_characters_follows_the_kind_of_text():
    assert not has_control_characters("a\nb", multiline=True)
    assert has_control_characters("a\nb", multiline=False)
    assert has_control_characters("a\x0bb", multiline=True)


@pytest.mark.django_db
def test_text_is_cleaned_before_every_save_of_our_models():
    board = Board.objects.for_event(EventFactory())

    thread = services.start_thread(
        board=board, author=UserFactory(), title="Vertical\x0btab\rtitle", body="a\x0bb\r\nc"
    )

    thread.refresh_from_db()
    post = thread.posts.get()
    assert (thread.title, post.body_source) == ("Vertical tab title", "ab\nc")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("42", 42),
        (42, 42),
        ("9" * 18, int("9" * 18)),
        ("9" * 19, None),
        ("²", None),
        ("٣", None),
        (" 3", None),
        ("3_0", None),
        ("-1", None),
        ("+1", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_int_takes_ascii_digits_only(value, expected):
    assert parse_int(value) == expected
