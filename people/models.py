from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import fragments
from core.i18n import ShownText
from core.models import Addressable

# Moved after every committed change of group memberships or groups (people/apps.py).
GROUPS_MARKER = "groups"
# Moved after every committed change of a member's public name, or a deletion (people/apps.py).
AUTHORS_MARKER = "authors"


class User(AbstractUser):
    """An account. Its email is private; what others see is `public_name`."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"), max_length=100, blank=True, help_text=_("Shown beside your posts.")
    )
    preferred_language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("For the site and for every email we send you."),
    )

    class Digest(models.TextChoices):
        EACH_POST = "each", _("An email for each new post")
        DAILY = "daily", _("One email a day with everything new")

    # What a member chooses to be emailed (essential mail, such as a cancelled event, always goes).
    email_change_notices = models.BooleanField(
        _("changes to events I registered for"),
        default=True,
        help_text=_("New date, time or place; postponed events; messages from the organisers."),
    )
    email_reminders = models.BooleanField(
        _("reminders"), default=True, help_text=_("A reminder the day before an event.")
    )
    email_follow_notices = models.BooleanField(
        _("replies in threads and boards I follow"), default=True
    )
    email_digest = models.CharField(
        _("how replies reach me"), max_length=10, choices=Digest.choices, default=Digest.EACH_POST
    )
    email_mentions = models.BooleanField(
        _("when someone mentions me"), default=True, help_text=_("@name in a post.")
    )

    ORGANISERS_GROUP = "Organisers"
    MODERATORS_GROUP = "Moderators"

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def __str__(self):
        return self.public_name

    def in_group(self, name: str) -> bool:
        # Per instance: templates ask the same question several times a page.
        names = self.__dict__.get("_group_names")
        if names is None:
            names = self.__dict__["_group_names"] = self._load_group_names()
        return name in names

    def _load_group_names(self) -> frozenset:
        """The names of this user's groups; from the shared cache while no membership changed.

        The "groups" marker moves after every committed change of a membership or a group
        (people/apps.py), so an entry is never read after the change it misses.
        """
        if not fragments.enabled() or self.pk is None:
            return frozenset(self.groups.values_list("name", flat=True))
        key = f"people:groups:{self.pk}:{fragments.markers(GROUPS_MARKER)}"
        names = cache.get(key)
        if names is None:
            names = frozenset(self.groups.values_list("name", flat=True))
            cache.set(key, names, fragments.FRAGMENT_SECONDS)
        return names

    @property
    def has_verified_email(self) -> bool:
        """Whether the member confirmed an address (allauth's link, mailed at sign-up).
        Posting waits for it: an address nobody confirmed costs a spammer nothing. Cached per
        instance, like the groups."""
        if "_has_verified_email" not in self.__dict__:
            from allauth.account.models import EmailAddress  # allauth's models import ours

            verified = EmailAddress.objects.filter(user_id=self.pk, verified=True).exists()
            self.__dict__["_has_verified_email"] = verified
        return self.__dict__["_has_verified_email"]

    @property
    def is_organiser(self) -> bool:
        return self.is_active and (self.is_staff or self.in_group(self.ORGANISERS_GROUP))

    @property
    def is_moderator(self) -> bool:
        return self.is_active and (self.is_staff or self.in_group(self.MODERATORS_GROUP))

    @property
    def account_links_kind(self) -> str:
        """ "member" when the header's account links are those of every plain member (shared,
        base.html); empty for organisers, moderators and staff, whose links are their own."""
        if self.is_organiser or self.is_moderator or self.is_staff:
            return ""
        return "member"


class Organisation(Addressable):
    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)

    url_name = "events:organisation"

    class Meta:
        ordering = [ShownText("name"), "pk"]  # the names the reader sees (Welsh or English)
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class Person(Addressable):
    """A public profile of anyone who appears at an event, with or without an account."""

    name = models.CharField(_("name"), max_length=200)
    headline = models.CharField(
        _("headline"), max_length=200, blank=True, help_text=_("e.g. UK National Teaching Fellow")
    )
    bio = models.TextField(_("biography"), blank=True)
    user = models.OneToOneField(
        User,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    organisations = models.ManyToManyField(
        Organisation, through="Affiliation", related_name="people", blank=True
    )

    url_name = "events:person"

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name


class Affiliation(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="affiliations"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"], name="affiliation_unique_person_organisation"
            )
        ]

    def __str__(self):
        return f"{self.person} – {self.organisation}"
