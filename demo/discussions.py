"""Demo discussions on the Policy Cafe board, and synthetic threads for benchmarks.

`load()` is idempotent: threads are keyed by (board, slug), users by email. The seed threads
follow the themes raised at the Policy Cafe re-launch; `scale` adds synthetic threads and posts
in bulk (`generate`, also used by bench/bench_discussions.py).
"""

import functools
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from discussions.models import Board, Post, Subscription, Thread, sync_post_themes
from discussions.rendering import render_markdown
from discussions.search import update_search_vectors
from events.models import Event, Theme
from people.models import User

BATCH = 2000
POLICY_CAFE_SLUG = "policy-cafe-re-launch"
SYNTHETIC_PREFIX = "syn-"

DEMO_USERS = {
    # email: display name (no password: these accounts only appear as authors)
    "rhian.demo@example.org": "Rhian Evans",
    "gareth.demo@example.org": "Gareth Price",
    "amira.demo@example.org": "Amira Khan",
    "huw.demo@example.org": "Huw Morgan",
    "lowri.demo@example.org": "Lowri Jenkins",
}
# Accounts the events demo creates; used when present.
EVENTS_DEMO_USERS = ["sophie@example.org", "attendee@example.org"]

# (theme slug or None, title, opening post, [(author index, body, reply-to index or None)],
#  optionally the language written in: "cy" for a thread in Welsh; English otherwise)
# Author index 0 is the organiser (Sophie, when the events demo made her account).
SEED_THREADS = [
    (
        None,
        "Welcome: carry on the conversation here",
        "Thank you to everyone who came to the re-launch, and to Ruth, Becky and Chris.\n\n"
        "This board is for picking up what we ran out of time for. There is a thread for each of "
        "the themes that came up in the room; start a new one if yours is missing. Be kind, be "
        "curious, and say where you are coming from.",
        [],
    ),
    (
        "co-production-or-reinventing-the-wheel",
        "Co-production: the way we always did things, or something new?",
        "Someone at my table said co-production is just **good practice with a new badge**. "
        "Others felt the badge matters because it gives permission to work differently.\n\n"
        "Which is it in your experience?",
        [
            (
                2,
                "Bit of both. The practice is old, but naming it lets us ask for it in "
                "commissioning documents, and that *is* new.",
                None,
            ),
            (
                3,
                "I worry that every consultation now calls itself co-production. If the "
                "decision is already made, it isn't.",
                1,
            ),
            (
                1,
                "> If the decision is already made, it isn't.\n\nThis. A simple test: could the "
                "people involved have changed the outcome?",
                2,
            ),
        ],
    ),
    (
        "co-production-as-neo-liberal-dogma",
        "Is co-production neo-liberal dogma in disguise?",
        "The provocative question from the floor: does asking citizens to co-produce services "
        "quietly shift the state's responsibilities onto unpaid people?",
        [
            (
                4,
                "It can, when it arrives alongside cuts. The same words mean different things "
                "with and without resources behind them.",
                None,
            ),
            (
                2,
                "Time Credits were interesting here: they recognise the contribution without "
                "pretending it replaces paid services.",
                None,
            ),
        ],
    ),
    (
        "how-citizens-can-wrest-power-from-governments",
        "How citizens can wrest power from governments",
        "Mark asked what it would take for power to *move*, not just for people to be "
        "consulted. Examples welcome, from Wales or anywhere.",
        [
            (
                3,
                "Participatory budgeting in a few Welsh councils: small sums, but real decisions.",
                None,
            ),
            (5, "Citizen juries with a duty to respond publicly to their recommendations.", None),
            (0, "Both good. Shall we bring these to the next Policy Cafe as case studies?", 1),
        ],
    ),
    (
        "risk-averse-cultures",
        "Risk-averse cultures: what helps organisations share control?",
        "Several practitioners said the barrier is less money than fear: of audit, of blame, of "
        "the unfamiliar. What has helped where you work?",
        [
            (1, "Senior people taking the first risk visibly, and saying so.", None),
            (4, "Smaller pilots with an explicit permission to fail.", None),
        ],
    ),
    (
        "core-economy-over-money-economy",
        "Reasserting the core economy over the money economy",
        "Becky's talk on Time Credits made the case for valuing the time, care and skills people "
        "give each other. How do we make that visible in policy?",
        [
            (
                5,
                "Count it. What gets measured gets noticed, even if the measures are imperfect.",
                None,
            ),
            (2, "Careful: measuring care can turn it into a transaction.", 0),
        ],
    ),
    (
        "co-production-or-reinventing-the-wheel",
        "Cyd-gynhyrchu yn Gymraeg: beth sy'n wahanol?",
        "Yn y caffi roedd sawl un yn dweud ei bod hi'n haws rhannu profiad yn eich iaith eich hun. "
        "Oes gan rywun enghreifftiau o gyd-gynhyrchu sy'n digwydd drwy gyfrwng y Gymraeg?",
        [
            (
                2,
                "Yn ein grŵp cymunedol ni, mae'r sgyrsiau gorau'n digwydd yn Gymraeg, ond mae'r "
                "papurau i gyd yn Saesneg. Dyna'r bwlch.",
                None,
            ),
            (1, "Cytuno'n llwyr. Mae cyfieithu ar y pryd yn help, ond nid yw'n ddigon.", 1),
        ],
        "cy",
    ),
]

