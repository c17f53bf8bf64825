"""A large synthetic archive on PostgreSQL: 100,000 events and 1,000,000 posts by default.

The benchmarks' data (bench/generate_large.py is its command line; load_demo's small, hand-written
demo is demo/events.py and its neighbours):

    eval "$(make -s prod-env)"
    .venv/bin/python bench/generate_large.py --events 100000 --posts 1000000

Threads get their event's themes and a tenth of them (`--welsh-share`) are written in Welsh,
so that the search bench's theme-filtered and Welsh queries find posts; on an archive generated
without that step: `--events 0 --posts 0` adds it (and VACUUM ANALYZE).

Rows go in with COPY (psycopg's `cursor.copy`), ids assigned here and sequences moved past them;
columns come from the models' metadata, so a field another branch adds with a default needs no
change here. `--truncate` empties the events and discussions tables first (benchmark databases
only: it refuses to run on SQLite and asks for --yes). Prints the time of each step.
"""

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta

from django.db import connection, models
from django.utils.text import slugify
from psycopg import sql

from events.models import ACCESS_FEATURE_NAMES, Event, EventRole, Series, Theme, Venue
from people.models import Organisation, Person, User

NOW = datetime.now(UTC)

THEMES = [
    "Co-production or reinventing the wheel?",
    "Core economy vs money economy",
    "Time Credits",
    "Participatory budgeting",
    "Citizens' assemblies",
    "Youth voice",
    "Community health",
    "Housing and homes",
    "Climate and nature",
    "Arts and wellbeing",
    "Welsh language communities",
    "Social care",
    "Digital inclusion",
    "Food justice",
    "Rural Wales",
    "Evaluation and evidence",
    "Public services design",
    "Volunteering",
    "Disability justice",
    "Lived experience",
]
PLACES = [
    "Cardiff",
    "Swansea",
    "Newport",
    "Wrexham",
    "Bangor",
    "Aberystwyth",
    "Carmarthen",
    "Merthyr Tydfil",
    "Pontypridd",
    "Llandudno",
    "Brecon",
    "Haverfordwest",
]
FORMATS = ["Policy Cafe", "Round-table", "Workshop", "Seminar", "Learning visit", "Training day"]
TOPICS = [
    "time banking in practice",
    "what co-production is not",
    "valuing unpaid care",
    "budgets citizens set",
    "evidence that counts",
    "designing with, not for",
    "power and participation",
    "the core economy in numbers",
    "young people leading change",
    "community assets",
    "health that starts at home",
    "the money economy and its limits",
]
WORDS = [
    "people",
    "community",
    "services",
    "together",
    "power",
    "time",
    "credits",
    "evidence",
    "care",
    "budgets",
    "council",
    "health",
    "listening",
    "design",
    "practice",
    "value",
    "economy",
    "local",
    "voice",
    "trust",
    "change",
    "network",
    "volunteers",
    "outcomes",
    "learning",
    "reciprocity",
    "assets",
    "equality",
    "wellbeing",
    "policy",
]


def timed(label):
    class Timer:
        def __enter__(self):
            self.started = time.perf_counter()
            return self

        def __exit__(self, *exc):
            self.seconds = time.perf_counter() - self.started
            print(f"{label:<48} {self.seconds:8.1f} s", flush=True)

    return Timer()


def next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("SELECT COALESCE(MAX(id), 0) + 1 FROM {}").format(
                sql.Identifier(model._meta.db_table)
            )
        )
        return cursor.fetchone()[0]


def reset_sequence(model) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1)) FROM "
            + connection.ops.quote_name(table),
            [table],
        )


