from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from discussions import services
from discussions.models import Board, Flag, Post, PostRevision, Subscription, Thread


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["event", "is_open", "closed_at"]
    list_filter = ["is_open"]
    search_fields = ["event__title"]
    raw_id_fields = ["event", "closed_by"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["title", "board", "author", "reply_count", "pinned", "locked", "hidden"]
    list_filter = ["pinned", "locked", "hidden"]
    search_fields = ["title"]
    raw_id_fields = ["board", "author", "last_post", "last_poster"]
    readonly_fields = ["reply_count", "last_post", "last_poster", "last_activity_at"]
    list_select_related = ["board__event", "author"]


class RevisionInline(admin.TabularInline):
    model = PostRevision
    extra = 0
    can_delete = False
    readonly_fields = ["body_source", "edited_at", "editor"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Read and hide posts here; text changes go through the site (revisions, rendering)."""

    list_display = ["__str__", "author", "created_at", "hidden_at", "withdrawn_at"]
    list_select_related = ["thread", "author"]
    search_fields = ["body_source", "thread__title"]
    raw_id_fields = ["thread", "author", "reply_to", "hidden_by"]
    readonly_fields = ["body_source", "body_html", "edited_at", "withdrawn_at"]
    inlines = [RevisionInline]
    actions = ["hide_posts"]

    def has_delete_permission(self, request, obj=None):
        return False  # posts are hidden, never deleted

    @admin.action(description=_("Hide the selected posts"))
    def hide_posts(self, request, queryset):
        for post in queryset.select_related("thread__board__event"):
            services.hide_post(
                post=post, moderator=request.user, reason=_("Hidden by a member of staff.")
            )
        messages.success(request, _("Posts hidden."))


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["post", "reason", "reporter", "created_at", "resolved_at"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["post", "reporter", "resolved_by"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "thread", "board", "active"]
    list_filter = ["active"]
    raw_id_fields = ["user", "thread", "board"]