SYNTHETIC_SENTENCES = [
    "Co-production asks services to share power with the people who use them.",
    "In our valley the community centre runs a time bank with over two hundred members.",
    "Risk-averse cultures make it hard for practitioners to try anything new.",
    "The core economy of care and volunteering keeps the money economy afloat.",
    "Citizens can wrest power from governments when they organise together.",
    "Commissioning should reward relationship-centred outcomes, not activity counts.",
    "Participatory budgeting gave residents a real say over local spending.",
    "Is this genuinely new, or are we reinventing the wheel with new vocabulary?",
    "Carers told us that flexible support mattered more than any single service.",
    "We need evidence that convinces auditors as well as communities.",
    "Welsh language services must be co-produced with Welsh speakers.",
    "Young people should be at the table from the start, not consulted at the end.",
    "Social prescribing works best when the community assets already exist.",
    "A citizen jury reached a recommendation the council had not expected.",
    "Peer support for mental health grew out of people meeting in a library.",
    "Rural transport is the hidden barrier to participation in half of Wales.",
]


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def policy_cafe_event() -> Event | None:
    """The Policy Cafe re-launch from demo.events, or else the earliest past Policy Cafe."""
    public = Event.objects.public()
    return (
        public.filter(slug=POLICY_CAFE_SLUG).first()
        or public.filter(series__name="Policy Cafe").past().order_by("starts_at").first()
    )