def copyable_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def value_for(field: models.Field, row: dict):
    if field.attname in row:
        return row[field.attname]
    if field.name in row:
        return row[field.name]
    # A text kept in English and Welsh (events/translation.py): a row's "title" is the English.
    original = getattr(field, "translated_field", None)
    if original is not None and original.name in row:
        return row[original.name] if field.language == "en" else None
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return NOW
    if field.has_default():
        value = field.get_default()
        # COPY takes JSON as text (a JSONField's default is a dict or list).
        return json.dumps(value) if isinstance(field, models.JSONField) else value
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return ""
    raise ValueError(f"No value for {field.model.__name__}.{field.name}")


def copy_rows(model, rows) -> int:
    """COPY `rows` (dicts keyed by field name or attname) into `model`'s table; return the count."""
    fields = copyable_fields(model)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
    )
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([value_for(f, row) for f in fields])
            count += 1
    reset_sequence(model)
    return count


# Post text: mostly everyday words, some of a 2,000-word vocabulary, now and then a theme word,
# so that a search for two theme words matches a fraction of the posts, as on a real board.
FILLER = [
    "the",
    "and",
    "we",
    "of",
    "to",
    "in",
    "that",
    "it",
    "is",
    "was",
    "for",
    "on",
    "with",
    "as",
    "our",
    "they",
    "at",
    "be",
    "this",
    "have",
    "from",
    "or",
    "had",
    "by",
    "but",
    "what",
    "all",
    "were",
    "when",
    "there",
    "can",
    "an",
    "your",
    "which",
    "their",
    "said",
    "if",
    "do",
    "will",
    "each",
    "about",
    "how",
    "up",
    "out",
    "them",
    "then",
    "she",
    "many",
    "some",
    "so",
    "these",
    "would",
    "other",
    "into",
    "has",
    "more",
    "her",
    "two",
    "like",
    "him",
]
_SYLLABLES = ["ca", "ri", "lo", "ne", "ta", "mo", "ser", "vin", "dal", "pen", "gor", "wy", "llan"]


def vocabulary(rng: random.Random, size: int = 2000) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def post_paragraph(rng: random.Random, vocab: list[str]) -> str:
    out = []
    for _ in range(rng.randint(20, 60)):
        roll = rng.random()
        out.append(
            rng.choice(WORDS)
            if roll < 0.03
            else rng.choice(vocab)
            if roll < 0.4
            else rng.choice(FILLER)
        )
    return " ".join(out).capitalize() + "."


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(6, 14)) for _ in range(rng.randint(2, 5)))


# --- reference data --------------------------------------------------------------------------


def ensure_reference_data(rng: random.Random) -> dict:
    themes = [Theme.objects.get_or_create(name=name)[0] for name in THEMES]
    series = [Series.objects.get_or_create(name=name)[0] for name in FORMATS]
    if Venue.objects.count() < 200:
        Venue.objects.bulk_create(
            Venue(
                name=f"{rng.choice(['Hub', 'Library', 'Centre', 'Hall', 'Chapel'])} {i}, {place}",
                slug=f"bench-venue-{i}",
                address=f"{i} High Street\n{place}",
                postcode=f"CF{i % 90 + 10} {i % 9}AB",
                step_free_access=rng.random() < 0.7,
                hearing_loop=rng.random() < 0.3,
            )
            for i, place in ((i, rng.choice(PLACES)) for i in range(200))
        )
    if Organisation.objects.count() < 300:
        Organisation.objects.bulk_create(
            Organisation(name=f"Organisation {i}", slug=f"bench-org-{i}") for i in range(300)
        )
    if Person.objects.count() < 3000:
        Person.objects.bulk_create(
            Person(name=f"Person {i}", slug=f"bench-person-{i}", headline="Practitioner")
            for i in range(3000)
        )
    return {
        "themes": [t.pk for t in themes],
        "series": [s.pk for s in series],
        "venues": list(Venue.objects.values_list("pk", flat=True)),
        "organisations": list(Organisation.objects.values_list("pk", flat=True)),
        "people": list(Person.objects.values_list("pk", flat=True)),
    }


# --- events ------------------------------------------------------------------------------------


