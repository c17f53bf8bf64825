import hashlib
from datetime import datetime, time, timedelta

from django import forms
from django.db import router
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import fragments
from core import widgets as bilingual
from core.forms import ControlCharactersCleaned
from core.i18n import interface_language, other_language
from core.params import parse_int
from core.prepared import Prepared
from core.uploads import IMAGE, inspect_upload
from discussions.models import (
    MAX_POST_IMAGES,
    POST_MAX_LENGTH,
    THREAD_TITLE_MAX_LENGTH,
    Board,
    Flag,
    Post,
    Thread,
)
from discussions.signals import ANY_BOARD_MARKER
from events.models import Event, Theme
from events.signals import EVENTS_MARKER


def _body_help() -> str:
    return gettext(
        "Markdown works: *emphasis*, **strong**, [links](https://example.org), lists, "
        "> quotes and `code`. At most %(max)s characters."
    ) % {"max": f"{POST_MAX_LENGTH:,}"}


# Lazy: filled in (and translated) each time a form renders, not once at import.
BODY_HELP = lazy(_body_help, str)()


def body_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=POST_MAX_LENGTH,
        strip=True,
        help_text=BODY_HELP,
        widget=forms.Textarea(attrs={"rows": 8, "class": "post-body-input"}),
    )


class PostImagesMixin:
    """Up to MAX_POST_IMAGES image slots, each with its alt text (no JavaScript needed).

    Files go through the upload pipeline (core.uploads) in clean(); `images()` gives the
    services their plain values. The page's <form> must be multipart.
    """

    def add_image_fields(self):
        for n in range(1, MAX_POST_IMAGES + 1):
            self.fields[f"image_{n}"] = forms.FileField(
                label=_("Image %(n)s") % {"n": n},
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": "image/jpeg,image/png,image/webp"}
                ),
                help_text=_("JPEG, PNG or WebP.") if n == 1 else "",
            )
            self.fields[f"alt_{n}"] = forms.CharField(
                label=_("Alt text for image %(n)s") % {"n": n},
                required=False,
                max_length=400,
                help_text=_("Say what the image shows, for people who cannot see it.")
                if n == 1
                else "",
            )

    def clean_images(self):
        self._images = []
        for n in range(1, MAX_POST_IMAGES + 1):
            uploaded = self.cleaned_data.get(f"image_{n}")
            if not uploaded:
                continue
            alt = (self.cleaned_data.get(f"alt_{n}") or "").strip()
            try:
                clean = inspect_upload(uploaded, accept=(IMAGE,))
            except forms.ValidationError as refused:
                self.add_error(f"image_{n}", refused)
                continue
            if not alt:
                self.add_error(f"alt_{n}", _("Every image needs alt text."))
                continue
            self._images.append((clean, alt))

    def images(self) -> list:
        return list(getattr(self, "_images", []))


class ThreadForm(ControlCharactersCleaned, PostImagesMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=THREAD_TITLE_MAX_LENGTH)
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        required=False,
        widget=bilingual.CheckboxSelectMultiple,
        help_text=_("Optional: tick the themes your thread is about; it is listed on their pages."),
    )
    body = body_field(_("Opening post"))

    def __init__(self, *args, board: Board, **kwargs):
        super().__init__(*args, **kwargs)
        # The event's own themes are offered and none is ticked: a thread ticked with every theme
        # would land on every theme page. An event without themes offers them all.
        event_themes = Theme.objects.filter(events=board.event)
        if event_themes.exists():
            self.fields["themes"].queryset = event_themes
        self.add_image_fields()

    def clean(self):
        cleaned = super().clean()
        self.clean_images()
        return cleaned


class ReplyForm(ControlCharactersCleaned, PostImagesMixin, forms.Form):
    body = body_field(_("Your reply"))
    reply_to = forms.ModelChoiceField(
        queryset=Post.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, thread, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reply_to"].queryset = Post.objects.filter(thread=thread)
        self.add_image_fields()

    def clean(self):
        cleaned = super().clean()
        self.clean_images()
        return cleaned


class EditPostForm(ControlCharactersCleaned, forms.Form):
    body = body_field(_("Text"))


class FlagForm(ControlCharactersCleaned, forms.ModelForm):
    class Meta:
        model = Flag
        fields = ["reason", "text", "image"]
        widgets = {
            "reason": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 3}),
            "image": forms.HiddenInput,
        }

    def __init__(self, *args, post: Post, images, **kwargs):
        super().__init__(*args, **kwargs)
        # Only `images` (this post's that the reader may flag); an id from elsewhere is "no such
        # choice", never another's.
        self.fields["image"].queryset = post.images.filter(pk__in=[i.pk for i in images])
        self.fields["image"].required = False
        self._images = {image.pk: image for image in images}
        if not self.is_bound and self.chosen_image() is None:
            self.initial["image"] = None
        # A required choice among real reasons: no blank "---------" radio to pick by mistake.
        self.fields["reason"].choices = Flag.Reason.choices

    def chosen_image(self):
        """The image this flag is about (None: the post itself), from what the form holds."""
        return self._images.get(parse_int(self["image"].value()))


