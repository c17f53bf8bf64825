"""Discussion search: PostgreSQL full-text search when the database is PostgreSQL, icontains else.

On PostgreSQL every shown post has a `search_vector` (thread title weighted A on the opening
post, body weighted B) in its PostSearch row, GIN-indexed; results are ranked with ts_rank and
get highlighted snippets (`headline`: words matched by their English stems, as PostgreSQL
matches them). Snippets are built from the Markdown source, so they are escaped here and only
our own <mark> tags are added.
"""

import functools
import hashlib
import re
import time
from collections.abc import Iterable, Sequence

import Stemmer
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.db.models.base import ModelState
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core import fragments
from core.prepared import prepared_rows
from discussions.models import Board, Post, PostSearch, PostTheme, Thread
from discussions.signals import ANY_BOARD_MARKER, READABLE_MARKER, discussions_marker
from events.models import Event
from events.signals import EVENTS_MARKER

# Text is indexed with the configuration of its language: English stems ("meetings" finds
# "meeting"); PostgreSQL has no Welsh stemmer, so Welsh is indexed word for word ("simple"). A
# query is read both ways and matches either.
CONFIG = "english"
CONFIGS = {"en": "english", "cy": "simple"}
# Private-use characters mark the highlights until the text is escaped.
_START, _STOP = "\ue000", "\ue001"
SNIPPET_LENGTH = 240
# PostgreSQL's English stop words (its tsearch_data/english.stop, which the english
# configuration leaves out of vectors and queries): never matched, never marked.
ENGLISH_STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against between
    into through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some
    such no nor not only own same so than too very s t can will just don should now
    """.split()  # noqa: SIM905 (a list as the file writes it)
)
# Snowball's English stemmer, which PostgreSQL's english configuration stems with (english_stem).
_STEMMER = Stemmer.Stemmer("english")
# A word as PostgreSQL's parser reads one, a hyphenated word whole ("co-production").
_WORD = r"\w+(?:-\w+)*"
# A word of a query, with the "-" that leaves it out ("-zebra").
_QUERY_WORD = re.compile(rf"(?<![\w-])(-?)({_WORD})")
# PostgreSQL ranks the newest this many matches (ten pages); more words find older ones. What a
# search reads grows with it: 500 cost a third more database time and a fifth more CPU over
# the bench's 50 queries (2,370 -> 1,630 ms, 615 -> 480 ms).
MAX_RANKED = 200
# The newest matches are looked for among the newest posts, so that no query reads every match
# of a common word (each row read costs 5-25 µs: the 80,000 of "community" in 1,000,000 posts
# took 0.6 s). The newest SAMPLE_POSTS are read in full first; what they hold tells how far
# back the rest must be looked for (`newest_matches`). Every search reads them, most find
# their matches in a step or two more: 2,000 was a median 6 ms of database time over the
# bench's 50 queries, 1,000 3 ms (mean 9 -> 6-7.5 ms; a common word takes a step more).
SAMPLE_POSTS = 1_000
# A theme's or an event's threads holding at most this many posts are read in full (12 ms).
FEW_POSTS = 5_000


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# A theme's word in the vectors of its threads' posts ("#12"): a word on a theme is one GIN
# lookup (the word's entries ANDed with the theme's), only the theme's matches fetched. No
# query reaches it: PostgreSQL's parser reads "#" as a space, so no typed word holds one.
THEME_WORD_SQL = "'#' || tt.theme_id::text"


def theme_word(theme_id: int) -> str:
    """The theme's word as a tsquery (`THEME_WORD_SQL`)."""
    return f"'#{int(theme_id)}'"


