import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.forms import submit_form


@pytest.mark.parametrize(
    ("model", "rows"), [("board", 1), ("thread", 1), ("post", 1), ("flag", 0), ("subscription", 1)]
)
def test_admin_lists_discussion_models(client, thread, model, rows):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse(f"admin:discussions_{model}_changelist"))

    assert response.context["cl"].result_count == rows


def test_admin_hide_action_hides_through_the_service(client, thread):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    post = thread.posts.get()

    page = client.get(reverse("admin:discussions_post_changelist"))
    submit_form(
        client,
        page,
        "#changelist-form",
        data={"action": "hide_posts", "_selected_action": [post.pk]},
        button="index",
    )

    post.refresh_from_db()
    assert (post.is_hidden, post.hidden_by) == (True, admin_user)
