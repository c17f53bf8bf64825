"""Template helpers for calendar links and the registration panel."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events import calendar as ical
from events import selectors
from events.forms_registration import RegistrationForm

register = template.Library()

FEED_URL_NAMES = {
    "theme": ("events:theme_feed", gettext_lazy("Commons: events on %(name)s")),
    "series": ("events:series_feed", gettext_lazy("Commons: events in %(name)s")),
    "person": ("events:person_feed", gettext_lazy("Commons: events with %(name)s")),
    "organisation": (
        "events:organisation_feed",
        gettext_lazy("Commons: events hosted by %(name)s"),
    ),
}


@register.simple_tag(takes_context=True)
def calendar_links(context, feed, obj=None):
    """Absolute URLs for one calendar: https, webcal, Google and Outlook, and a title.

    feed: "list" (this page's query string), "event", "theme", "series", "person",
    "organisation" (obj: the object), or "personal" (obj: the CalendarToken).
    """
    request = context["request"]
    links = {"feed": feed, "is_event": feed == "event"}
    if feed == "list":
        params = request.GET.copy()
        params.pop("page", None)
        path = reverse("events:feed") + (f"?{params.urlencode()}" if params else "")
        title = _("Calendar of these events")
    elif feed == "event":
        path = reverse("events:event_ics", kwargs={"slug": obj.slug})
        title = _("Commons: %(name)s") % {"name": obj.title}
    elif feed == "personal":
        path = reverse("events:personal_feed", kwargs={"token": obj.token})
        title = _("Commons: my events")
    else:
        url_name, title_format = FEED_URL_NAMES[feed]
        path = reverse(url_name, kwargs={"slug": obj.slug})
        title = title_format % {"name": obj}
    url = request.build_absolute_uri(path)
    links.update(url=url, title=title, webcal=ical.webcal_url(url))
    if feed == "event":
        site_url = request.build_absolute_uri("/").rstrip("/")
        links["google"] = ical.google_event_url(obj, site_url=site_url)
        links["outlook"] = ical.outlook_event_url(obj, site_url=site_url)
    else:
        links["google"] = ical.google_subscribe_url(url)
        links["outlook"] = ical.outlook_subscribe_url(url, name=title)
    return links


@register.simple_tag(takes_context=True)
def my_registration(context, event):
    """The signed-in user's active registration at `event`, or None.

    The event page's view fetched it already (as `my_registration`): no second query then.
    """
    known = context.get("my_registration", ...)
    if known is not ... and context.get("event") is event:
        return known
    return selectors.active_registration(event, context["request"].user)


@register.simple_tag
def registration_form(event):
    """The event page's registration form (where to join, for a hybrid event; access needs)."""
    return RegistrationForm(event=event)