class CloseBoardForm(ControlCharactersCleaned, forms.Form):
    message = forms.CharField(
        label=_("Message for readers"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the board is closed, and where the conversation continues."),
    )


class BootstrapBoundField(forms.BoundField):
    """A field whose widget says it is invalid as Bootstrap styles it (`is-invalid`), for a form
    written out in its template (templates/discussions/_search_field.html) instead of by
    crispy-forms: three fields through crispy were a fifth of a search page's CPU."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            classes = attrs.get("class", (widget or self.field.widget).attrs.get("class", ""))
            attrs["class"] = f"{classes} is-invalid".strip()
        return attrs


class Menu(BaseChoiceIterator):
    """(value, label) pairs of text, given to a widget as they are: a list assigned to
    `widget.choices` is normalised item by item (Django's normalize_choices) on each assignment
    and each copy of the widget, a fifth of a search form's CPU for its two menus of 60."""

    def __init__(self, choices: list[tuple[str, str]]):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)


class KnownChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that takes the rows its form has already read (`known`, by value)
    instead of asking for them again when it cleans."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = {}

    def __deepcopy__(self, memo):
        # Field's copy: ModelChoiceField's also clones the queryset twice for a new choice
        # iterator (Django ticket 11183), which SearchForm replaces with its menus at once. The
        # queryset is shared, never evaluated: cleaning asks `queryset.get()`, a clone.
        field = forms.Field.__deepcopy__(self, memo)
        field.known = {}
        return field

    def to_python(self, value):
        if isinstance(value, str) and value in self.known:
            return self.known[value]
        return super().to_python(value)


class SearchForm(ControlCharactersCleaned, forms.Form):
    # The classes crispy-forms gave these fields (templates/discussions/search.html writes
    # them out without it).
    bound_field_class = BootstrapBoundField
    q = forms.CharField(
        label=_("Search discussions"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "textinput form-control"}),
    )
    theme = KnownChoiceField(
        label=_("Theme"),
        # Search asks only its id of the chosen theme.
        queryset=Theme.objects.only("pk", "slug"),
        required=False,
        to_field_name="slug",
        empty_label=_("Any theme"),
        widget=bilingual.Select(attrs={"class": "select form-select"}),
    )
    event = KnownChoiceField(
        label=_("Event"),
        # Exists, not a join made distinct: a chosen event is looked up by its slug (0.2 ms, was
        # 7 ms through the DISTINCT of every column).
        queryset=Event.objects.public()
        .filter(Exists(Thread.objects.filter(board__event=OuterRef("pk"))))
        .order_by("-starts_at"),
        required=False,
        to_field_name="slug",
        empty_label=_("Any event"),
        widget=bilingual.Select(text_field="title", attrs={"class": "select form-select"}),
    )

    # The menu offers the events discussed most recently (any event with threads is accepted):
    # listing every discussed event would grow with the archive, in queries and in HTML.
    EVENT_MENU_SIZE = 50

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        (theme_menu, event_menu, theme_ids), self.menus_version = self.menus_and_version()
        # A chosen theme is known by the menu's ids: no query (what search asks of it: its id).
        theme = self["theme"].value()
        if isinstance(theme, str) and theme in theme_ids:
            self.fields["theme"].known = {theme: Theme(pk=theme_ids[theme], slug=theme)}
        # A chosen event the menu does not list (it is added for this reader): its slug.
        self.older_event = ""
        chosen = self["event"].value()
        if chosen:
            # Read once, for the menu (an event it does not list) and for cleaning.
            rows = chosen_event(chosen)
            self.fields["event"].known = {chosen: rows[0]} if rows else {}
            if rows and chosen not in {slug for slug, _label, _lang in event_menu}:
                event_menu = [*event_menu, *self._menu_items(rows, "title")]
                self.older_event = chosen
        for name, menu in (("theme", theme_menu), ("event", event_menu)):
            widget = self.fields[name].widget
            widget.choices = Menu(
                [("", self.fields[name].empty_label), *((slug, label) for slug, label, _ in menu)]
            )
            widget.languages = {slug: lang for slug, _label, lang in menu}

    # What the menu shows of an event (and what search asks of a chosen one: its id).
    EVENT_FIELDS = ("slug", "title", "title_en", "title_cy")

    @classmethod
    def menus(cls) -> tuple[list, list]:
        return cls.menus_and_version()[0][:2]

    @classmethod
    def menus_and_version(cls) -> tuple[tuple[list, list, dict], str]:
        """((the theme menu, the event menu, {theme slug: id}), the version they were kept
        under: "" when not kept). The theme menu and the menu of recently discussed events, as
        (slug, label, lang) triples (lang: the language a label is shown in when not the page's,
        for the option's `lang`). The same for every reader of a language: kept in the shared
        cache until an event or a theme changes (the events marker), or a board, thread or post
        anywhere (ANY_BOARD_MARKER); built, they cost two queries and 5-40 ms of a search page."""
        if not fragments.enabled():
            theme_menu, theme_ids = cls._theme_menu_and_ids()
            return (theme_menu, cls._event_menu(), theme_ids), ""
        # Kept at one key with the markers' tokens: the markers and the menus in one round trip.
        key = cls.menus_key()
        version, stored = fragments.markers_and_value(cls.MENUS_MARKERS, key)
        menus = fragments.current(version, stored)
        if menus is None:
            theme_menu, theme_ids = cls._theme_menu_and_ids()
            menus = theme_menu, cls._event_menu(), theme_ids
            fragments.keep(key, version, menus)
        return menus, version

    # What the menus show moves with: event and theme names, discussed events.
    MENUS_MARKERS = (EVENTS_MARKER, ANY_BOARD_MARKER)

    @staticmethod
    def menus_key() -> str:
        """Where the menus of this language are kept (`menus_and_version`)."""
        return f"discussions:search-menus:{fragments.release()}:{interface_language()}"

    @staticmethod
    def _menu_items(rows, field: str) -> list[tuple[str, str, str | None]]:
        return [(row.slug, str(row), other_language(row, field)) for row in rows]

    @classmethod
    def _theme_menu_and_ids(cls) -> tuple[list[tuple[str, str, str | None]], dict[str, int]]:
        themes = list(Theme.objects.all())
        return cls._menu_items(themes, "name"), {theme.slug: theme.pk for theme in themes}

    @classmethod
    def _event_menu(cls) -> list[tuple[str, str, str | None]]:
        recent_boards = (
            Thread.objects.filter(hidden=False)
            .order_by("-last_activity_at")
            .values("board_id")[: cls.EVENT_MENU_SIZE * 4]
        )
        events = (
            Event.objects.public()
            .filter(board__in=recent_boards)
            .only(*cls.EVENT_FIELDS)
            .annotate(activity=Max("board__threads__last_activity_at"))
            .order_by("-activity", "-pk")[: cls.EVENT_MENU_SIZE]
        )
        return cls._menu_items(events, "title")