def generate_events(count: int, rng: random.Random) -> list[int]:
    """`count` events: an archive of ten years, and the next 120 days at the same rate (~3%)."""
    with timed("reference data (themes, venues, people)"):
        ref = ensure_reference_data(rng)
    first = next_id(Event)
    ids = list(range(first, first + count))
    span_past, span_future = 10 * 365 * 24, 120 * 24  # hours
    statuses = [Event.Status.PUBLISHED] * 90 + [Event.Status.DRAFT] * 4
    statuses += [Event.Status.CANCELLED] * 4 + [Event.Status.POSTPONED] * 2
    kinds = Event.Kind.values

    # Ids follow time, as they do on a real site (events are created shortly before they happen),
    # so the table's physical order is roughly chronological.
    hours = sorted(rng.randint(-span_past, span_future) for _ in ids)

    def event_rows():
        for event_id, hour in zip(ids, hours, strict=True):
            starts = (NOW + timedelta(hours=hour)).replace(minute=rng.choice([0, 30]), second=0)
            starts = starts.replace(microsecond=0)
            mode = rng.choice(Event.Mode.values)
            status = rng.choice(statuses)
            title = f"{rng.choice(FORMATS)}: {rng.choice(TOPICS)} in {rng.choice(PLACES)}"
            row = {
                "id": event_id,
                "title": title,
                "slug": f"{slugify(title)[:200]}-{event_id}",
                "kind": rng.choice(kinds),
                "summary": sentence(rng, 12),
                "description": "\n\n".join(paragraph(rng) for _ in range(rng.randint(1, 4))),
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=rng.choice([1, 2, 3, 6])),
                "mode": mode,
                "venue_id": rng.choice(ref["venues"]) if mode != Event.Mode.ONLINE else None,
                "online_url": "https://meet.example.org/commons" if mode != "in_person" else "",
                "status": status,
                "capacity": rng.choice([None, 20, 30, 50, 100]),
                "series_id": rng.choice(ref["series"]) if rng.random() < 0.4 else None,
                "sequence": 0,
                "created_at": starts - timedelta(days=30),
                "updated_at": starts - timedelta(days=30),
                "published_at": None if status == Event.Status.DRAFT else starts - timedelta(30),
            }
            for name in ACCESS_FEATURE_NAMES:
                row[name] = rng.random() < 0.2
            yield row

    with timed(f"events ({count:,})"):
        copy_rows(Event, event_rows())

    def theme_rows(next_pk):
        for event_id in ids:
            for theme_id in rng.sample(ref["themes"], rng.randint(1, 3)):
                yield {"id": next_pk, "event_id": event_id, "theme_id": theme_id}
                next_pk += 1

    def host_rows(next_pk):
        for event_id in ids:
            for org_id in rng.sample(ref["organisations"], rng.randint(1, 2)):
                yield {"id": next_pk, "event_id": event_id, "organisation_id": org_id}
                next_pk += 1

    def role_rows(next_pk):
        roles = EventRole.Role.values
        for event_id in ids:
            for order, person_id in enumerate(rng.sample(ref["people"], rng.randint(2, 4))):
                role = EventRole.Role.ORGANISER if order == 0 else rng.choice(roles)
                yield {
                    "id": next_pk,
                    "event_id": event_id,
                    "person_id": person_id,
                    "role": role,
                    "order": order,
                }
                next_pk += 1

    with timed("event themes, hosts and roles"):
        # Ids are read before each COPY starts: no other query may run on a copying connection.
        copy_rows(Event.themes.through, theme_rows(next_id(Event.themes.through)))
        copy_rows(Event.hosts.through, host_rows(next_id(Event.hosts.through)))
        copy_rows(EventRole, role_rows(next_id(EventRole)))
    return ids


def truncate() -> None:
    from django.apps import apps

    tables = [
        m._meta.db_table
        for label in ("events", "discussions")
        for m in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE "
            + ", ".join(connection.ops.quote_name(t) for t in tables)
            + " RESTART IDENTITY CASCADE"
        )


