from django.contrib import admin

from record.models import (
    AgendaItem,
    Contribution,
    EventRecord,
    Follow,
    Outcome,
    OutcomeUpdate,
    Priority,
    Profile,
    PulseResponse,
)


@admin.register(EventRecord)
class EventRecordAdmin(admin.ModelAdmin):
    list_display = ["event", "dots_per_person", "published_at", "reminder_sent_at"]
    raw_id_fields = ["event", "published_by"]
    search_fields = ["event__title"]


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    # Dots move only through record.services (the allowance is enforced there).
    list_display = ["text", "event", "kind", "dot_count", "hidden_at", "merged_into"]
    readonly_fields = ["dot_count"]
    raw_id_fields = ["event", "author", "theme", "hidden_by", "merged_into"]
    search_fields = ["text"]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "starts_at"]
    raw_id_fields = ["event"]
    filter_horizontal = ["presenters", "themes"]


class OutcomeUpdateInline(admin.TabularInline):
    model = OutcomeUpdate
    extra = 0
    readonly_fields = ["status", "note", "created_at", "created_by"]
    can_delete = False


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    # Status changes go through the site (record.services), which keeps history and notifies.
    list_display = ["title", "event", "kind", "status", "owner", "due_on"]
    list_filter = ["status", "kind"]
    readonly_fields = ["status", "status_reason", "status_changed_at"]
    raw_id_fields = ["event"]
    filter_horizontal = ["themes"]
    exclude = ["priorities", "threads"]
    inlines = [OutcomeUpdateInline]
    search_fields = ["title", "owner"]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["text", "event", "person", "credit", "review_sent_at"]
    raw_id_fields = ["event", "person"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "series", "theme", "active"]
    raw_id_fields = ["user", "event", "series", "theme"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "perspective"]
    raw_id_fields = ["user"]


@admin.register(PulseResponse)
class PulseResponseAdmin(admin.ModelAdmin):
    list_display = ["event", "heard", "change", "created_at"]
    raw_id_fields = ["event", "user"]
