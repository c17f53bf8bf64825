"""Abstract models any app may build on (core has no tables of its own)."""

from django.db import models
from django.urls import reverse
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

    def new_slug(self) -> str:
        return unique_slug(type(self), getattr(self, self.slug_source), exclude_pk=self.pk)


class Addressable(Slugged):
    """A slugged model with a page of its own: the URL named `url_name`, given the slug."""

    url_name = ""

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse(self.url_name, kwargs={"slug": self.slug})
