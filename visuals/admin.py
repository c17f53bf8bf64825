from django.contrib import admin

from visuals.models import Visual


@admin.register(Visual)
class VisualAdmin(admin.ModelAdmin):
    """Staff may correct words, credits and licences; files are added on the event's pages."""

    list_display = ["title", "event", "kind", "is_image", "published_at", "uploaded_by"]
    list_filter = ["kind", "licence", "is_image"]
    search_fields = ["title", "alt_text", "transcript", "event__title"]
    raw_id_fields = ["event", "upload", "credit_person", "uploaded_by"]
    filter_horizontal = ["themes"]
    list_select_related = ["event", "uploaded_by"]