def update_search_vectors(*, post_ids: Iterable[int] | None = None, thread_ids=None) -> None:
    """Bring the search rows (PostSearch) of some posts in step with them (all posts when both
    are None): a shown post's words (re)computed (its thread's title, its body, its thread's
    themes' words: THEME_WORD_SQL), a hidden or withdrawn post's row removed. PostgreSQL only
    (SQLite searches with icontains)."""
    if not is_postgresql():
        return
    where, params = [], []
    if post_ids is not None:
        where.append("p.id = ANY(%s)")
        params.append(list(post_ids))
    if thread_ids is not None:
        where.append("p.thread_id = ANY(%s)")
        params.append(list(thread_ids))
    chosen = "".join(f" AND {condition}" for condition in where)
    table = PostSearch._meta.db_table
    config = "(CASE {} WHEN 'cy' THEN 'simple' ELSE 'english' END)::regconfig"
    themes = Thread.themes.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} s USING discussions_post p WHERE p.id = s.post_id"
            f" AND (p.hidden_at IS NOT NULL OR p.withdrawn_at IS NOT NULL){chosen}",
            params,
        )
        cursor.execute(
            f"INSERT INTO {table} (post_id, thread_id, search_vector) SELECT p.id, p.thread_id,"
            f" setweight(to_tsvector({config.format('t.language')},"
            " CASE WHEN p.number = 1 THEN t.title ELSE '' END), 'A')"
            f" || setweight(to_tsvector({config.format('p.language')}, p.body_source), 'B')"
            f" || COALESCE((SELECT array_to_tsvector(array_agg({THEME_WORD_SQL}))"
            f" FROM {themes} tt WHERE tt.thread_id = p.thread_id), ''::tsvector)"
            " FROM discussions_post p JOIN discussions_thread t ON t.id = p.thread_id"
            f" WHERE p.hidden_at IS NULL AND p.withdrawn_at IS NULL{chosen}"
            " ON CONFLICT (post_id) DO UPDATE"
            " SET thread_id = EXCLUDED.thread_id, search_vector = EXCLUDED.search_vector",
            params,
        )


def update_theme_words(*, thread_ids: Iterable[int] | None = None, theme_id=None) -> None:
    """The theme words (THEME_WORD_SQL) in the search rows of some threads' posts, or of the
    posts that hold `theme_id`'s word (every post on a theme when both are None), made those
    of their threads' themes today: after a thread's themes changed, or a theme was taken from
    its threads or deleted. The posts' own words are kept, not computed again (a thread may
    hold 20,000 posts). PostgreSQL only."""
    if not is_postgresql():
        return
    table, themes = PostSearch._meta.db_table, Thread.themes.through._meta.db_table
    old_words = "ARRAY(SELECT w.lexeme FROM unnest(p.search_vector) w WHERE w.lexeme LIKE '#%%')"
    with connection.cursor() as cursor:
        if thread_ids is None and theme_id is None:  # in bulk: each thread's words made once
            cursor.execute(
                f"UPDATE {table} p SET search_vector = ts_delete(p.search_vector, {old_words})"
                f" || t.words FROM (SELECT tt.thread_id, array_to_tsvector(array_agg("
                f"{THEME_WORD_SQL})) AS words FROM {themes} tt GROUP BY tt.thread_id) t"
                " WHERE t.thread_id = p.thread_id"
            )
            return
        if thread_ids is not None:
            where, params = "p.thread_id = ANY(%(threads)s)", {"threads": list(thread_ids)}
        else:
            where, params = "p.search_vector @@ %(word)s::tsquery", {"word": theme_word(theme_id)}
        cursor.execute(
            f"UPDATE {table} p SET search_vector = ts_delete(p.search_vector, {old_words})"
            f" || COALESCE((SELECT array_to_tsvector(array_agg({THEME_WORD_SQL})) FROM {themes}"
            f" tt WHERE tt.thread_id = p.thread_id), ''::tsvector) WHERE {where}",
            params,
        )


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


class QueryWords:
    """The words of a query, as a post's words are compared with them (`headline`): as typed
    and as their English stems (what `_QUERY` asks of the vectors), each part of a hyphenated
    word too, stop words and words to leave out ("-zebra") left out."""

    def __init__(self, q: str):
        lexemes = set()
        for minus, word in _QUERY_WORD.findall(q):
            if minus:
                continue
            word = word.lower()
            for part in {word, *word.split("-")}:
                if part and part not in ENGLISH_STOP_WORDS:
                    lexemes.update((part, _STEMMER.stemWord(part)))
        self.lexemes = frozenset(lexemes)
        # The words that may match, found by the C regex engine (only they are stemmed): an
        # English stem is its word's start but for its last letter ("communiti", "community").
        starts = sorted({lexeme[:-1] or lexeme for lexeme in lexemes}, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, starts))
        self.candidates = (
            re.compile(rf"(?<!\w)(?:{alternatives})\w*(?:-\w+)*", re.IGNORECASE) if starts else None
        )

    def match(self, word: str) -> bool:
        """Whether `word` of a post matches (by its English stem, as PostgreSQL's english
        configuration reads it, or as typed; a hyphenated word by any part)."""
        word = word.lower()
        parts = (word, *word.split("-")) if "-" in word else (word,)
        lexemes = self.lexemes
        return any(
            part not in ENGLISH_STOP_WORDS
            and (part in lexemes or _STEMMER.stemWord(part) in lexemes)
            for part in parts
        )

    def found(self, text: str):
        """The matching words of `text` (re.Match objects), in order."""
        if self.candidates is None:
            return
        for candidate in self.candidates.finditer(text):
            if self.match(candidate.group()):
                yield candidate


