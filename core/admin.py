from django.contrib import admin

from core.models import Upload


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    """Read-only: files enter only through the pipeline (core.uploads), never the admin."""

    list_display = [
        "__str__",
        "kind",
        "size",
        "width",
        "height",
        "scope",
        "uploaded_by",
        "created_at",
    ]
    list_filter = ["kind"]
    search_fields = ["original_name", "scope", "sha256"]
    list_select_related = ["uploaded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
