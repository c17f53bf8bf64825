from django.shortcuts import render

from events.models import Event, Theme


def home(request):
    """The next upcoming events and the themes."""
    events = Event.objects.published().upcoming().with_listing_data().chronological()[:6]
    return render(request, "home.html", {"events": events, "themes": Theme.objects.all()})