def headline(text: str, words: QueryWords) -> str:
    """A window of `text` around its first word matching `words` (its start when none does:
    a post found by its thread's title), at most SNIPPET_LENGTH characters cut between words,
    the matches marked. PostgreSQL's ts_headline did this in the statement that fetched the
    shown page: 1.1-1.3 ms of its 2 ms (it parses and stems every word of the 20 posts)."""
    first = next(words.found(text), None)
    start = 0
    if first is not None and first.start() > SNIPPET_LENGTH // 3:
        start = first.start() - SNIPPET_LENGTH // 3
        space = text.find(" ", start, first.start())
        start = space + 1 if space >= 0 else start
    end = start + SNIPPET_LENGTH
    if end < len(text):
        space = text.rfind(" ", max(start, first.end() if first else start), end)
        end = space if space > 0 else end
    window = text[start:end]
    out, at = [], 0
    for match in words.found(window):
        out += [window[at : match.start()], _START, match.group(), _STOP]
        at = match.end()
    out.append(window[at:])
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    return _highlight(prefix + "".join(out).strip() + suffix)


# What a result shows (templates/discussions/search.html), by model: rows without them were 4
# times as wide (the post's HTML, the event's every column in both languages).
# (alias in the statement below, fields) of the post, its thread, board, event and author.
SHOWN_FIELDS = [
    ("p", ["id", "number", "language", "created_at", "body_source", "thread_id", "author_id"]),
    ("t", ["id", "title", "language", "board_id"]),
    ("b", ["id", "event_id"]),
    ("e", ["id", "slug", "title_en", "title_cy"]),
    ("u", ["id", "username", "display_name", "first_name", "last_name"]),
]


@functools.cache
def _shown_fields() -> list[tuple[str, type, list[str]]]:
    """SHOWN_FIELDS with each model, its fields in the model's order (`Model.from_db` takes
    values in that order)."""
    models = {"p": Post, "t": Thread, "b": Board, "e": Event, "u": get_user_model()}
    return [
        (alias, models[alias], [f.attname for f in models[alias]._meta.concrete_fields
                                if f.attname in names])
        for alias, names in SHOWN_FIELDS
    ]  # fmt: skip


def shown_posts(ids: list[int]) -> list[Post]:
    """The posts `ids` (readable already) with what a result shows: thread, board, event and
    author. By primary key alone, not through the joins of
    Post.objects.public() (the planner walked every post of an event's threads to find a page
    of 20); written out, as the ORM built it and its five models a row it was a third of a
    result page's CPU (3 ms)."""
    shown = _shown_fields()
    columns = [f"{alias}.{name}" for alias, _model, names in shown for name in names]
    authors = next(names for alias, _model, names in shown if alias == "u")
    sql = (
        f"SELECT {', '.join(columns)} FROM discussions_post p"
        " JOIN discussions_thread t ON t.id = p.thread_id"
        " JOIN discussions_board b ON b.id = t.board_id"
        " JOIN events_event e ON e.id = b.event_id"
        # Each author looked up by id (OFFSET 0 keeps the subquery apart): joined, PostgreSQL
        # hashed every member for 20 posts (0.4 ms of 2,000; it grows with the members).
        f" LEFT JOIN LATERAL (SELECT {', '.join(authors)} FROM people_user"
        " WHERE id = p.author_id OFFSET 0) u ON true"
        " WHERE p.id = ANY($1)"
    )
    # Prepared once per connection: planning it (0.35 ms) took longer than running it (0.25).
    rows = prepared_rows("commons_search_page", sql, ["bigint[]"], [list(ids)])
    # A thread, board, event or author met again on the page is the object already made.
    db, posts, seen = connection.alias, [], {}
    for row in rows:
        at, made = 0, {}
        for alias, model, names in shown:
            values = row[at : at + len(names)]
            at += len(names)
            if values[0] is None:
                made[alias] = None
            elif (found := seen.get((alias, values[0]))) is not None:
                made[alias] = found
            else:
                made[alias] = seen[alias, values[0]] = _from_db(model, db, names, values)
        post, thread, board = made["p"], made["t"], made["b"]
        # As select_related leaves them: each row's objects cached on the one that refers to it.
        Post.thread.field.set_cached_value(post, thread)
        Post.author.field.set_cached_value(post, made["u"])
        Thread.board.field.set_cached_value(thread, board)
        Board.event.field.set_cached_value(board, made["e"])
        posts.append(post)
    return posts


