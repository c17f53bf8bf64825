"""The event's visuals and materials: drawings, photos, flip charts, slides and papers.

Each Visual is one accepted upload (core.models.Upload, made by the pipeline in core.uploads)
shown on the event's page and gallery. Images need alt text, and images with words in them a
transcript, before they can be published: the rule is in `publish_problems()` and, as a
constraint, in the database.

A visual belongs to its event and may be pinned to its themes, one of its agenda items and one
of its outcomes (the `record` app, below visuals): pinned visuals show beside that item on the
record page (visuals.panels, through record's slots in record/slots.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import Upload
from events.models import Event, Theme
from people.models import Person
from record.models import AgendaItem, Outcome

ALT_TEXT_MAX_LENGTH = 400
TRANSCRIPT_MAX_LENGTH = 20_000


def can_contribute(event: Event, user) -> bool:
    """Who may add visuals to `event`: those who may edit it, and its people (artist, speakers…)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if event.can_edit(user):
        return True
    return any(user_id == user.pk for user_id, _role, _status in event.role_accounts())


class VisualQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def images(self):
        return self.filter(is_image=True)

    def documents(self):
        return self.filter(is_image=False)

    def visible_to(self, user, event: Event):
        """Published visuals; drafts too for who may contribute to the event.

        Call it on `event.visuals` so each row knows its event without a query.
        """
        if can_contribute(event, user):
            return self.filter(event=event)
        return self.filter(event=event).published()

    def in_order(self):
        return self.order_by("order", "created_at", "pk")

    def pinned(self):
        return self.filter(Q(agenda_item__isnull=False) | Q(outcome__isnull=False))

    def with_display_data(self):
        """The fetch shape of a gallery tile: its upload (variants, size) and credited person."""
        return self.select_related("upload", "credit_person")

    def with_pins(self):
        """Its agenda item and outcome too (the image page names them)."""
        return self.select_related("agenda_item", "outcome")


class Visual(models.Model):
    class Kind(models.TextChoices):
        DRAWING = "drawing", _("Drawing (graphic recording)")
        PHOTO = "photo", _("Photo")
        FLIPCHART = "flipchart", _("Flip chart")
        SLIDES = "slides", _("Slides")
        PAPER = "paper", _("Paper or handout")

    class Licence(models.TextChoices):
        ALL_RIGHTS_RESERVED = "all-rights-reserved", _("All rights reserved")
        CC_BY = "cc-by-4.0", _("CC BY 4.0")
        CC_BY_SA = "cc-by-sa-4.0", _("CC BY-SA 4.0")
        CC_BY_NC = "cc-by-nc-4.0", _("CC BY-NC 4.0")

    LICENCE_URLS = {
        Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
        Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
        Licence.CC_BY_NC: "https://creativecommons.org/licenses/by-nc/4.0/",
    }

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="visuals"
    )
    upload = models.OneToOneField(
        Upload, verbose_name=_("file"), on_delete=models.PROTECT, related_name="visual"
    )
    # Copied from the upload: the publishing constraint below needs it in this table.
    is_image = models.BooleanField(editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    alt_text = models.CharField(
        _("alt text"),
        max_length=ALT_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_(
            "What the image shows, for people who cannot see it (one or two sentences). "
            "Required for every image before it is published."
        ),
    )
    has_words = models.BooleanField(
        _("it has words in it"),
        default=False,
        help_text=_("Drawings, flip charts and slides usually do: then give a transcript."),
    )
    transcript = models.TextField(
        _("transcript"),
        max_length=TRANSCRIPT_MAX_LENGTH,
        blank=True,
        help_text=_(
            "All the words in the image, in reading order, and how they connect (a long "
            "description). Required before an image with words is published."
        ),
    )
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    credit_person = models.ForeignKey(
        Person,
        verbose_name=_("credit (a person from the event)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credited_visuals",
    )
    credit_text = models.CharField(
        _("credit (free text)"),
        max_length=200,
        blank=True,
        help_text=_("If the maker is not one of the event's people."),
    )
    licence = models.CharField(
        _("licence"), max_length=30, choices=Licence.choices, default=Licence.ALL_RIGHTS_RESERVED
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), related_name="visuals", blank=True
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visuals",
        help_text=_("Show it beside this agenda item in the event's record."),
    )
    outcome = models.ForeignKey(
        Outcome,
        verbose_name=_("outcome"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visuals",
        help_text=_("Show it beside this outcome in the event's record."),
    )
    # "Discuss this drawing": the thread about it on the event's board, started on first use.
    thread = models.OneToOneField(
        "discussions.Thread",
        verbose_name=_("discussion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="visual",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisualQuerySet.as_manager()

    class Meta:
        verbose_name = _("visual")
        verbose_name_plural = _("visuals")
        ordering = ["order", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(is_image=False) | ~Q(alt_text=""),
                name="visual_published_image_has_alt_text",
                violation_error_message=_("An image needs alt text before it is published."),
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True)
                | Q(is_image=False)
                | Q(has_words=False)
                | ~Q(transcript=""),
                name="visual_published_words_have_transcript",
                violation_error_message=_(
                    "An image with words needs a transcript before it is published."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["event", "published_at", "order"], name="visual_event_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("visuals:detail", kwargs={"event_slug": self.event.slug, "pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def needs_transcript(self) -> bool:
        return self.is_image and self.has_words

    def publish_problems(self) -> dict[str, str]:
        """{field: what to add} before this visual may be published (empty: it may)."""
        problems = {}
        if self.is_image and not self.alt_text.strip():
            problems["alt_text"] = gettext("Add alt text: say what the image shows.")
        if self.needs_transcript and not self.transcript.strip():
            problems["transcript"] = gettext("Add a transcript of the words in the image.")
        return problems

    @property
    def credit(self) -> str:
        if self.credit_person_id:
            return self.credit_person.name
        return self.credit_text

    @property
    def licence_url(self) -> str:
        return self.LICENCE_URLS.get(self.licence, "")

    def can_edit(self, user) -> bool:
        """Its uploader while still one of the event's contributors, and the event's editors."""
        if self.event.can_edit(user):
            return True
        return (
            user.is_authenticated
            and self.uploaded_by_id == user.pk
            and can_contribute(self.event, user)
        )
