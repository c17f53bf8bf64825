"""The visuals panel of the event page (registered in visuals.apps; slots: events/panels.py)."""

from visuals.models import can_contribute

PANEL_IMAGES = 12
# One query fetches the panel's rows; more than this and the panel links to the gallery.
PANEL_ROWS = 40


def gallery_panel_context(request, event) -> dict | None:
    """Published images and documents (one query); None hides the panel for readers when empty."""
    rows = list(event.visuals.published().with_display_data().in_order()[:PANEL_ROWS])
    contributor = can_contribute(event, request.user)
    if not rows and not contributor:
        return None
    images = [v for v in rows if v.is_image]
    return {
        "visual_images": images[:PANEL_IMAGES],
        "visual_documents": [v for v in rows if not v.is_image],
        "visuals_more": len(images) > PANEL_IMAGES or len(rows) == PANEL_ROWS,
        "can_add_visuals": contributor,
    }