def _from_db(model, db: str, names: list[str], values) -> object:
    """`model.from_db(db, names, values)`, without running Model.__init__ (its checks and
    signals for 100 objects a page were a millisecond; nothing of ours listens to pre_init or
    post_init). The fields not read stay deferred, as from_db leaves them. An event's texts
    in each language are read through django-modeltranslation's descriptors as from_db leaves
    them (its patched constructor only maps keyword names, which are not used here; 5% of a
    search's CPU under load); Event.from_db's record of the values its calendar shows is kept."""
    made = model.__new__(model)
    made.__dict__.update(zip(names, values, strict=True))
    made._state = ModelState()
    made._state.adding, made._state.db = False, db
    if model is Event:
        made._loaded_calendar_values = made._calendar_values()
    return made


class RankedResults(Sequence):
    """Post ids in rank order; slicing fetches just those posts, with their rank.

    Paginators take its length (no COUNT query) and slice one page of it. `limited`: more posts
    may match than were ranked (MAX_RANKED, the newest).
    """

    def __init__(self, ids: list[int], fetch, *, limited: bool = False):
        self.ids = ids
        self._fetch = fetch
        self.limited = limited

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            wanted = self.ids[index]
            if not wanted:  # nothing found: no query to build
                return []
            found = {post.pk: post for post in self._fetch(wanted)}
            return [found[pk] for pk in wanted if pk in found]
        return self[index : index + 1][0]


def search_posts(q: str, *, theme=None, event=None):
    """Public posts matching `q` (all when empty), optionally on one theme or event, best first
    (newest first without `q`). A QuerySet, or RankedResults on PostgreSQL.

    On PostgreSQL the newest MAX_RANKED matches are found on the search rows alone (PostSearch:
    `newest_matches`), ranked, and checked for visibility (their threads': against the kept ids
    of unreadable threads, or in the same statement); only the shown page is fetched. Ranking
    every match of a common word read every matching row (80,000 for "community" in 1,000,000
    posts: over half a second). An event narrows the posts to its readable threads' (a literal
    id list: no join to misjudge), a theme to its posts' (its PostTheme rows, newest first, and
    its word in the vectors for the GIN index), looked for the same way: an event's 27,000 posts
    were all read to find a page of its newest (over 200 ms), or every match of a common word
    among them.
    The statements are written out (`Candidates`): built through the ORM, the three to five of a
    search were 2-3 ms of its CPU.
    """
    q = q.strip()
    filtered = theme is not None or event is not None
    if not is_postgresql() or not (q or filtered):
        posts = Post.objects.public().select_related("thread__board__event", "author")
        if theme is not None:
            posts = posts.filter(thread__themes=theme)
        if event is not None:
            posts = posts.filter(thread__board__event=event)
        if q:
            in_title = Q(number=1, thread__title__icontains=q)
            posts = posts.filter(Q(body_source__icontains=q) | in_title)
        return posts.order_by("-created_at", "-pk")
    # No queryset is built on this way (their filters were 1-2 ms of a search's CPU).
    thread_ids, in_threads = None, None
    if event is not None:
        found = _filter_threads(theme=theme, event=event)
        thread_ids = [pk for pk, _replies in found]
        in_threads = sum(replies + 1 for _pk, replies in found)
        if not thread_ids:
            return RankedResults([], None)
    elif theme is not None:
        in_threads = theme_post_count(theme)
    candidates = Candidates(q, thread_ids, theme=theme if event is None else None, posts=in_threads)
    if in_threads is not None and in_threads <= FEW_POSTS:
        # Every post of a few threads read, without the GIN index: its bitmap of a common word
        # (30 ms for "community") costs more than the posts it spares.
        found = candidates.scanned(0, None, MAX_RANKED)
    else:
        found = newest_matches(candidates, MAX_RANKED)
    # Best first, then newest (by id: no date to read and parse for each of 200 rows).
    found.sort(key=lambda row: (-row[1], -row[0]))
    ranked = [pk for pk, _rank, readable in found if readable]
    ranks = {pk: rank for pk, rank, _readable in found}

    def fetch(ids):
        posts = shown_posts(ids)
        for post in posts:
            post.rank = ranks[post.pk]
        return posts

    return RankedResults(ranked, fetch, limited=len(found) == MAX_RANKED)