def ensure_users(count: int) -> list[int]:
    existing = list(User.objects.filter(username__startswith="bench-").values_list("pk", flat=True))
    if len(existing) >= count:
        return existing[:count]
    User.objects.bulk_create(
        User(
            username=f"bench-{i}",
            email=f"bench-{i}@example.org",
            display_name=f"Member {i}",
            password="!",  # unusable: these accounts cannot sign in
        )
        for i in range(len(existing), count)
    )
    return list(User.objects.filter(username__startswith="bench-").values_list("pk", flat=True))


POST_TEMPLATES = [
    "Thanks for a thoughtful session. {a} {b}",
    "I agree with the point about **{w}**. {a}\n\n{b}",
    "Two things we tried in our area:\n\n- {a}\n- {b}",
    "> {a}\n\nYes, and {b}",
    "Notes from our table: {a} More at <https://example.org/notes>. {b}",
]


def post_bodies(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """`count` distinct (Markdown source, rendered HTML); each body is rendered once."""
    from discussions.rendering import render_markdown

    bodies, vocab = [], vocabulary(rng)
    for i in range(count):
        source = rng.choice(POST_TEMPLATES).format(
            a=post_paragraph(rng, vocab), b=post_paragraph(rng, vocab), w=rng.choice(vocab)
        )
        source += f" ({i})"
        bodies.append((source, render_markdown(source)))
    return bodies


def temp_table(name: str, columns: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE UNLOGGED TABLE {name} ({columns})")


def copy_plain(table: str, columns: list[str], rows) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, definition) of the indexes on `table` that back no constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [table],
        )
        return cursor.fetchall()


