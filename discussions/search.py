"""Discussion search: PostgreSQL full-text search when the database is PostgreSQL, icontains else.

On PostgreSQL every post carries a `search_vector` (thread title weighted A on the opening post,
body weighted B), GIN-indexed; results are ranked with SearchRank and get highlighted snippets
from SearchHeadline. Snippets are built from the Markdown source, so they are escaped here and
only our own <mark> tags are added.
"""

from collections.abc import Iterable, Sequence

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from discussions.models import Post, Thread

# Text is indexed with the configuration of its language: English stems ("meetings" finds
# "meeting"); PostgreSQL has no Welsh stemmer, so Welsh is indexed word for word ("simple"). A
# query is read both ways and matches either.
CONFIG = "english"
CONFIGS = {"en": "english", "cy": "simple"}
# Private-use characters mark the highlights until the text is escaped.
_START, _STOP = "\ue000", "\ue001"
SNIPPET_LENGTH = 240
# PostgreSQL ranks at most this many matches; more specific words find the rest.
MAX_RANKED = 1000


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def update_search_vectors(*, post_ids: Iterable[int] | None = None, thread_ids=None) -> None:
    """Recompute the search vectors of some posts (all when both are None). PostgreSQL only."""
    if not is_postgresql():
        return
    where, params = [], []
    if post_ids is not None:
        where.append("p.id = ANY(%s)")
        params.append(list(post_ids))
    if thread_ids is not None:
        where.append("p.thread_id = ANY(%s)")
        params.append(list(thread_ids))
    config = "(CASE {} WHEN 'cy' THEN 'simple' ELSE 'english' END)::regconfig"
    sql = (
        "UPDATE discussions_post AS p SET search_vector = "
        f"setweight(to_tsvector({config.format('t.language')},"
        " CASE WHEN p.number = 1 THEN t.title ELSE '' END), 'A')"
        f" || setweight(to_tsvector({config.format('p.language')}, p.body_source), 'B') "
        "FROM discussions_thread AS t WHERE t.id = p.thread_id"
    )
    if where:
        sql += " AND " + " AND ".join(where)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _highlight(text: str) -> str:
    return mark_safe(  # noqa: S308 (escaped first; only our own <mark> tags are added)
        escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    )


def _plain_snippet(text: str, q: str) -> str:
    """A window of text around the first match, with the matches marked (SQLite fallback)."""
    lowered, needle = text.lower(), q.lower()
    at = lowered.find(needle) if needle else -1
    start = max(0, at - SNIPPET_LENGTH // 3) if at >= 0 else 0
    window = text[start : start + SNIPPET_LENGTH]
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET_LENGTH < len(text) else ""
    if needle:
        out, low, i = [], window.lower(), 0
        while (j := low.find(needle, i)) >= 0:
            out += [window[i:j], _START, window[j : j + len(needle)], _STOP]
            i = j + len(needle)
        out.append(window[i:])
        window = "".join(out)
    return _highlight(prefix + window + suffix)


class RankedResults(Sequence):
    """Post ids in rank order; slicing fetches just those posts, with rank and headline.

    Paginators take its length (no COUNT query) and slice one page of it.
    """

    def __init__(self, ids: list[int], fetch):
        self.ids = ids
        self._fetch = fetch

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            wanted = self.ids[index]
            found = {post.pk: post for post in self._fetch(wanted)}
            return [found[pk] for pk in wanted if pk in found]
        return self[index : index + 1][0]


def search_posts(q: str, *, theme=None, event=None):
    """Public posts matching `q` (all when empty), optionally on one theme or event, best first
    (newest first without `q`). A QuerySet, or RankedResults on PostgreSQL.

    On PostgreSQL the best MAX_RANKED matches are ranked first, on the posts table alone (one GIN
    scan); visibility filters then apply to those candidate ids, and only the shown page gets
    headlines. In one joined query the planner underestimated the matches of a common word and
    re-ran the GIN scan per thread (seconds at 100,000 posts).
    """
    q = q.strip()
    posts = Post.objects.public().select_related("thread__board__event", "author")
    threads = Thread.objects.all()
    if theme is not None:
        posts, threads = posts.filter(thread__themes=theme), threads.filter(themes=theme)
    if event is not None:
        posts, threads = (
            posts.filter(thread__board__event=event),
            threads.filter(board__event=event),
        )
    if not q:
        return posts.order_by("-created_at", "-pk")
    if not is_postgresql():
        return posts.filter(
            Q(body_source__icontains=q) | Q(number=1, thread__title__icontains=q)
        ).order_by("-created_at", "-pk")
    query = SearchQuery(q, config="english", search_type="websearch") | SearchQuery(
        q, config="simple", search_type="websearch"
    )
    rank = SearchRank(F("search_vector"), query)
    # Two small steps rather than one join: the planner misjudges how many posts match, and
    # then either rescans the GIN index per thread or joins every post before the filter.
    matches = Post.objects.filter(search_vector=query)
    if theme is not None or event is not None:
        # A literal id list: one bitmap scan ANDed with the GIN scan, no join to misjudge.
        matches = matches.filter(thread_id__in=list(threads.values_list("pk", flat=True)))
    candidates = list(
        matches.annotate(candidate_rank=rank)
        .order_by("-candidate_rank", "-created_at", "-pk")
        .values_list("pk", flat=True)[:MAX_RANKED]
    )
    visible = set(posts.filter(pk__in=candidates).order_by().values_list("pk", flat=True))
    ranked = [pk for pk in candidates if pk in visible]

    def fetch(ids):
        return posts.filter(pk__in=ids).annotate(
            rank=rank,
            headline=SearchHeadline(
                "body_source",
                query,
                config=CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=40,
                min_words=15,
            ),
        )

    return RankedResults(ranked, fetch)


def with_snippets(posts: Iterable[Post], q: str) -> list[Post]:
    """Attach a highlighted `snippet` to each post of a (paginated) result page."""
    posts = list(posts)
    for post in posts:
        headline = getattr(post, "headline", None)
        if headline is not None:
            post.snippet = _highlight(headline)
        else:
            post.snippet = _plain_snippet(post.body_source, q.strip())
    return posts
