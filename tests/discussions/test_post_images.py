"""Images on board posts: up to 4 per post, through the upload pipeline, alt text required;
flagged and hidden one by one like posts."""

import pytest
from django.urls import reverse

from core.models import Upload
from discussions import services
from discussions.models import Flag, PostImage
from tests.core import samples
from tests.factories import UserFactory
from tests.forms import submit_form

pytestmark = pytest.mark.django_db


def jpeg(name="photo.jpg"):
    return samples.upload(name, samples.jpeg_bytes(800, 600), "image/jpeg")


def reply_page(client, thread):
    return client.get(thread.get_absolute_url())


@pytest.fixture
def member_client(client):
    member = UserFactory(display_name="Gwen")
    client.force_login(member)
    client.member = member
    return client


def test_reply_with_two_images_and_their_alt_text(
    member_client, thread, django_capture_on_commit_callbacks
):
    page = reply_page(member_client, thread)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_form(
            member_client,
            page,
            form=reverse("discussions:reply", kwargs={"pk": thread.pk}),
            data={
                "body": "The flip chart from our table.",
                "alt_1": "A flip chart with three columns of sticky notes.",
                "alt_2": "A close-up of the notes in the first column.",
            },
            files={"image_1": jpeg("chart.jpg"), "image_2": jpeg("close.jpg")},
        )

    post = thread.posts.get(number=2)
    assert response["Location"] == post.get_absolute_url()
    assert [(i.alt_text, i.order) for i in post.images.all()] == [
        ("A flip chart with three columns of sticky notes.", 0),
        ("A close-up of the notes in the first column.", 1),
    ]
    upload = post.images.first().upload
    assert (upload.uploaded_by, upload.scope) == (
        member_client.member,
        f"event:{thread.board.event_id}",
    )
    assert upload.variants  # made by the task after commit
    html = member_client.get(thread.get_absolute_url()).content.decode()
    assert 'alt="A flip chart with three columns of sticky notes."' in html
    assert 'type="image/webp"' in html


def test_image_without_alt_text_is_refused_and_nothing_is_posted(member_client, thread):
    page = reply_page(member_client, thread)
    response = submit_form(
        member_client,
        page,
        form=reverse("discussions:reply", kwargs={"pk": thread.pk}),
        data={"body": "Look at this."},
        files={"image_1": jpeg()},
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"alt_1": ["Every image needs alt text."]}
    assert (thread.posts.count(), Upload.objects.count()) == (1, 0)


@pytest.mark.parametrize(
    ("label", "file", "code"),
    [
        c
        for c in samples.bad_file_corpus()
        if c[0] in ("SVG with script", "HTML renamed .jpg", "PNG bomb")
    ]
    + [
        (
            "PDF",
            samples.upload("slides.pdf", samples.pdf_bytes(), "application/pdf"),
            "pdf_not_accepted",
        )
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_board_images_go_through_the_same_pipeline(member_client, thread, label, file, code):
    page = reply_page(member_client, thread)
    response = submit_form(
        member_client,
        page,
        form=reverse("discussions:reply", kwargs={"pk": thread.pk}),
        data={"body": "See attached.", "alt_1": "Something"},
        files={"image_1": file},
    )

    errors = response.context["form"].errors.as_data()
    assert list(errors) == ["image_1"]
    assert errors["image_1"][0].code == code
    assert (thread.posts.count(), Upload.objects.count()) == (1, 0)


def test_new_thread_with_an_image(member_client, board, django_capture_on_commit_callbacks):
    from tests.factories import ThemeFactory

    theme = ThemeFactory()
    page = member_client.get(
        reverse("discussions:thread_create", kwargs={"event_slug": board.event.slug})
    )
    with django_capture_on_commit_callbacks(execute=True):
        submit_form(
            member_client,
            page,
            form="#thread-form",
            data={
                "title": "Our drawing",
                "themes": [theme.pk],
                "body": "What we drew.",
                "alt_1": "A drawing of a bridge between two towns.",
            },
            files={"image_1": jpeg()},
        )

    image = PostImage.objects.get()
    assert (image.post.thread.title, image.post.number) == ("Our drawing", 1)


def test_at_most_four_images_per_post(thread, author):
    from core.uploads import inspect_upload

    clean = inspect_upload(jpeg())
    with pytest.raises(services.ValidationError) as refused:
        services.post_reply(thread=thread, author=author, body="Many", images=[(clean, "alt")] * 5)

    assert refused.value.code == "too_many_images"
    assert thread.posts.count() == 1


def test_flagging_an_image_and_hiding_it_keeps_the_post(
    client, thread, author, organised_board, moderator
):
    from core.uploads import inspect_upload

    post = services.post_reply(
        thread=thread,
        author=author,
        body="Two pictures.",
        images=[(inspect_upload(jpeg()), "First picture"), (inspect_upload(jpeg()), "Second")],
    )
    first, second = post.images.all()
    reader = UserFactory()
    client.force_login(reader)
    page = client.get(
        reverse("discussions:post_flag", kwargs={"pk": post.pk}) + f"?image={first.pk}"
    )
    assert 'alt="First picture"' in page.content.decode()
    submit_form(
        client,
        page,
        form="#flag-form",
        data={"reason": "privacy"},
    )

    flag = Flag.objects.get()
    assert (flag.post, flag.image, flag.reason) == (post, first, "privacy")

    client.force_login(moderator)
    queue = client.get(reverse("discussions:moderation"))
    submit_form(
        client,
        queue,
        form=reverse("discussions:flag_resolve", kwargs={"pk": flag.pk}),
        button="action=hide",
    )

    first.refresh_from_db()
    post.refresh_from_db()
    assert (first.is_hidden, post.is_hidden) == (True, False)
    client.force_login(reader)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert 'alt="First picture"' not in html
    assert 'alt="Second"' in html
    client.force_login(author)
    assert 'alt="First picture"' in client.get(thread.get_absolute_url()).content.decode()


def test_an_image_id_from_another_post_cannot_be_flagged(client, thread, author):
    from core.uploads import inspect_upload

    other = services.post_reply(
        thread=thread, author=author, body="x", images=[(inspect_upload(jpeg()), "Other")]
    )
    post = services.post_reply(thread=thread, author=author, body="y")
    client.force_login(UserFactory())
    url = reverse("discussions:post_flag", kwargs={"pk": post.pk})
    response = client.post(url, {"reason": "spam", "image": other.images.get().pk})

    assert response.status_code == 200
    assert "image" in response.context["form"].errors
    assert Flag.objects.count() == 0


@pytest.mark.parametrize("count", [1, 3, 30])
def test_thread_page_queries_do_not_grow_with_images(
    client, thread, author, count, django_assert_max_num_queries, settings
):
    from core.uploads import inspect_upload

    settings.DISCUSSIONS_POSTS_PER_MINUTE = 0

    clean = inspect_upload(jpeg())
    for n in range(count):
        services.post_reply(
            thread=thread, author=author, body=f"reply {n}", images=[(clean, "alt")]
        )

    with django_assert_max_num_queries(12):
        assert client.get(thread.get_absolute_url()).status_code == 200
