from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from events import services
from events.models import (
    ACCESS_FEATURE_NAMES,
    Event,
    EventInvitationDecline,
    EventRole,
    Registration,
    Series,
    Theme,
    Venue,
)


# TranslationAdmin (django-modeltranslation) shows each text of events/translation.py as its
# English and Welsh fields; searches look in both languages' columns.
@admin.register(Theme)
class ThemeAdmin(TranslationAdmin):
    list_display = ("name", "slug")
    search_fields = ("name_en", "name_cy", "description_en", "description_cy")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Series)
class SeriesAdmin(TranslationAdmin):
    list_display = ("name", "slug")
    list_filter = ("hosts",)
    search_fields = ("name_en", "name_cy", "description_en", "description_cy")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("hosts",)


@admin.register(Venue)
class VenueAdmin(TranslationAdmin):
    list_display = ("name", "postcode", "step_free_access", "accessible_toilet", "hearing_loop")
    list_filter = ("step_free_access", "accessible_toilet", "hearing_loop", "quiet_room")
    search_fields = ("name_en", "name_cy", "address", "postcode")
    prepopulated_fields = {"slug": ("name",)}


class EventRoleInline(admin.TabularInline):
    model = EventRole
    extra = 1
    autocomplete_fields = ("person",)
    fields = ("person", "role", "contribution_title", "order", "status")

    def get_queryset(self, request):  # invitations too (the default manager hides them)
        return EventRole.with_invitations.select_related("person")


class CancelReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


def _apply(modeladmin, request, queryset, change, done):
    """Call a service for each selected event; report what was done and what was refused."""
    changed, refused = 0, []
    for event in queryset:
        try:
            change(event)
        except (services.TransitionNotAllowed, PermissionDenied) as refusal:
            refused.append(f"{event}: {refusal}")
        else:
            changed += 1
    if changed:
        modeladmin.message_user(request, done(changed), messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, line, messages.WARNING)


@admin.register(Event)
class EventAdmin(TranslationAdmin):
    # Django 5.2 warns unless URL fields say which scheme a bare address gets.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "starts_at", "status", "kind", "mode", "venue", "series", "sequence")
    list_filter = ("status", "kind", "mode", "series", "themes", "starts_at")
    list_select_related = ("venue", "series")
    search_fields = (
        *(
            f"{field}_{code}"
            for field in ("title", "summary", "description")
            for code in ["en", "cy"]
        ),
        "slug",
    )
    date_hierarchy = "starts_at"
    autocomplete_fields = ("series", "venue", "hosts", "themes")
    status_fields = ("status", "cancellation_reason", "sequence", "published_at", "created_by")
    readonly_fields = ("slug", *status_fields)
    inlines = [EventRoleInline]
    actions = ["publish_selected", "postpone_selected", "cancel_selected"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "summary", "description", "series")}),
        (
            _("When and where"),
            {
                "fields": (
                    "starts_at",
                    "ends_at",
                    "mode",
                    "venue",
                    "online_url",
                    "online_url_is_public",
                )
            },
        ),
        (_("Places"), {"fields": ("capacity", "registration_closes_at", "send_reminder")}),
        (_("Themes and hosts"), {"fields": ("themes", "hosts")}),
        (_("Access"), {"fields": (*ACCESS_FEATURE_NAMES, "access_notes")}),
        (
            _("Status (change it with the actions on the list)"),
            {"fields": status_fields},
        ),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish the selected events"))
    def publish_selected(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            lambda e: services.publish_event(event=e, user=request.user),
            lambda n: ngettext("%d event published.", "%d events published.", n) % n,
        )

    @admin.action(description=_("Postpone the selected events"))
    def postpone_selected(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            lambda e: services.postpone_event(event=e, user=request.user),
            lambda n: ngettext("%d event postponed.", "%d events postponed.", n) % n,
        )

    @admin.action(description=_("Cancel the selected events (asks for a reason)…"))
    def cancel_selected(self, request, queryset):
        """An intermediate page asks for the reason, then cancels through the service."""
        form = CancelReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            _apply(
                self,
                request,
                queryset,
                # The admin is in English: the reason typed is the English one.
                lambda e: services.cancel_event(event=e, user=request.user, reason_en=reason),
                lambda n: ngettext("%d event cancelled.", "%d events cancelled.", n) % n,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Cancel events"),
            "opts": self.model._meta,
            "events": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/events/event/cancel_selected.html", context)


@admin.register(EventRole)
class EventRoleAdmin(admin.ModelAdmin):
    list_display = ("person", "role", "event", "contribution_title", "order", "status")
    list_filter = ("role", "status")
    list_select_related = ("person", "event")
    search_fields = ("person__name", "event__title_en", "event__title_cy", "contribution_title")
    autocomplete_fields = ("person", "event")

    def get_queryset(self, request):  # invitations too (the default manager hides them)
        return EventRole.with_invitations.select_related("person", "event")


@admin.register(EventInvitationDecline)
class EventInvitationDeclineAdmin(admin.ModelAdmin):
    """Declines are made by the invitee's answer only; staff may delete one (someone who changed
    their mind) so that the event's organisers can invite them again."""

    list_display = ("person", "event", "declined_at")
    list_select_related = ("person", "event")
    search_fields = ("person__name", "event__title_en", "event__title_cy")
    readonly_fields = ("person", "event", "declined_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Registrations (calendar engineer) ---------------------------------------------------------
# Read-only: places change only through events.services, which keeps the capacity invariant and
# promotes the waitlist. Calendar tokens are secrets and have no admin page.


@admin.action(description=_("Cancel the selected registrations (promotes from the waitlist)"))
def cancel_registrations(modeladmin, request, queryset):
    cancelled = 0
    for registration in queryset.filter(state__in=Registration.ACTIVE_STATES):
        services.cancel_registration(registration=registration)
        cancelled += 1
    modeladmin.message_user(
        request,
        ngettext("Cancelled %d registration.", "Cancelled %d registrations.", cancelled)
        % cancelled,
        messages.SUCCESS,
    )


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("event", "user", "state", "created_at", "promoted_at")
    list_filter = ("state",)
    search_fields = ("event__title_en", "event__title_cy", "user__display_name", "user__email")
    list_select_related = ("event", "user")
    date_hierarchy = "created_at"
    actions = [cancel_registrations]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
