from django.urls import path

from record import feeds, views

app_name = "record"

# Outcome lists and feeds sit under the pages of their scope: /series/<slug>/outcomes/ ...
SCOPE_PREFIXES = {"series": "series", "theme": "themes", "organisation": "organisations"}

urlpatterns = [
    # Before: questions, priorities, dots, agenda.
    path("events/<slug:slug>/priorities/", views.priorities, name="priorities"),
    path("events/<slug:slug>/priorities/new/", views.priority_add, name="priority_add"),
    path("events/<slug:slug>/priorities/dots/", views.dots_settings, name="dots_settings"),
    path("priorities/<int:pk>/dot/add/", views.dot, {"action": "add"}, name="dot_add"),
    path("priorities/<int:pk>/dot/remove/", views.dot, {"action": "remove"}, name="dot_remove"),
    path("priorities/<int:pk>/move/", views.dot_move, name="dot_move"),
    path("priorities/<int:pk>/hide/", views.priority_hide, name="priority_hide"),
    path("priorities/<int:pk>/unhide/", views.priority_unhide, name="priority_unhide"),
    path("priorities/<int:pk>/merge/", views.priority_merge, name="priority_merge"),
    path("events/<slug:slug>/agenda/new/", views.agenda_item, name="agenda_new"),
    path("events/<slug:slug>/agenda/<int:pk>/", views.agenda_item, name="agenda_edit"),
    path(
        "events/<slug:slug>/agenda/<int:pk>/delete/",
        views.agenda_item_delete,
        name="agenda_delete",
    ),
    # After: the record.
    path("events/<slug:slug>/record/", views.event_record, name="event"),
    path("events/<slug:slug>/record/write/", views.manage, name="manage"),
    path("events/<slug:slug>/record/outcomes/new/", views.outcome_form, name="outcome_new"),
    path("events/<slug:slug>/record/outcomes/<int:pk>/", views.outcome_form, name="outcome_edit"),
    path("outcomes/<int:pk>/status/", views.outcome_status, name="outcome_status"),
    path("events/<slug:slug>/record/notes/new/", views.contribution_form, name="note_new"),
    path("events/<slug:slug>/record/ask/", views.ask_named, name="ask_named"),
    path("events/<slug:slug>/record/publish/", views.publish, name="publish"),
    path("record/credit/<str:token>/", views.credit, name="credit"),
    path("events/<slug:slug>/pulse/", views.pulse, name="pulse"),
    # Following and the member's perspective.
    *(
        path(
            f"follow/{kind}/<slug:slug>/{action}/",
            views.follow,
            {"kind": kind, "action": action},
            name=f"{action}_{kind}",
        )
        for kind in ("event", "series", "theme")
        for action in ("follow", "unfollow")
    ),
    path("record/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("me/perspective/", views.profile, name="profile"),
    # You said, we did.
    *(
        path(
            f"{prefix}/<slug:slug>/outcomes/",
            views.scope_outcomes,
            {"kind": kind},
            name=f"{kind}_outcomes",
        )
        for kind, prefix in SCOPE_PREFIXES.items()
    ),
    *(
        path(
            f"{prefix}/<slug:slug>/outcomes.atom",
            feeds.OutcomeUpdatesFeed(),
            {"kind": kind},
            name=f"{kind}_feed",
        )
        for kind, prefix in SCOPE_PREFIXES.items()
    ),
]