class HidePostForm(ControlCharactersCleaned, forms.Form):
    reason = forms.CharField(
        label=_("Why is it hidden?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The author sees this on the post and receives it by email. Be kind and clear."
        ),
    )


SUSPENSION_LONGEST_DAYS = 366


class SuspendForm(ControlCharactersCleaned, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The member is shown this when they try to post."),
    )
    ends_on = forms.DateField(
        label=_("Suspended until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The member may post again from the start of this day (UK time)."),
    )

    def clean_ends_on(self):
        ends_on = self.cleaned_data["ends_on"]
        today = timezone.localdate()
        if ends_on <= today:
            raise forms.ValidationError(_("Choose a day after today."))
        if ends_on > today + timedelta(days=SUSPENSION_LONGEST_DAYS):
            raise forms.ValidationError(_("A suspension lasts at most a year."))
        return ends_on

    @property
    def ends_at(self):
        """The start of the chosen day in Europe/London, as an aware datetime."""
        day = self.cleaned_data["ends_on"]
        return timezone.make_aware(datetime.combine(day, time.min))


# What search reads of a chosen event, in the model's column order (Event.from_db takes them
# so): its title in each language (`title` alone is read in the language active when the query is
# compiled, and this one is compiled once).
_EVENT_COLUMNS = [
    f.attname
    for f in Event._meta.concrete_fields
    if f.attname in {"id", "slug", "title_en", "title_cy"}
]


def _chosen_event_query(slug):
    # only(), not values_list(): django-modeltranslation reorders values_list's columns.
    return SearchForm.base_fields["event"].queryset.filter(slug=slug).only(*_EVENT_COLUMNS)[:1]


# Compiled once per process (core/prepared.py): through the ORM, the query with its Exists was a
# millisecond of each search on an event.
_CHOSEN_EVENT = Prepared(_chosen_event_query, "\ue020search-event-stand-in")


def chosen_event(slug: str) -> list[Event]:
    """The public event with threads at `slug` (none or one), with what the search form shows
    and search asks of it. Kept in the shared cache under the menus' markers (an event's
    status and title, its threads) once found, read in the search page's one round trip
    (discussions/search_page.py): a query of every search on an event (0.3 ms) otherwise."""
    if not fragments.enabled():
        rows = _CHOSEN_EVENT.rows(slug, model=Event)
    else:
        key = chosen_event_key(slug)
        tokens, stored = fragments.markers_and_value(SearchForm.MENUS_MARKERS, key)
        rows = fragments.current(tokens, stored)
        if rows is None:
            rows = [tuple(row) for row in _CHOSEN_EVENT.rows(slug, model=Event)]
            if rows:  # an address nobody's event has is not kept: any text can be asked
                fragments.keep(key, tokens, rows)
    return [Event.from_db(router.db_for_read(Event), _EVENT_COLUMNS, row) for row in rows]


def chosen_event_key(slug: str) -> str:
    """Where the event at `slug` is kept for search (`chosen_event`): by a digest of what was
    asked, which is any text."""
    return f"search:event:{fragments.release()}:{hashlib.sha256(slug.encode()).hexdigest()}"
