"""Factories for every model. They hold no surprises: a published, in-person event next month."""

from datetime import timedelta

import factory
from django.utils import timezone

from discussions.models import Board, Post, Thread
from discussions.rendering import render_markdown
from discussions.search import update_search_vectors
from events.models import Event, EventRole, Series, Theme, Venue
from people.models import Affiliation, Organisation, Person, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    display_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """Members have confirmed their address (posting needs it); `verified_email=False`
        makes one who has not."""
        if create and self.email:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=self,
                email=self.email,
                defaults={"verified": extracted is not False, "primary": True},
            )

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            from django.contrib.auth.models import Group

            for name in extracted:
                self.groups.add(Group.objects.get_or_create(name=name)[0])
        if create:
            self.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    headline = "Practitioner"


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Theme {n}")


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    name = factory.Sequence(lambda n: f"Series {n}")


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Venue {n}")
    address = "Park Place\nCardiff"
    postcode = "CF10 3AT"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Event {n}")
    summary = "A conversation about co-production."
    kind = Event.Kind.CAFE
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + timedelta(hours=2))
    mode = Event.Mode.IN_PERSON
    venue = factory.SubFactory(VenueFactory)
    status = Event.Status.PUBLISHED
    published_at = factory.LazyAttribute(
        lambda e: timezone.now() if e.status != Event.Status.DRAFT else None
    )

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.add(*extracted)

    @factory.post_generation
    def hosts(self, create, extracted, **kwargs):
        if create and extracted:
            self.hosts.add(*extracted)


class EventRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventRole

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(PersonFactory)
    role = EventRole.Role.SPEAKER


# --- discussions: factories, and bulk helpers for long threads and big boards ---------------


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board

    event = factory.SubFactory(EventFactory)


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thread

    board = factory.SubFactory(BoardFactory)
    title = factory.Sequence(lambda n: f"Thread {n}")
    author = factory.SubFactory(UserFactory)
    last_poster = factory.SelfAttribute("author")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    thread = factory.SubFactory(ThreadFactory)
    number = factory.LazyAttribute(lambda p: p.thread.posts.count() + 1)
    author = factory.SubFactory(UserFactory)
    body_source = factory.Sequence(lambda n: f"Post body {n}")
    body_html = factory.LazyAttribute(lambda p: render_markdown(p.body_source))


def fill_thread(thread: Thread, count: int, *, authors, body="A reply about *co-production*."):
    """Give `thread` posts 1..count with bulk_create and set its counters (fast, for budgets)."""
    html = render_markdown(body)
    start = timezone.now() - timedelta(minutes=count)
    posts = [
        Post(
            thread=thread,
            number=n,
            author=authors[n % len(authors)],
            body_source=f"{body} {n}",
            body_html=html,
            created_at=start + timedelta(minutes=n),
        )
        for n in range(1, count + 1)
    ]
    Post.objects.bulk_create(posts, batch_size=500)
    last = Post.objects.get(thread=thread, number=count)
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=count - 1,
        last_post=last,
        last_poster=last.author,
        last_activity_at=last.created_at,
    )
    update_search_vectors(thread_ids=[thread.pk])
    thread.refresh_from_db()
    return thread


def fill_board(board: Board, count: int, *, authors, themes=()):
    """`count` threads (one opening post each) on `board`, with bulk_create."""
    now = timezone.now()
    threads = Thread.objects.bulk_create(
        [
            Thread(
                board=board,
                title=f"Bulk thread {n}",
                slug=f"bulk-thread-{n}",
                author=authors[n % len(authors)],
                last_poster=authors[(n + 1) % len(authors)],
                last_activity_at=now - timedelta(minutes=n),
                pinned=n % 50 == 0,
                reply_count=n % 7,
            )
            for n in range(count)
        ],
        batch_size=500,
    )
    html = render_markdown("Opening post")
    Post.objects.bulk_create(
        [
            Post(thread=t, number=1, author=t.author, body_source="Opening post", body_html=html)
            for t in threads
        ],
        batch_size=500,
    )
    if themes:
        through = Thread.themes.through
        through.objects.bulk_create(
            [through(thread=t, theme=theme) for t in threads for theme in themes], batch_size=500
        )
    return threads


def stored_image(*, user=None, scope="event:0", width=1200, height=800, variants=True):
    """A cleaned image upload in media storage, with its variants made (as the worker would)."""
    from core.services import store_upload
    from core.tasks import make_variants
    from core.uploads import inspect_upload
    from tests.core import samples

    clean = inspect_upload(samples.upload("drawing.jpg", samples.jpeg_bytes(width, height)))
    upload = store_upload(file=clean, user=user or UserFactory(), scope=scope)
    if variants:
        make_variants.call(upload.pk)
        upload.refresh_from_db()
    return upload


class VisualFactory(factory.django.DjangoModelFactory):
    """A published drawing with alt text and a transcript."""

    class Meta:
        model = "visuals.Visual"

    event = factory.SubFactory(EventFactory)
    upload = factory.LazyAttribute(lambda v: stored_image(scope=f"event:{v.event.pk}"))
    is_image = True
    kind = "drawing"
    title = factory.Sequence(lambda n: f"Drawing {n}")
    alt_text = "A hand-drawn map of the conversation."
    has_words = True
    transcript = "What's your policy? Listen first."
    published_at = factory.LazyFunction(timezone.now)
