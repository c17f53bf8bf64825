"""Atom feeds of outcome updates per series, theme and host organisation."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from core.feeds import CleanAtom1Feed
from record import selectors
from record.views import SCOPES


class OutcomeUpdatesFeed(Feed):
    feed_type = CleanAtom1Feed

    def get_object(self, request, kind, slug):
        model, _url_name = SCOPES[kind]
        scope = get_object_or_404(model, slug=slug)
        scope.scope_kind = kind
        return scope

    def title(self, scope):
        return _("Outcomes: %(name)s") % {"name": str(scope)}

    def subtitle(self, scope):
        return _("You said, we did: updates on what came of the events of %(name)s.") % {
            "name": str(scope)
        }

    def link(self, scope):
        return reverse(f"record:{scope.scope_kind}_outcomes", kwargs={"slug": scope.slug})

    def items(self, scope):
        return selectors.recent_updates(scope)

    def item_title(self, update):
        return f"{update.get_status_display()}: {update.outcome.title}"

    def item_description(self, update):
        parts = [update.note] if update.note else []
        parts.append(_("From %(event)s.") % {"event": update.outcome.event.title})
        return " ".join(parts)

    def item_link(self, update):
        return update.outcome.get_absolute_url()

    def item_guid(self, update):
        return f"outcome-update-{update.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, update):
        return update.created_at

    def item_updateddate(self, update):
        return update.created_at