def _filter_threads(*, theme, event) -> list[tuple[int, int]]:
    """(id, replies) of the readable threads of an event (on a theme too, if given) that a
    search is narrowed to: the same for every search on it, so kept in the shared cache until
    a thread, post or board of the event or an event changes (discussions/signals.py)."""

    def fetch():
        threads = Thread.objects.public().filter(board__event=event)
        if theme is not None:
            threads = threads.filter(themes=theme)
        return list(threads.values_list("pk", "reply_count"))

    if not fragments.enabled():
        return fetch()
    key = f"search:threads:{theme.pk if theme is not None else ''}:{event.pk}"
    return fragments.kept_value([EVENTS_MARKER, discussions_marker(event.pk)], key, fetch)


# Kept in the shared cache under these markers: the ids of the threads `unreadable_threads`
# names.
UNREADABLE_KEY, UNREADABLE_MARKERS = "search:unreadable-threads", (EVENTS_MARKER, READABLE_MARKER)


def unreadable_threads() -> frozenset[int]:
    """The ids of the threads the public may not read (`Thread.objects.public()` leaves them
    out: hidden, or of an event no longer public), which search leaves out: a handful, the
    same for every search, kept in the shared cache until an event changes (the events marker)
    or a thread may have become readable or unreadable (READABLE_MARKER:
    discussions/signals.py)."""

    def fetch():
        public = Thread.objects.public().values("pk")
        return frozenset(Thread.objects.exclude(pk__in=public).values_list("pk", flat=True))

    return fragments.kept_value(UNREADABLE_MARKERS, UNREADABLE_KEY, fetch)


def theme_posts_key(slug: str) -> str:
    """Where `theme_post_count` keeps its count for the theme at `slug` (any text: a digest), so
    that the search page reads it in its one round trip (discussions/search_page.py)."""
    return f"search:theme-posts:{hashlib.sha256(slug.encode()).hexdigest()}"


# What a theme's count of posts moves with: a theme (its slug) and any thread, post or board.
THEME_POSTS_MARKERS = (EVENTS_MARKER, ANY_BOARD_MARKER)


def theme_post_count(theme) -> int:
    """How many posts a theme's threads hold (hidden ones too): whether a search on the theme
    reads them all (FEW_POSTS) or looks through the newest posts. Kept in the shared cache as
    long as no theme, thread, post or board changes (discussions/signals.py), by the theme's
    slug, which the search page's address names."""

    def fetch():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COALESCE(sum(t.reply_count + 1), 0) FROM discussions_thread t"
                f" WHERE t.id IN ({_THEME_THREADS})",
                {"theme": theme.pk},
            )
            return cursor.fetchone()[0]

    if not fragments.enabled():
        return fetch()
    return fragments.kept_value(THEME_POSTS_MARKERS, theme_posts_key(theme.slug), fetch)


# The query as the posts' vectors were written: English stems and the words as typed (Welsh).
_QUERY = (
    "(websearch_to_tsquery('english'::regconfig, %(q)s)"
    " || websearch_to_tsquery('simple'::regconfig, %(q)s))"
)
# The threads on a theme, as a subquery (`theme_post_count`).
_THEME_THREADS = (
    f"SELECT tt.thread_id FROM {Thread.themes.through._meta.db_table} tt"
    " WHERE tt.theme_id = %(theme)s"
)
# What `Thread.objects.public()` asks of a post's thread (`Post.objects.public()`), asked per
# candidate (a few index lookups for each of at most MAX_RANKED rows) when no shared cache keeps
# the unreadable threads (`unreadable_threads`): a separate query over the candidates' threads
# hashed every board (1.5 ms). Planning it was 0.3 ms of each statement's 0.35.
_READABLE = (
    "COALESCE((SELECT NOT t.hidden AND e.status = ANY(%(public)s) FROM discussions_thread t"
    " JOIN discussions_board b ON b.id = t.board_id JOIN events_event e ON e.id = b.event_id"
    " WHERE t.id = p.thread_id), false)"
)