def generate_posts(count: int, rng: random.Random, *, long_thread: int = 20_000) -> None:
    """Boards, threads and `count` posts; one thread of `long_thread` posts on a busy board.

    Posts are staged narrow (ids, numbers, an index into 500 distinct bodies), then inserted in
    one INSERT ... SELECT that joins the bodies, with the secondary indexes dropped during the
    load and rebuilt after; their search rows likewise (`search_rows`).
    """
    from django.apps import apps

    models_by_name = {m.__name__: m for m in apps.get_app_config("discussions").get_models()}
    if "Post" not in models_by_name:
        print("discussions models are not on this branch yet: no posts generated", flush=True)
        return
    from discussions.rendering import RENDERER_VERSION
    from discussions.search import CONFIG

    Board, Thread, Post = (models_by_name[n] for n in ("Board", "Thread", "Post"))

    with timed("members (2,000) and 5,000 rendered bodies"):
        users = ensure_users(2000)
        bodies = post_bodies(rng, 5000)
    events = list(
        Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__lt=NOW)
        .exclude(board__isnull=False)
        .order_by("-starts_at")
        .values_list("pk", "starts_at")[:8000]
    )
    if not events:
        print("no past published events without a board: generate events first", flush=True)
        return
    first_board = next_id(Board)
    boards = [(first_board + i, event_id, starts) for i, (event_id, starts) in enumerate(events)]
    with timed(f"boards ({len(boards):,})"):
        copy_rows(
            Board,
            ({"id": b, "event_id": e, "is_open": True, "created_at": s} for b, e, s in boards),
        )

    # Thread sizes: one long thread, the rest 1..49 posts (mean 25), summing to `count`.
    sizes = [min(long_thread, count)]
    while sum(sizes) < count:
        sizes.append(min(rng.randint(1, 49), count - sum(sizes)))
    busy_board = boards[0]
    first_thread = next_id(Thread)
    threads = []  # (id, board_id, created_at, size)
    for n, size in enumerate(sizes):
        # The busy board (the long thread's) gets 300 threads; the others about 5 each.
        board = busy_board if n < 300 else boards[rng.randrange(len(boards))]
        created = board[2] + timedelta(hours=rng.randint(2, 24 * 14))
        threads.append((first_thread + n, board[0], created, size))

    def thread_rows():
        for thread_id, board_id, created, _size in threads:
            title = f"{rng.choice(TOPICS).capitalize()}: {rng.choice(THEMES).lower()}"
            yield {
                "id": thread_id,
                "board_id": board_id,
                "title": title,
                "slug": slugify(title)[:200],
                "author_id": rng.choice(users),
                "created_at": created,
                "last_activity_at": created,
                "reply_count": 0,
            }

    with timed(f"threads ({len(threads):,})"):
        copy_rows(Thread, thread_rows())

    stage_columns = [
        "id",
        "thread_id",
        "number",
        "author_id",
        "body_idx",
        "reply_to_id",
        "created_at",
    ]
    temp_table(
        "bench_post_stage",
        "id bigint, thread_id bigint, number integer, author_id bigint, body_idx integer, "
        "reply_to_id bigint, created_at timestamptz",
    )
    temp_table("bench_body", "idx integer primary key, source text, html text, vec tsvector")
    first_post = next_id(Post)
    thread_stats = []  # (thread_id, reply_count, last_post_id, last_poster_id, last_activity_at)

    def stage_rows():
        post_id = first_post
        for thread_id, _board_id, created, size in threads:
            at, first_in_thread, author = created, post_id, None
            for number in range(1, size + 1):
                author = rng.choice(users)
                reply_to = None
                if number > 2 and rng.random() < 0.1:
                    reply_to = first_in_thread + rng.randrange(number - 1)
                yield (post_id, thread_id, number, author, rng.randrange(len(bodies)), reply_to, at)
                post_id += 1
                at += timedelta(minutes=rng.randint(1, 600))
            thread_stats.append((thread_id, size - 1, post_id - 1, author, at))

    with timed(f"posts staged ({count:,}) by COPY"):
        copy_plain(
            "bench_body",
            ["idx", "source", "html"],
            ((i, source, html) for i, (source, html) in enumerate(bodies)),
        )
        copy_plain("bench_post_stage", stage_columns, stage_rows())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE bench_body SET vec = setweight(to_tsvector(%s::regconfig, source), 'B')",
                [CONFIG],
            )

    expressions = {
        "id": "s.id",
        "thread_id": "s.thread_id",
        "number": "s.number",
        "author_id": "s.author_id",
        "body_source": "b.source",
        "body_html": "b.html",
        "renderer_version": str(int(RENDERER_VERSION)),
        "reply_to_id": "s.reply_to_id",
        "created_at": "s.created_at",
    }
    fields = copyable_fields(Post)
    select = []
    for f in fields:
        if f.column in expressions:
            select.append(expressions[f.column])
        elif f.null:
            select.append("NULL")
        elif f.has_default() and isinstance(f.get_default(), bool | int | str):
            # A column another branch added with a plain default (e.g. language): that default.
            value = f.get_default()
            literal = (
                str(value).upper()
                if isinstance(value, bool)
                else str(value)
                if isinstance(value, int)
                else "'" + value.replace("'", "''") + "'"
            )
            select.append(literal)
        elif isinstance(f, models.CharField | models.TextField):
            select.append("''")
        else:
            raise ValueError(f"generate_posts does not know how to fill Post.{f.name}")
    indexes = secondary_indexes(Post._meta.db_table)
    with timed(f"posts inserted ({count:,})"), connection.cursor() as c:
        for name, _definition in indexes:
            c.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        c.execute(
            f"INSERT INTO {Post._meta.db_table} ({', '.join(f.column for f in fields)}) "
            f"SELECT {', '.join(select)} FROM bench_post_stage s "
            "JOIN bench_body b ON b.idx = s.body_idx "
            "JOIN discussions_thread t ON t.id = s.thread_id"
        )
    with timed(f"post indexes rebuilt ({len(indexes)})"), connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
    reset_sequence(Post)
    if "PostSearch" in models_by_name:
        search_rows(models_by_name["PostSearch"], count, CONFIG)

    with timed("thread counters (reply count, last post)"):
        temp_table(
            "bench_thread_stats",
            "id bigint, reply_count integer, last_post_id bigint, last_poster_id bigint, "
            "last_activity_at timestamptz",
        )
        copy_plain(
            "bench_thread_stats",
            ["id", "reply_count", "last_post_id", "last_poster_id", "last_activity_at"],
            thread_stats,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE discussions_thread t SET reply_count = s.reply_count, "
                "last_post_id = s.last_post_id, last_poster_id = s.last_poster_id, "
                "last_activity_at = s.last_activity_at FROM bench_thread_stats s WHERE s.id = t.id"
            )
            for table in ("bench_post_stage", "bench_body", "bench_thread_stats"):
                cursor.execute(f"DROP TABLE {table}")


