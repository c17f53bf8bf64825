"""Snippets and result pages of discussion search, through discussions.search's public API.

`headline` and `QueryWords` are plain Python (PostgreSQL finds the posts; they mark the words
in the shown page), so they are held here on every database; tests/discussions/test_search.py
holds the same marks through the search page on PostgreSQL.
"""

import pytest
from django.core.paginator import Paginator

from discussions.search import SNIPPET_LENGTH, QueryWords, RankedResults, headline


def snippet(q: str, text: str) -> str:
    return str(headline(text, QueryWords(q)))


@pytest.mark.parametrize(
    ("q", "text", "expected"),
    [
        # By English stems, as PostgreSQL's english configuration matches.
        ("community", "Communities, community-led and communal.",
         "<mark>Communities</mark>, <mark>community-led</mark> and communal."),
        ("organising", "Organisers organised it.",
         "<mark>Organisers</mark> <mark>organised</mark> it."),
        # A phrase's words; each part of a hyphenated word; stop words never.
        ("time credits", "The time credits, time-credits.",
         "The <mark>time</mark> <mark>credits</mark>, <mark>time-credits</mark>."),
        ("co-production", "Co-production and production.",
         "<mark>Co-production</mark> and <mark>production</mark>."),
        ("the budget", "The budget.", "The <mark>budget</mark>."),
        # Words left out ("-word") are not marked; Welsh words as typed.
        ("tai -cyngor", "Tai a chyngor.", "<mark>Tai</mark> a chyngor."),
        ("cymuned", "Mae'r cymuned yn gryf.", "Mae&#x27;r <mark>cymuned</mark> yn gryf."),
        # A word inside another is not a match.
        ("tai", "Mountains and taith.", "Mountains and taith."),
    ],
)  # fmt: skip
def test_headline_marks_the_words_the_query_matches(q, text, expected):
    assert snippet(q, text) == expected


def test_headline_escapes_the_post_and_marks_only_its_own_tags():
    marked = snippet("budget", "<script>budget</script> & <mark>more</mark>")

    assert marked == (
        "&lt;script&gt;<mark>budget</mark>&lt;/script&gt; &amp; &lt;mark&gt;more&lt;/mark&gt;"
    )


def test_headline_shows_the_text_around_a_far_match_cut_between_words():
    text = "A long opening about other things entirely, " * 30 + "then the allotments & more."

    marked = snippet("allotments", text)

    assert marked.startswith("…other things entirely, A long opening")
    assert marked.endswith("entirely, then the <mark>allotments</mark> &amp; more.")
    assert len(marked.replace("<mark>", "").replace("</mark>", "")) <= SNIPPET_LENGTH + 10


def test_headline_without_a_match_shows_the_start_cut_between_words():
    """A post found by its thread's title: its opening words."""
    text = "word " * SNIPPET_LENGTH

    marked = snippet("allotments", text)

    assert marked.startswith("word word")
    assert marked.endswith("word…")
    assert "<mark>" not in marked
    assert len(marked) <= SNIPPET_LENGTH + 1


def test_a_query_of_stop_words_and_left_out_words_marks_nothing():
    assert snippet("the -budget", "The budget.") == "The budget."
    assert QueryWords("").candidates is None


def test_query_words_match_as_typed_or_by_stem():
    words = QueryWords("volunteering cydgynhyrchu")

    assert words.match("Volunteers")
    assert words.match("cydgynhyrchu")
    assert words.match("well-volunteered")
    assert not words.match("the")
    assert not words.match("volcano")


class Fetched:
    """What a search fetches for a page of ids: the posts, in any order, some maybe gone."""

    def __init__(self, gone=()):
        self.asked, self.gone = [], set(gone)

    def __call__(self, ids):
        self.asked.append(list(ids))
        return [Post(pk) for pk in reversed(ids) if pk not in self.gone]


class Post:
    def __init__(self, pk):
        self.pk = pk


def test_ranked_results_page_fetches_only_its_ids_in_rank_order():
    fetch = Fetched(gone={7})
    results = RankedResults([9, 3, 7, 5, 1], fetch, limited=True)

    page = Paginator(results, 2).get_page(2)

    assert len(results) == 5
    assert results.limited
    assert [post.pk for post in page.object_list] == [5]  # 7 went since it was ranked
    assert fetch.asked == [[7, 5]]
    assert results[0].pk == 9
    assert results[10:20] == []
    assert fetch.asked == [[7, 5], [9]]
