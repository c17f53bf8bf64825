"""Stand-in list and detail pages so the calendar branch works alone.

The pages branch owns the real views; the lead deletes this module (and its URL block) on merge.
"""

from django.shortcuts import get_object_or_404, render

from events.filters import EventFilter
from events.models import Event


def event_list(request):
    filterset = EventFilter(
        request.GET, queryset=Event.objects.published(), default_when="upcoming"
    )
    events = filterset.qs.chronological() if filterset.is_valid() else Event.objects.none()
    return render(request, "events/stub_list.html", {"events": events, "filter": filterset})


def event_detail(request, slug):
    event = get_object_or_404(Event.objects.visible_to(request.user), slug=slug)
    return render(request, "events/stub_detail.html", {"event": event})
