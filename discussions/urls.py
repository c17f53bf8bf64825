from django.urls import path, register_converter

from discussions import views


class ChoiceConverter:
    regex = ""

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


def choices(*values):
    converter = type("Choice_" + "_".join(values), (ChoiceConverter,), {"regex": "|".join(values)})
    name = converter.__name__.lower()
    register_converter(converter, name)
    return name


FOLLOW = choices("follow", "unfollow")
THREAD_ACTION = choices(*views.THREAD_ACTIONS)
POST_ACTION = choices("hide", "restore")

app_name = "discussions"

urlpatterns = [
    path("discussions/", views.search, name="search"),
    path("events/<slug:event_slug>/board/", views.board, name="board"),
    path("events/<slug:event_slug>/board/feed.atom", views.BoardFeed(), name="board_feed"),
    path("events/<slug:event_slug>/board/new/", views.thread_create, name="thread_create"),
    path(
        f"events/<slug:event_slug>/board/<{FOLLOW}:action>/",
        views.board_follow,
        name="board_follow",
    ),
    path("events/<slug:event_slug>/board/close/", views.board_close, name="board_close"),
    path("events/<slug:event_slug>/board/reopen/", views.board_reopen, name="board_reopen"),
    path("threads/<int:pk>/", views.thread_redirect, name="thread_short"),
    path("threads/<int:pk>-<slug:slug>/", views.thread_detail, name="thread"),
    path("threads/<int:pk>/reply/", views.reply, name="reply"),
    path(f"threads/<int:pk>/<{FOLLOW}:action>/", views.thread_follow, name="thread_follow"),
    path(
        f"threads/<int:pk>/<{THREAD_ACTION}:action>/",
        views.thread_moderate,
        name="thread_moderate",
    ),
    path("posts/<int:pk>/", views.post_permalink, name="post"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/withdraw/", views.post_withdraw, name="post_withdraw"),
    path("posts/<int:pk>/history/", views.post_history, name="post_history"),
    path("posts/<int:pk>/flag/", views.post_flag, name="post_flag"),
    path("posts/<int:pk>/resonates/", views.post_resonates, name="post_resonates"),
    path(f"posts/<int:pk>/<{POST_ACTION}:action>/", views.post_moderate, name="post_moderate"),
    path(
        f"post-images/<int:pk>/<{POST_ACTION}:action>/",
        views.post_image_moderate,
        name="post_image_moderate",
    ),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/flags/<int:pk>/resolve/", views.flag_resolve, name="flag_resolve"),
    path("moderation/members/<int:pk>/", views.member_posts, name="member_posts"),
    path("moderation/suspensions/<int:pk>/lift/", views.suspension_lift, name="suspension_lift"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]

# Addresses in mail sent before /en/ and /cy/ existed: mail providers POST the one-click
# unsubscribe (RFC 8058) and do not follow redirects; feed readers poll the board feed.
unprefixed_urlpatterns = [
    path("events/<slug:event_slug>/board/feed.atom", views.BoardFeed()),
    path("unsubscribe/<str:token>/", views.unsubscribe),
]
