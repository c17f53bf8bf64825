"""discussions/models.py: what the thread page asks of reactions."""

import pytest
from django.contrib.auth.models import AnonymousUser

from discussions.models import Reaction
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_reaction_tally_counts_everyone_and_marks_only_the_reader():
    loved, quiet = PostFactory(), PostFactory()
    first, second, other = UserFactory(), UserFactory(), UserFactory()
    for member in (first, second):
        Reaction.objects.create(post=loved, user=member)

    ids = [loved.pk, quiet.pk]
    assert Reaction.objects.tally(ids, first) == {loved.pk: (2, True)}
    assert Reaction.objects.tally(ids, other) == {loved.pk: (2, False)}
    assert Reaction.objects.tally(ids, AnonymousUser()) == {loved.pk: (2, False)}
    assert Reaction.objects.tally([quiet.pk], first) == {}
