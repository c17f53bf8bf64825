"""Event views, one module per audience.

- public: home, the event list, an event page, themes, series, people and organisations;
- organising: creating, editing, publishing, postponing, cancelling and duplicating events;
- registration: registering, giving up a place, "My events", the organisers' attendee lists;
- calendars: .ics files and feeds (public, filtered, personal) and the personal feed settings.
"""