# The shown posts' words (discussions.models.PostSearch), as the candidate statements read them.
_SEARCH_TABLE, _POST_THEMES = PostSearch._meta.db_table, PostTheme._meta.db_table
# A post's words checked as it is read (a scan), not through the GIN index.
_SCANNED_WORDS = f"COALESCE(p.search_vector, ''::tsvector) @@ {_QUERY}"


class Candidates:
    """The statements that look for the newest posts matching `q` (all shown posts when empty),
    among the posts of `thread_ids` (readable threads), of the threads on `theme`, or of every
    thread. Each answers (id, rank, readable) rows, newest first."""

    def __init__(self, q: str, thread_ids: list[int] | None, *, theme=None, posts=None):
        # How many posts the filter keeps (None: every post).
        self.posts = posts
        self.params = {
            "q": q,
            "threads": thread_ids,
            "theme": theme.pk if theme is not None else None,
            "public": list(Event.PUBLIC_STATUSES),
        }
        self.q = q
        self.thread_ids = thread_ids
        # PostSearch holds the shown posts alone: no hidden or withdrawn one is read.
        where = []
        if thread_ids is not None:
            where.append("p.thread_id = ANY(%(threads)s)")
        # A theme's posts are read newest first through their own index (`walks`): the posts
        # of a window of ids, read to keep the theme's tenth, cost ten times as much. Through
        # the GIN index (`indexed`), the theme's word is asked with the words.
        self.walks = theme is not None
        self.where = where
        if self.walks:
            self.params["theme_word"] = theme_word(theme.pk)
        rank = f"ts_rank(p.search_vector, {_QUERY})" if q else "0.0"
        # The threads given were the readable ones; else each candidate's thread is checked
        # against the kept unreadable ones (`_readable`), or in the statement.
        self.unreadable = None
        if thread_ids is not None:
            readable = "true"
        elif fragments.enabled():
            readable, self.unreadable = "p.thread_id", unreadable_threads()
        else:
            readable = _READABLE
        self.columns = f"SELECT p.post_id, {rank}, {readable}"
        self.top = None

    def part(self, top: int) -> float:
        """The share of the posts up to id `top` that the filter keeps (1: no filter)."""
        return min(1.0, max(self.posts, 1) / max(top, 1)) if self.posts is not None else 1.0

    def walked_part(self, top: int) -> float:
        """The share of the posts a walk reads (`walks`: a theme's); 1 when nothing is walked."""
        return self.part(top) if self.walks else 1.0

    def _source(self, *, walk: bool) -> tuple[str, list[str], str]:
        """(FROM clause, conditions, the column the windows of ids are taken on)."""
        if walk and self.walks:
            source = f"{_POST_THEMES} pt JOIN {_SEARCH_TABLE} p ON p.post_id = pt.post_id"
            return source, [*self.where, "pt.theme_id = %(theme)s"], "pt.post_id"
        return f"{_SEARCH_TABLE} p", self.where, "p.post_id"

    def _statement(self, low: int, high: int | None, *, walk: bool, words: str) -> str:
        """The candidates with ids in (low, high] (or above low); `words`: how the words are
        checked. Ordered by an expression, not the id index: walking the index until enough
        matches are found costs what the word's frequency says, and PostgreSQL guesses that
        from statistics (5 times too high for "housing": 91,000 rows read to find 175)."""
        source, where, ids = self._source(walk=walk)
        where = [*where, f"{ids} > %(low)s"] + ([] if high is None else [f"{ids} <= %(high)s"])
        if self.q:
            where.append(words)
        return (
            f"{self.columns} FROM {source} WHERE {' AND '.join(where)}"
            " ORDER BY p.post_id * -1 LIMIT %(limit)s"
        )

    def _rows(self, sql: str, low: int, high: int | None, limit: int) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, {**self.params, "low": low, "high": high, "limit": limit})
            return self._readable(cursor.fetchall())

    def _readable(self, rows) -> list[tuple]:
        """(id, rank, readable) rows from the statements' (id, rank, readable or thread id)."""
        unreadable = self.unreadable
        if unreadable is None:
            return [tuple(row) for row in rows]
        return [(pk, rank, thread not in unreadable) for pk, rank, thread in rows]

    def scanned(self, low: int, high: int | None, limit: int) -> list[tuple]:
        """The newest `limit` with ids in (low, high] (or above low), each post read and checked
        without the GIN index (whose bitmap of a common word costs more than the posts it
        spares)."""
        sql = self._statement(low, high, walk=True, words=_SCANNED_WORDS)
        return self._rows(sql, low, high, limit)

    def indexed(self, low: int, high: int, limit: int) -> list[tuple]:
        """The newest `limit` with ids in (low, high], through the GIN index (with the ids'
        index for a window); on a theme, the words and the theme's word together (only the
        theme's matches are fetched)."""
        words = f"p.search_vector @@ {_QUERY}"
        if self.walks:
            # Two conditions, one GIN scan: `&&` would turn a query without words ("?!":
            # nothing found) into the theme's word alone (every post on it).
            words += " AND p.search_vector @@ %(theme_word)s::tsquery"
        sql = self._statement(low, high, walk=False, words=words)
        return self._rows(sql, low, high, limit)

    def newest(self, sample: int, limit: int) -> tuple[int, int, list[tuple]]:
        """(the newest post's id, the lowest id read, the newest `limit` among the newest
        `sample` or more of the filter's posts): those above a recent reading of the newest id
        (`_recent_top`), less `sample` (less as many ids as hold `sample` of a theme's posts)."""
        recent = _recent_top()
        low = max(0, recent - int(sample / self.walked_part(recent)))
        statement = self._statement(low, None, walk=True, words=_SCANNED_WORDS)
        sql = f"SELECT max(id), NULL, NULL FROM discussions_post UNION ALL ({statement})"
        with connection.cursor() as cursor:
            cursor.execute(sql, {**self.params, "low": low, "high": None, "limit": limit})
            rows = cursor.fetchall()
        # The top's row is the one without a `readable` or thread (every candidate has one).
        top = next(pk for pk, _rank, readable in rows if readable is None) or 0
        _top.update(id=top, at=time.monotonic())
        return top, low, self._readable(row for row in rows if row[2] is not None)