def search_rows(PostSearch, count: int, config: str) -> None:
    """The posts' search rows (discussions.models.PostSearch), their vectors as
    discussions.search.update_search_vectors computes them (title on the opening post weighted
    A, body B), from the staged posts and their bodies' vectors, the table's indexes dropped
    during the load and rebuilt after."""
    table = PostSearch._meta.db_table
    indexes = secondary_indexes(table)
    with timed(f"search rows ({count:,}) and their indexes"), connection.cursor() as c:
        for name, _definition in indexes:
            c.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        c.execute(
            f"INSERT INTO {table} (post_id, thread_id, search_vector) SELECT s.id, s.thread_id,"
            " CASE WHEN s.number = 1 THEN setweight(to_tsvector(%s::regconfig, t.title), 'A')"
            " || b.vec ELSE b.vec END FROM bench_post_stage s"
            " JOIN bench_body b ON b.idx = s.body_idx"
            " JOIN discussions_thread t ON t.id = s.thread_id",
            [config],
        )
        for _name, definition in indexes:
            c.execute(definition)


# --- discussion themes and Welsh posts --------------------------------------------------------

# Welsh post text: everyday Welsh words, and now and then a word of the search bench's Welsh
# queries (bench/load_run.py SEARCH_WORDS), so that Welsh searches find posts as English do.
WELSH_FILLER = [
    "a", "ac", "y", "yr", "yn", "ar", "i", "o", "mae", "roedd", "ni", "nhw", "hefyd", "ond",
    "gyda", "am", "fel", "bod", "wedi", "sy", "pan", "mwy", "pobl", "gwaith", "lleol", "heddiw",
    "gyd", "felly", "dros", "rhaid", "syniad", "grŵp", "ardal", "cwestiwn", "diolch", "da",
]  # fmt: skip
WELSH_WORDS = [
    "cydgynhyrchu", "cymuned", "tai", "lles", "gwirfoddoli", "credydau", "amser", "pwyllgor",
    "cyngor", "iechyd", "ieuenctid", "bwyd", "gofal", "arian", "economi", "cyllideb",
]  # fmt: skip
WELSH_TEMPLATES = [
    "Diolch am sesiwn dda. {a} {b}",
    "Rwy'n cytuno am **{w}**. {a}\n\n{b}",
    "Dau beth a wnaethon ni:\n\n- {a}\n- {b}",
    "> {a}\n\nIe, a {b}",
]


def welsh_paragraph(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randint(20, 60)):
        roll = rng.random()
        out.append(rng.choice(WELSH_WORDS) if roll < 0.06 else rng.choice(WELSH_FILLER))
    return " ".join(out).capitalize() + "."


def welsh_bodies(rng: random.Random, count: int) -> list[tuple[str, str]]:
    from discussions.rendering import render_markdown

    bodies = []
    for i in range(count):
        source = rng.choice(WELSH_TEMPLATES).format(
            a=welsh_paragraph(rng), b=welsh_paragraph(rng), w=rng.choice(WELSH_WORDS)
        )
        source += f" ({i})"
        bodies.append((source, render_markdown(source)))
    return bodies