def _demo_users() -> list[User]:
    users = list(User.objects.filter(email__in=EVENTS_DEMO_USERS).order_by("email"))
    users.sort(key=lambda u: EVENTS_DEMO_USERS.index(u.email))
    for email, name in DEMO_USERS.items():
        user, created = User.objects.get_or_create(
            email=email, defaults={"username": email.split("@")[0], "display_name": name}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users.append(user)
    return users


def _seed_thread(board, spec, users, start, *, pinned=False):
    theme_slug, title, opening, replies, *rest = spec
    language = rest[0] if rest else "en"
    thread = Thread(board=board, title=title, author=users[0], pinned=pinned, language=language)
    thread.save()  # sets the slug
    if theme_slug:
        thread.themes.set(Theme.objects.filter(slug=theme_slug))
    posts = [
        Post(
            thread=thread,
            number=1,
            author=users[0],
            body_source=opening,
            created_at=start,
            language=language,
        )
    ]
    for n, (author_index, body, reply_index) in enumerate(replies, start=2):
        posts.append(
            Post(
                thread=thread,
                number=n,
                author=users[author_index % len(users)],
                body_source=body,
                created_at=start + timedelta(hours=3 * n),
                reply_to=posts[reply_index] if reply_index is not None else None,
                language=language,
            )
        )
    for post in posts:
        post.body_html = render_markdown(post.body_source)
        post.save()
    last = posts[-1]
    Thread.objects.filter(pk=thread.pk).update(
        created_at=start,
        reply_count=len(posts) - 1,
        last_post=last,
        last_poster=last.author,
        last_activity_at=last.created_at,
    )
    Subscription.objects.bulk_create(
        [Subscription(user=u, thread=thread) for u in {p.author for p in posts}],
        ignore_conflicts=True,
    )
    return thread


@transaction.atomic
def load_seed(*, stdout=None) -> int:
    """The Policy Cafe board's threads on its themes (skipped when the event is missing)."""
    event = policy_cafe_event()
    if event is None:
        _say(stdout, "Discussions demo skipped: no Policy Cafe event (load the events demo first).")
        return 0
    board = Board.objects.for_event(event)
    users = _demo_users()
    existing = set(Thread.objects.filter(board=board).values_list("title", flat=True))
    start = event.ends_at + timedelta(hours=2)
    created = []
    for index, spec in enumerate(SEED_THREADS):
        if spec[1] in existing:
            continue
        when = start + timedelta(days=index)
        created.append(_seed_thread(board, spec, users, when, pinned=index == 0))
    update_search_vectors(thread_ids=[t.pk for t in created])
    _say(stdout, f"Discussions demo: {len(created)} new threads on the board of {event.title}.")
    return len(created)


# --- synthetic data -------------------------------------------------------------------------------


SYNTHETIC_TOWNS = [
    "Aberystwyth", "Bangor", "Brecon", "Bridgend", "Caernarfon", "Cardiff", "Cardigan",
    "Carmarthen", "Chepstow", "Conwy", "Dolgellau", "Ebbw Vale", "Haverfordwest", "Holyhead",
    "Llandrindod Wells", "Llandudno", "Llanelli", "Machynlleth", "Merthyr Tydfil", "Monmouth",
    "Neath", "Newport", "Newtown", "Pembroke", "Pontypridd", "Porthmadog", "Rhyl", "Ruthin",
    "Swansea", "Wrexham",
]  # fmt: skip
SYNTHETIC_TOPICS = [
    "allotments", "befriending", "choir", "credit union", "dementia cafe", "food bank",
    "housing co-operative", "library friends", "men's shed", "parent carers", "repair cafe",
    "community transport", "tenants' association", "time bank", "walking group",
    "youth forum", "community energy", "digital skills", "refugee welcome", "veterans' breakfast",
]  # fmt: skip


@functools.cache
def _bodies(seed: int, count: int) -> list[tuple[str, str]]:
    """`count` distinct (source, html) bodies, each rendered once per process: common sentences
    about co-production, plus a specific one (a town and a local group) so searches vary."""
    rng = random.Random(seed)
    bodies = []
    for i in range(count):
        sentences = rng.sample(SYNTHETIC_SENTENCES, k=rng.randint(2, 4))
        town, topic = rng.choice(SYNTHETIC_TOWNS), rng.choice(SYNTHETIC_TOPICS)
        sentences.insert(rng.randrange(len(sentences) + 1), f"In {town} the {topic} helped.")
        source = " ".join(sentences) + f"\n\n*Note {i}.*"
        bodies.append((source, render_markdown(source)))
    return bodies


def synthetic_users(count: int) -> list[User]:
    emails = [f"{SYNTHETIC_PREFIX}poster-{i}@example.org" for i in range(count)]
    existing = {u.email: u for u in User.objects.filter(email__in=emails)}
    missing = [
        User(
            email=email,
            username=email.split("@")[0],
            display_name=f"Synthetic poster {i}",
            password="!",  # unusable
        )
        for i, email in enumerate(emails)
        if email not in existing
    ]
    User.objects.bulk_create(missing, batch_size=BATCH)
    return list(User.objects.filter(email__in=emails).order_by("pk"))


def generate(
    board: Board,
    *,
    threads: int,
    posts_per_thread,
    users: list[User],
    themes=(),
    key: str = "thread",
    seed: int = 2026,
    distinct_bodies: int = 1000,
) -> list[Thread]:
    """Bulk-create synthetic threads on `board` (slugs `syn-<key>-<n>`; existing ones are kept).

    `posts_per_thread` is an int or a function n -> int (posts including the opening post).
    Markdown is rendered once per distinct body; rows go in with bulk_create in batches.
    """
    rng = random.Random(seed)
    bodies = _bodies(seed, distinct_bodies)
    count_for = posts_per_thread if callable(posts_per_thread) else lambda n: posts_per_thread
    slugs = [f"{SYNTHETIC_PREFIX}{key}-{n}" for n in range(threads)]
    have = set(Thread.objects.filter(board=board, slug__in=slugs).values_list("slug", flat=True))
    now = timezone.now()
    new_threads = [
        Thread(
            board=board,
            title=f"{rng.choice(SYNTHETIC_SENTENCES)[:-1]} ({key} {n})",
            slug=slug,
            author=users[n % len(users)],
            # Older than the seed threads, so those stay on top of the demo board.
            created_at=now - timedelta(days=60, hours=n),
            last_activity_at=now
            - timedelta(days=60, hours=n)
            + timedelta(seconds=30 * count_for(n)),
            reply_count=count_for(n) - 1,
            last_poster=users[(n + count_for(n) - 1) % len(users)],
        )
        for n, slug in enumerate(slugs)
        if slug not in have
    ]
    created = Thread.objects.bulk_create(new_threads, batch_size=BATCH)
    if themes:
        through = Thread.themes.through
        through.objects.bulk_create(
            [through(thread=t, theme=themes[i % len(themes)]) for i, t in enumerate(created)],
            batch_size=BATCH,
        )
    batch: list[Post] = []
    for thread in created:
        n = int(thread.slug.rsplit("-", 1)[1])
        total = count_for(n)
        start = thread.created_at
        for number in range(1, total + 1):
            source, html = bodies[rng.randrange(len(bodies))]
            batch.append(
                Post(
                    thread=thread,
                    number=number,
                    author=users[(n + number - 1) % len(users)],
                    body_source=source,
                    body_html=html,
                    created_at=start + timedelta(seconds=number * 30),
                )
            )
            if len(batch) >= BATCH:
                Post.objects.bulk_create(batch, batch_size=BATCH)
                batch = []
    Post.objects.bulk_create(batch, batch_size=BATCH)
    _link_last_posts(created)
    for i in range(0, len(created), 100):
        update_search_vectors(thread_ids=[t.pk for t in created[i : i + 100]])
        if themes:
            sync_post_themes(thread_ids=[t.pk for t in created[i : i + 100]])
    return created


def _link_last_posts(threads: list[Thread]) -> None:
    """Point each thread's last_post at its highest-numbered post (one query per batch)."""
    for i in range(0, len(threads), 500):
        ids = [t.pk for t in threads[i : i + 500]]
        last = {}
        for thread_id, post_id, created_at in (
            Post.objects.filter(thread_id__in=ids)
            .order_by("thread_id", "-number")
            .values_list("thread_id", "pk", "created_at")
        ):
            last.setdefault(thread_id, (post_id, created_at))
        updates = [Thread(pk=tid, last_post_id=pid) for tid, (pid, _at) in last.items()]
        Thread.objects.bulk_update(updates, ["last_post"], batch_size=500)


def load_synthetic(*, scale: int, stdout=None) -> None:
    """In proportion to `scale`: the Policy Cafe board gets `scale` threads of 1-10 posts and one
    thread of `20 * scale` posts; the first synthetic events' boards get a few threads each."""
    event = policy_cafe_event()
    if event is None:
        _say(stdout, "Synthetic discussions skipped: no Policy Cafe event.")
        return
    users = synthetic_users(max(10, min(scale, 200)))
    themes = list(event.themes.all())
    board = Board.objects.for_event(event)
    threads = generate(
        board, threads=scale, posts_per_thread=lambda n: n % 10 + 1, users=users, themes=themes
    )
    long = generate(board, threads=1, posts_per_thread=20 * scale, users=users, key="long")
    others = (
        Event.objects.public().filter(slug__startswith=f"{SYNTHETIC_PREFIX}event-").order_by("pk")
    )[: min(scale, 50)]
    spread = 0
    for other in others:
        spread += len(
            generate(Board.objects.for_event(other), threads=3, posts_per_thread=5, users=users)
        )
    _say(
        stdout,
        f"Synthetic discussions: {len(threads) + len(long) + spread} new threads "
        f"(one of {20 * scale} posts on {event.title}).",
    )


def load(*, scale: int = 0, stdout=None) -> None:
    """Create the demo threads (idempotent); `scale` adds threads and posts in proportion."""
    load_seed(stdout=stdout)
    if scale:
        load_synthetic(scale=scale, stdout=stdout)
