"""Hidden and withdrawn text is for moderators and the author only, on every page (issue 10)."""

import pytest
from django.urls import reverse

from discussions import services
from tests.factories import UserFactory
from tests.forms import submit_form

SECRET = "The text nobody else should read"


def jpeg():
    from tests.core import samples

    return samples.upload("photo.jpg", samples.jpeg_bytes(64, 48))


@pytest.fixture
def post(thread, author):
    return services.post_reply(thread=thread, author=author, body=SECRET)


def hide(post, moderator):
    services.hide_post(post=post, moderator=moderator, reason="Off topic")


def withdraw(post, moderator):
    services.withdraw_post(post=post, user=post.author)


@pytest.mark.parametrize("take_away", [hide, withdraw])
def test_flag_page_of_a_hidden_or_withdrawn_post_is_not_found_for_other_members(
    client, post, moderator, take_away
):
    take_away(post, moderator)
    url = reverse("discussions:post_flag", kwargs={"pk": post.pk})
    client.force_login(UserFactory())

    response = client.get(url)

    assert response.status_code == 404
    assert SECRET not in response.content.decode()
    assert client.post(url, {"reason": "spam"}).status_code == 404


@pytest.mark.parametrize("take_away", [hide, withdraw])
def test_moderators_and_the_author_still_read_it_on_the_flag_page(
    client, post, moderator, take_away
):
    take_away(post, moderator)
    url = reverse("discussions:post_flag", kwargs={"pk": post.pk})
    for reader in (moderator, post.author):
        client.force_login(reader)
        assert SECRET in client.get(url).content.decode()


def test_flag_page_shows_no_hidden_image_and_cannot_flag_it(client, thread, author, moderator):
    from core.uploads import inspect_upload

    post = services.post_reply(
        thread=thread, author=author, body="Pictures", images=[(inspect_upload(jpeg()), "Secret")]
    )
    image = post.images.get()
    services.hide_image(image=image, moderator=moderator)
    client.force_login(UserFactory())
    url = reverse("discussions:post_flag", kwargs={"pk": post.pk})

    page = client.get(url + f"?image={image.pk}")

    assert 'alt="Secret"' not in page.content.decode()
    submit_form(client, page, form="#flag-form", data={"reason": "spam", "image": str(image.pk)})
    assert not post.flags.filter(image=image).exists()


def test_a_hidden_thread_is_not_named_on_its_visual_page(client, moderator):
    from tests.factories import VisualFactory
    from visuals.services import discuss_visual

    visual = VisualFactory(title="Map")
    thread = discuss_visual(visual=visual, author=UserFactory(), title="Map talk", body="About")
    services.hide_thread(thread=thread, moderator=moderator)
    page = reverse("visuals:detail", kwargs={"event_slug": visual.event.slug, "pk": visual.pk})

    client.force_login(UserFactory())
    assert thread.title not in client.get(page).content.decode()
    client.force_login(moderator)
    assert thread.title in client.get(page).content.decode()
