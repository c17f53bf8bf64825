"""Models any app may build on: abstract bases (Slugged, Addressable) and stored uploads.

Upload is one row per accepted file, whichever app it belongs to. The file itself lives behind
Django's storage API (local folder or S3-compatible storage, see config/settings.py); rows hold
what pages need to show it without touching storage: kind, dimensions, and the names of the
resized variants the task worker made.
"""

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.slugs import unique_slug


class Slugged(models.Model):
    """A unique slug, made from the field named `slug_source` when the row is first saved."""

    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    slug_source = "name"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.slug_is_stale():
            self.slug = self.new_slug()
        super().save(*args, **kwargs)

    def slug_is_stale(self) -> bool:
        """Whether save() makes a new slug: when there is none (a model may say more)."""
        return not self.slug

    def slug_text(self) -> str:
        """The text a slug is made from: in English when it exists in several languages (a text
        written only in Welsh is what English falls back to), so addresses do not depend on
        the language of the page the row was saved from."""
        with translation.override(settings.LANGUAGE_CODE):
            return getattr(self, self.slug_source)

    def new_slug(self) -> str:
        return unique_slug(type(self), self.slug_text(), exclude_pk=self.pk)


class Addressable(Slugged):
    """A slugged model with a page of its own: the URL named `url_name`, given the slug."""

    url_name = ""

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse(self.url_name, kwargs={"slug": self.slug})


def upload_path(instance, filename: str) -> str:
    # Unguessable folder per upload: a not-yet-published file's URL cannot be found by counting.
    now = timezone.now()
    return f"uploads/{now:%Y/%m}/{secrets.token_urlsafe(12)}/{filename}"


def upload_references() -> list:
    """The reverse side of every foreign key and one-to-one field pointing at Upload."""
    return [
        field
        for field in Upload._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)
    ]


class UploadQuerySet(models.QuerySet):
    def by_user_since(self, user, since):
        return self.filter(uploaded_by=user, created_at__gte=since)

    def in_scope(self, scope: str):
        return self.filter(scope=scope)

    def unreferenced(self):
        """Uploads no row of any app points at (a visual, a post image, an event's cover...).

        Found from the models themselves (every foreign key or one-to-one to Upload), so core
        names no app, and a new owner of uploads is covered without a change here.
        """
        qs = self
        for relation in upload_references():
            rows = relation.related_model._base_manager.filter(
                **{relation.field.name: models.OuterRef("pk")}
            )
            qs = qs.filter(~models.Exists(rows))
        return qs


class Upload(models.Model):
    """An accepted, cleaned file. Images keep a re-encoded master; PDFs are kept as checked."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        PDF = "pdf", _("PDF document")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=upload_path, max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(_("original file name"), max_length=150, blank=True)
    # {"<width>": {"height": h, "webp": name, "jpg": name}, ...}, filled by core.tasks.
    variants = models.JSONField(default=dict, blank=True)
    variants_made_at = models.DateTimeField(null=True, blank=True)
    # Opaque to core: the caller's quota scope, e.g. "event:42" (see core.services).
    scope = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uploads",
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = UploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        indexes = [models.Index(fields=["uploaded_by", "created_at"], name="upload_user_day_idx")]

    def __str__(self):
        return self.original_name or self.file.name

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE

    @property
    def is_pdf(self) -> bool:
        return self.kind == self.Kind.PDF

    @property
    def aspect_ratio(self) -> float | None:
        return self.width / self.height if self.width and self.height else None

    def url(self) -> str:
        return self.file.url

    def sources(self, fmt: str) -> list[tuple[str, int]]:
        """[(url, width), ...] of the variants in `fmt` ("webp" or "jpg"), narrowest first."""
        storage = storages["default"]
        return [
            (storage.url(item[fmt]), int(width))
            for width, item in sorted(self.variants.items(), key=lambda kv: int(kv[0]))
            if fmt in item
        ]

    def _variant_width(self, max_width: int) -> int | None:
        widths = sorted(int(w) for w in self.variants)
        fitting = [w for w in widths if w <= max_width] or widths[:1]
        return fitting[-1] if fitting else None

    def variant_url(self, max_width: int = 1280, fmt: str = "jpg") -> str:
        """The widest `fmt` variant at most `max_width` wide (the master until variants exist)."""
        width = self._variant_width(max_width)
        if width is None:
            return self.url()
        return storages["default"].url(self.variants[str(width)][fmt])

    def variant_size(self, max_width: int = 1280) -> tuple[int | None, int | None]:
        width = self._variant_width(max_width)
        if width is None:
            return (self.width, self.height)
        return (width, self.variants[str(width)]["height"])

    def stored_names(self) -> list[str]:
        names = [self.file.name] if self.file else []
        for item in self.variants.values():
            names.extend(item[fmt] for fmt in ("webp", "jpg") if fmt in item)
        return names
