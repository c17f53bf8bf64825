from django.urls import include, path, register_converter

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

# Grouped by their first segments, as events' (a page of another app fails each group with one
# comparison).
urlpatterns = [
    path("discussions/", views.search, name="search"),
    path(
        "events/<slug:event_slug>/board/",
        include(
            [
                path("", views.board, name="board"),
                path("feed.atom", views.BoardFeed(), name="board_feed"),
                path("new/", views.thread_create, name="thread_create"),
                path(f"<{FOLLOW}:action>/", views.board_follow, name="board_follow"),
                path("close/", views.board_close, name="board_close"),
                path("reopen/", views.board_reopen, name="board_reopen"),
            ]
        ),
    ),
    path("threads/<int:pk>-<slug:slug>/", views.thread_detail, name="thread"),
    path(
        "threads/<int:pk>/",
        include(
            [
                path("", views.thread_redirect, name="thread_short"),
                path("reply/", views.reply, name="reply"),
                path(f"<{FOLLOW}:action>/", views.thread_follow, name="thread_follow"),
                path(f"<{THREAD_ACTION}:action>/", views.thread_moderate, name="thread_moderate"),
            ]
        ),
    ),
    path(
        "posts/<int:pk>/",
        include(
            [
                path("", views.post_permalink, name="post"),
                path("edit/", views.post_edit, name="post_edit"),
                path("withdraw/", views.post_withdraw, name="post_withdraw"),
                path("history/", views.post_history, name="post_history"),
                path("flag/", views.post_flag, name="post_flag"),
                path("resonates/", views.post_resonates, name="post_resonates"),
                path(f"<{POST_ACTION}:action>/", views.post_moderate, name="post_moderate"),
            ]
        ),
    ),
    path(
        f"post-images/<int:pk>/<{POST_ACTION}:action>/",
        views.post_image_moderate,
        name="post_image_moderate",
    ),
    path(
        "moderation/",
        include(
            [
                path("", views.moderation_queue, name="moderation"),
                path("flags/<int:pk>/resolve/", views.flag_resolve, name="flag_resolve"),
                path("members/<int:pk>/", views.member_posts, name="member_posts"),
                path("suspensions/<int:pk>/lift/", views.suspension_lift, name="suspension_lift"),
            ]
        ),
    ),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]

# Addresses in mail sent before /en/ and /cy/ existed: mail providers POST the one-click
# unsubscribe (RFC 8058) and do not follow redirects; feed readers poll the board feed.
unprefixed_urlpatterns = [
    path("events/<slug:event_slug>/board/feed.atom", views.BoardFeed()),
    path("unsubscribe/<str:token>/", views.unsubscribe),
]
