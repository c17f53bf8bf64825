"""Factories for every model. They hold no surprises: a published, in-person event next month."""

from datetime import timedelta

import factory
from django.utils import timezone

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
