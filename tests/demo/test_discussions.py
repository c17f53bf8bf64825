from datetime import timedelta
from io import StringIO

from django.utils import timezone

from demo import discussions as demo
from discussions.models import Post, Thread
from tests.factories import EventFactory, SeriesFactory, ThemeFactory, UserFactory


def policy_cafe():
    themes = [ThemeFactory(slug=spec[0]) for spec in demo.SEED_THREADS if spec[0]]
    past = timezone.now() - timedelta(days=14)
    return EventFactory(
        slug="policy-cafe-re-launch",
        title="Policy Cafe re-launch",
        starts_at=past,
        ends_at=past + timedelta(hours=2),
        themes=themes,
    )


def test_demo_without_the_policy_cafe_is_skipped_with_a_message(db):
    out = StringIO()

    demo.load(stdout=out)

    assert "skipped" in out.getvalue()
    assert not Thread.objects.exists()


def test_demo_fills_the_policy_cafe_board_once(db):
    event = policy_cafe()
    UserFactory(email="sophie@example.org")

    demo.load()
    demo.load()

    threads = Thread.objects.filter(board__event=event)
    assert threads.count() == len(demo.SEED_THREADS)
    assert threads.get(pinned=True).author.email == "sophie@example.org"
    for thread in threads:
        numbers = list(thread.posts.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, thread.reply_count + 2))
        assert thread.last_post == thread.posts.order_by("number").last()
    themed = threads.get(title__startswith="Co-production: the way")
    assert [t.slug for t in themed.themes.all()] == ["co-production-or-reinventing-the-wheel"]
    assert Post.objects.filter(reply_to__isnull=False).exists()


def test_demo_finds_the_earliest_past_policy_cafe_by_series(db):
    series = SeriesFactory(name="Policy Cafe")
    now = timezone.now()
    first = EventFactory(
        series=series, starts_at=now - timedelta(days=60), ends_at=now - timedelta(days=59)
    )
    EventFactory(series=series, starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=8))

    assert demo.policy_cafe_event() == first


def test_scale_adds_threads_and_a_long_thread_in_proportion(db):
    event = policy_cafe()

    demo.load(scale=3)
    demo.load(scale=3)

    synthetic = Thread.objects.filter(board__event=event, slug__startswith="syn-")
    assert synthetic.count() == 4
    long = synthetic.get(slug="syn-long-0")
    assert (long.reply_count, long.posts.count()) == (59, 60)
    assert long.last_post.number == 60
