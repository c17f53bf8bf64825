"""schema.org `Event` data for search engines, built from an event fetched with_listing_data()."""

from events.models import Event, EventRole

STATUS = {
    Event.Status.PUBLISHED: "https://schema.org/EventScheduled",
    Event.Status.POSTPONED: "https://schema.org/EventPostponed",
    Event.Status.CANCELLED: "https://schema.org/EventCancelled",
    Event.Status.DRAFT: "https://schema.org/EventScheduled",
}
ATTENDANCE = {
    Event.Mode.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
    Event.Mode.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    Event.Mode.HYBRID: "https://schema.org/MixedEventAttendanceMode",
}
PERFORMER_ROLES = {
    EventRole.Role.CHAIR,
    EventRole.Role.SPEAKER,
    EventRole.Role.PANELLIST,
    EventRole.Role.FACILITATOR,
    EventRole.Role.ARTIST,
}


def _place(venue) -> dict:
    place = {
        "@type": "Place",
        "name": venue.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": ", ".join(line.strip() for line in venue.address.splitlines() if line),
            "postalCode": venue.postcode,
            "addressCountry": "GB",
        },
    }
    if venue.has_coordinates:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(venue.latitude),
            "longitude": float(venue.longitude),
        }
    return place


def event_json_ld(event: Event, *, url: str, absolute) -> dict:
    """The JSON-LD object for `event`; `absolute(path)` turns a site path into a full URL."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": url,
        "startDate": event.local_starts_at.isoformat(),
        "endDate": event.local_ends_at.isoformat(),
        "eventStatus": STATUS[event.status],
        "eventAttendanceMode": ATTENDANCE[event.mode],
    }
    if event.summary:
        data["description"] = event.summary
    if event.cover_id:
        data["image"] = [absolute(event.cover.variant_url(1600))]
    locations = []
    if event.is_in_person and event.venue is not None:
        locations.append(_place(event.venue))
    if event.is_online:
        # A private joining link stays private: search engines get the event page instead.
        link = event.online_url if event.online_url_is_public and event.online_url else url
        locations.append({"@type": "VirtualLocation", "url": link})
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    hosts = list(event.hosts.all())
    roles = list(event.roles.all())
    if hosts:
        data["organizer"] = [
            {
                "@type": "Organization",
                "name": org.name,
                "url": org.website or absolute(org.get_absolute_url()),
            }
            for org in hosts
        ]
    else:
        organisers = [r.person for r in roles if r.role == EventRole.Role.ORGANISER]
        if organisers:
            data["organizer"] = [
                {"@type": "Person", "name": p.name, "url": absolute(p.get_absolute_url())}
                for p in organisers
            ]
    performers = {r.person.pk: r.person for r in roles if r.role in PERFORMER_ROLES}
    if performers:
        data["performer"] = [
            {"@type": "Person", "name": p.name, "url": absolute(p.get_absolute_url())}
            for p in performers.values()
        ]
    return data