def theme_and_translate_discussions(rng: random.Random, *, welsh_share: float = 0.1) -> None:
    """Threads on their event's themes; a `welsh_share` of threads written in Welsh (titles,
    posts, search vectors as discussions.search.update_search_vectors writes them), so that
    theme-filtered and Welsh searches on the bench find what they would on a real board.
    Runs on an archive already generated (`--discussion-themes-and-welsh`)."""
    from discussions.models import Post, Thread, sync_post_themes
    from discussions.search import update_search_vectors, update_theme_words

    with timed("thread themes (their event's)"), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Thread.themes.through._meta.db_table}")
        cursor.execute(
            f"INSERT INTO {Thread.themes.through._meta.db_table} (thread_id, theme_id) "
            "SELECT t.id, et.theme_id FROM discussions_thread t "
            "JOIN discussions_board b ON b.id = t.board_id "
            f"JOIN {Event.themes.through._meta.db_table} et ON et.event_id = b.event_id"
        )
    with timed("posts on their threads' themes"):
        sync_post_themes()
    with timed("theme words in their search rows"):
        update_theme_words()
    thread_ids = list(Thread.objects.values_list("pk", flat=True))
    welsh = sorted(rng.sample(thread_ids, int(len(thread_ids) * welsh_share)))
    bodies = welsh_bodies(rng, 500)
    with timed(f"Welsh threads ({len(welsh):,}) and their posts"), connection.cursor() as c:
        temp_table("bench_welsh_body", "idx integer primary key, source text, html text")
        copy_plain(
            "bench_welsh_body",
            ["idx", "source", "html"],
            ((i, source, html) for i, (source, html) in enumerate(bodies)),
        )
        c.execute(
            "UPDATE discussions_thread SET language = 'cy', "
            "title = 'Trafodaeth: ' || (%s::text[])[1 + id %% %s] WHERE id = ANY(%s)",
            [WELSH_WORDS, len(WELSH_WORDS), welsh],
        )
        c.execute(
            f"UPDATE {Post._meta.db_table} p SET language = 'cy', body_source = b.source, "
            "body_html = b.html FROM bench_welsh_body b "
            "WHERE p.thread_id = ANY(%s) AND b.idx = p.id %% 500",
            [welsh],
        )
        c.execute("DROP TABLE bench_welsh_body")
    with timed("their search vectors"):
        update_search_vectors(thread_ids=welsh)


def vacuum_analyze() -> None:
    """VACUUM ANALYZE every table, as autovacuum would in time: the statistics, the GIN index's
    pending entries, old row versions, and the visibility map (autovacuum is off on the bench
    machine: with no page marked all-visible PostgreSQL would not read the (theme, post) index
    alone, and walked the post index filtering 20 times the rows: 24 ms for a Welsh word on a
    theme, 9.5 after)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--welsh-share",
        type=float,
        default=0.1,
        help="threads (and their posts) written in Welsh; 0: none, and no thread themes",
    )
    parser.add_argument("--truncate", action="store_true", help="empty events and discussions")
    parser.add_argument("--yes", action="store_true", help="confirm --truncate")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        parser.error("generate_large needs PostgreSQL (set DATABASE_URL)")
    rng = random.Random(args.seed)
    started = time.perf_counter()
    print(f"database {connection.settings_dict['NAME']}", flush=True)
    if args.truncate:
        if not args.yes:
            parser.error("--truncate deletes every event and post: add --yes")
        with timed("truncate events and discussions"):
            truncate()
    if args.events:
        generate_events(args.events, rng)
    if args.posts:
        generate_posts(args.posts, rng)
    if args.welsh_share:  # with --events 0 --posts 0: on an archive generated before
        theme_and_translate_discussions(rng, welsh_share=args.welsh_share)
    with timed("VACUUM ANALYZE"):
        vacuum_analyze()
    print(f"{'total':<48} {time.perf_counter() - started:8.1f} s")
