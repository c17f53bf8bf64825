from django.template import Context, Template

from discussions import services
from tests.factories import EventFactory, ThemeFactory, UserFactory, fill_board


def render(source, **context):
    return Template(source).render(Context(context))


def test_theme_partial_lists_threads_on_the_theme_from_every_board(board, author, moderator):
    theme = ThemeFactory(name="Core economy", slug="core-economy")
    other = services.Board.objects.for_event(EventFactory())
    a = services.start_thread(
        board=board, author=author, title="From the cafe", body="x", themes=[theme]
    )
    b = services.start_thread(
        board=other, author=author, title="From the round table", body="x", themes=[theme]
    )
    hidden = services.start_thread(
        board=other, author=author, title="Hidden one", body="x", themes=[theme]
    )
    services.hide_thread(thread=hidden, moderator=moderator)
    services.start_thread(board=board, author=author, title="Off theme", body="x")

    html = render('{% include "discussions/_theme_threads.html" with theme=theme %}', theme=theme)

    assert html.index(b.title) < html.index(a.title)  # most active first
    assert "Hidden one" not in html
    assert "Off theme" not in html
    assert "/discussions/?theme=core-economy" in html


def test_theme_partial_is_bounded_and_uses_one_query(board, django_assert_num_queries):
    theme = ThemeFactory()
    fill_board(board, 30, authors=[UserFactory()], themes=[theme])

    with django_assert_num_queries(1):
        html = render(
            '{% include "discussions/_theme_threads.html" with theme=theme %}', theme=theme
        )

    assert html.count("/threads/") == 10


def test_theme_partial_has_an_empty_state(db):
    html = render(
        '{% include "discussions/_theme_threads.html" with theme=theme %}', theme=ThemeFactory()
    )

    assert "No discussions on this theme yet." in html


def test_event_panel_links_to_the_board_and_shows_latest_threads(thread):
    event = thread.board.event

    html = render(
        '{% include "discussions/_event_board_panel.html" with event=event %}', event=event
    )

    assert f"/events/{event.slug}/board/" in html
    assert "1 thread continues the conversation." in html
    assert thread.title in html


def test_event_panel_before_any_board_invites_to_start(event):
    html = render(
        '{% include "discussions/_event_board_panel.html" with event=event %}', event=event
    )

    assert "No threads yet." in html
    assert f"/events/{event.slug}/board/" in html


def test_event_panel_says_when_the_board_is_closed(thread, moderator):
    services.close_board(board=thread.board, user=moderator, message="On to the next cafe.")
    event = thread.board.event

    html = render(
        '{% include "discussions/_event_board_panel.html" with event=event %}', event=event
    )

    assert "The board is closed" in html
    assert "On to the next cafe." in html


def test_draft_event_has_no_panel(db):
    draft = EventFactory(status="draft")

    html = render(
        '{% include "discussions/_event_board_panel.html" with event=event %}', event=draft
    )

    assert html.strip() == ""


def test_event_panel_costs_one_query_however_many_threads(board, django_assert_num_queries):
    fill_board(board, 40, authors=[UserFactory()])
    event = board.event

    with django_assert_num_queries(1):
        html = render(
            '{% include "discussions/_event_board_panel.html" with event=event %}', event=event
        )

    assert "40 threads continue the conversation." in html


def test_theme_page_lists_threads_from_every_events_board(client, board, author):
    theme = ThemeFactory(name="Risk-averse cultures", slug="risk-averse")
    other = services.Board.objects.for_event(EventFactory(title="Round-table"))
    services.start_thread(board=board, author=author, title="Cafe thread", body="x", themes=[theme])
    services.start_thread(board=other, author=author, title="WG thread", body="x", themes=[theme])

    html = client.get(theme.get_absolute_url()).content.decode()

    assert "Discussions on this theme" in html
    assert "Cafe thread" in html
    assert "WG thread" in html


def test_event_panel_costs_one_query_without_a_board_or_threads(event, django_assert_num_queries):
    template = '{% include "discussions/_event_board_panel.html" with event=event %}'
    with django_assert_num_queries(1):
        before = render(template, event=event)
    services.Board.objects.for_event(event)
    with django_assert_num_queries(1):
        empty = render(template, event=event)

    assert "No threads yet." in before
    assert "No threads yet." in empty