# When the newest posts held no match, the next window holds this many times as many posts.
WIDENING = 10

# The newest post's id as the last search in this process read it. The newest posts are read
# from a number (given as a parameter known only when the statement runs, PostgreSQL planned
# for a third of the table: it read all 1,000,000 posts for a word it thought rare); posts
# written since are read too. Asked again after TOP_SECONDS without a search.
_top = {"id": 0, "at": -1e9}
TOP_SECONDS = 60


def _recent_top() -> int:
    if time.monotonic() - _top["at"] > TOP_SECONDS:
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(id) FROM discussions_post")
            _top.update(id=cursor.fetchone()[0] or 0, at=time.monotonic())
    return _top["id"]


def newest_matches(candidates: Candidates, limit: int) -> list[tuple]:
    """(id, rank, readable) of the `limit` newest `candidates`, newest first (by id: the order
    posts are written in).

    How many posts match is not asked of PostgreSQL's statistics, which misjudge phrases and
    uncommon words (an estimate of 1 for "co-production", found 5,098 times) and then read
    every match, or walk the newest posts far back to find a few. The newest SAMPLE_POSTS are
    read in full instead (without the GIN index: a bounded read whatever the word); if they
    did not hold `limit` matches, their share of matches tells how far back the missing ones
    are and sizes the next step, taken the cheapest of three ways (`_next_step`), and so on.
    When they held none, a window WIDENING times as large is looked through first.
    """
    top, low, found = candidates.newest(SAMPLE_POSTS, limit)
    walked_part = candidates.walked_part(top)
    read, widened = max(1, top - low), False
    while len(found) < limit and low > 0:
        high, missing = low, limit - len(found)
        if not found and not widened and candidates.q:
            widened = True
            if candidates.thread_ids is not None:
                # None in an event's newest posts: the GIN index at once, its matches checked
                # against the event's threads. A window WIDENING times as large would span ten
                # times the event's share of the ids (363,000 for the largest event: as costly
                # as fetching the word's matches) and, when it held none, the word's GIN
                # entries were read a second time ("time credits": 4.8 ms each).
                way, low = "index", 0
            else:
                # None in the newest posts (a Welsh word, when they are a few English threads):
                # a window WIDENING times as large, of the filter's posts (a theme's were read
                # through its own index: as many ids as held them were read already), before
                # reading every match of the word. All of "cymuned"'s 29,000 were fetched (230
                # ms) to keep 200.
                way, low = "window", max(0, high - WIDENING * read)
        else:
            share = len(found) / read
            way, low = _next_step(
                high=high, top=top, missing=missing, share=share, part=walked_part
            )
        if way == "scan" or not candidates.q:
            found += candidates.scanned(low, high, missing)
        else:  # "window" (the GIN index and the ids' index together) or "index" (low is 0)
            found += candidates.indexed(low, high, missing)
        read += high - low
    return found


