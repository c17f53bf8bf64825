from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from people.models import Affiliation, Organisation, Person, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Public profile"), {"fields": ("display_name",)}),
    )
    list_display = ("username", "email", "display_name", "is_staff", "is_active")
    search_fields = ("username", "email", "display_name", "first_name", "last_name")


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 1
    autocomplete_fields = ("organisation",)


@admin.register(Organisation)
class OrganisationAdmin(TranslationAdmin):
    # Django 5.2 warns unless URL fields say which scheme a bare address gets.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "slug", "website")
    search_fields = ("name_en", "name_cy", "description_en", "description_cy")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Person)
class PersonAdmin(TranslationAdmin):
    list_display = ("name", "headline", "user")
    list_filter = ("organisations",)
    search_fields = ("name", "headline_en", "headline_cy", "bio")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("user",)
    inlines = [AffiliationInline]


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ("person", "organisation", "title")
    list_filter = ("organisation",)
    search_fields = ("person__name", "organisation__name_en", "organisation__name_cy", "title")
    autocomplete_fields = ("person", "organisation")