# What each way of looking further back costs, in µs a row, measured on the bench archive
# (1,000,000 posts held in memory): reading a post and checking its words (a scan of ids),
# putting an entry of the GIN index in a bitmap (one per post holding the words, however old:
# "budget", in 78,000 posts, took 30 ms), putting an id of a window in a bitmap, and fetching
# a post the bitmaps chose. A scan was 2.3 µs a row on an archive never vacuumed (each row's
# visibility looked up); vacuumed, as a live database is, 0.3-0.45 (the newest 1,000 posts;
# a window of 49,000 ids), up to 0.9 read from the system's cache: "time credits" then scans
# the few thousand ids left after a window, rather than reading its GIN entries again (5 ms).
SCAN_ROW_US, GIN_ENTRY_US, WINDOW_ID_US, FETCH_ROW_US = 0.6, 0.4, 0.1, 6.0
# A theme's posts read through its own index (PostTheme), each fetched by its id: "economy" in
# a theme's newest 10,759 posts took 33 ms.
WALK_ROW_US = 3.1


def _next_step(
    *, high: int, top: int, missing: int, share: float, part: float = 1.0
) -> tuple[str, int]:
    """The cheapest way to find the `missing` newest matches below id `high` (of `top`), when a
    `share` of the ids read so far held a match, and the lowest id it reads:

    "scan": the window of ids expected to hold half as many again as are missing, every post
    read (a common word: no GIN bitmap of its tens of thousands of posts); "window": the same
    ids ANDed with the GIN index's bitmap, only the matches fetched (a word in a few percent
    of the posts); "index": the GIN index alone for everything older (a rare word).

    `part`: the share of the posts a theme keeps, read through its own index (a scan reads
    only those; the GIN index holds the word's matches on every theme, all fetched).
    """
    if share == 0:
        return "index", 0
    costs, window = _step_costs(high=high, top=top, missing=missing, share=share, part=part)
    way = min(costs, key=costs.get)
    return way, 0 if way == "index" else high - window


def _step_costs(
    *, high: int, top: int, missing: int, share: float, part: float = 1.0
) -> tuple[dict, int]:
    """({way: µs expected}, the window's size in ids) for `_next_step`."""
    window = min(high, int(1.5 * missing / share))
    # Matches of the word expected (on any theme, when a theme's are walked): the GIN index
    # reads them, or the theme's entries if fewer (its word ANDed in); only the theme's
    # matches are fetched (`share` is of them).
    everywhere, left = share * top / part, share * high
    gin = min(everywhere, part * top) * GIN_ENTRY_US
    scan = window * SCAN_ROW_US if part == 1.0 else window * part * WALK_ROW_US
    costs = {
        "scan": scan,
        "window": gin + window * WINDOW_ID_US + 1.5 * missing * FETCH_ROW_US,
        "index": gin + left * FETCH_ROW_US,
    }
    return costs, window


def with_snippets(posts: Iterable[Post], q: str) -> list[Post]:
    """Attach a highlighted `snippet` to each post of a (paginated) result page: its words
    matching the query's stems on PostgreSQL (`headline`), the query as typed on SQLite (which
    found it so)."""
    posts = list(posts)
    if is_postgresql() and posts:
        words = QueryWords(q)
        for post in posts:
            post.snippet = headline(post.body_source, words)
        return posts
    for post in posts:
        post.snippet = _plain_snippet(post.body_source, q.strip())
    return posts
