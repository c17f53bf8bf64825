"""The artist's journey: upload a drawing with alt text and a transcript; it appears in the
event's gallery; its page and link preview (Open Graph) are right; keyboard and no-JS work."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.support import check_page, focus_outline, has_visible_focus, messages
from tests.core import samples
from tests.factories import EventFactory, EventRoleFactory, PersonFactory, UserFactory
from visuals.models import Visual

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def drawing_with_gps() -> bytes:
    """The demo's first graphic recording, saved as a phone would: EXIF with GPS."""
    from demo.visuals import DRAWINGS, draw_recording

    out = io.BytesIO()
    with Image.open(io.BytesIO(draw_recording(DRAWINGS[0], seed=0))) as image:
        image.save(out, "JPEG", quality=90, exif=samples.exif_with_gps())
    return out.getvalue()


def field(scope, label):
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


@pytest.fixture
def relaunch():
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() - timedelta(days=14)
    event = EventFactory(
        title="Policy Cafe re-launch", starts_at=start, ends_at=start + timedelta(hours=2)
    )
    artist = UserFactory(email="chris@example.org", display_name="Chris Glynn")
    EventRoleFactory(
        event=event, person=PersonFactory(user=artist, name="Chris Glynn"), role="artist"
    )
    return event, artist


def test_artist_uploads_a_drawing_that_appears_in_the_gallery(
    page, browser, live_server, sign_in_as, relaunch
):
    event, artist = relaunch
    sign_in_as(artist)
    page.goto(event.get_absolute_url())
    page.get_by_role("link", name="Add a drawing, photo or document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a drawing, photo or document")
    check_page(page, "upload form", shot="visual-upload-form")

    drawing = drawing_with_gps()
    field(page, "File").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": drawing}
    )
    field(page, "Kind").select_option(label="Drawing (graphic recording)")
    field(page, "Title").fill("Ok so what's your policy?")
    # Publishing without alt text and transcript is refused, and says what is missing.
    field(page, "Transcript").fill("")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Add alt text: say what the image shows.")).to_be_visible()
    expect(page.get_by_text("Add a transcript of the words in the image.")).to_be_visible()
    check_page(page, "upload form with errors")
    assert Visual.objects.count() == 0

    field(page, "File").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": drawing}
    )
    field(page, "Alt text").fill(
        "A graphic recording: a cafe table ringed by speech bubbles and a big question mark."
    )
    field(page, "Transcript").fill(
        "Ok so what's your policy?\nListen first.\nCore economy before money economy."
    )
    field(page, "Caption").fill("Drawn live during the discussion.")
    field(page, "Credit (a person from the event)").select_option(label="Chris Glynn")
    field(page, "Licence").select_option(label="CC BY-NC 4.0")
    page.get_by_role("button", name="Publish").click()

    expect(messages(page)).to_contain_text("Published")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ok so what's your policy?")
    expect(page.get_by_role("heading", name="Transcript")).to_be_visible()
    expect(page.get_by_text("Core economy before money economy.")).to_be_visible()
    expect(page.get_by_role("link", name="CC BY-NC 4.0")).to_have_attribute(
        "href", "https://creativecommons.org/licenses/by-nc/4.0/"
    )
    image = page.locator(".visual-figure img")
    expect(image).to_have_attribute("alt", re.compile("^A graphic recording"))
    expect(image).to_have_attribute("width", "1800")
    expect(image).to_have_attribute("height", "1200")
    check_page(page, "image page", shot="visual-page")

    og = {
        prop: page.locator(f'meta[property="og:{prop}"]').get_attribute("content")
        for prop in ("title", "image", "image:alt", "image:width", "url", "type")
    }
    visual = Visual.objects.get()
    assert og["title"] == "Ok so what's your policy?"
    assert og["type"] == "article"
    assert og["image:alt"].startswith("A graphic recording")
    assert og["url"].endswith(visual.get_absolute_url())
    assert og["image"].startswith("http")
    assert og["image"].endswith("/w1024.jpg")
    preview = page.request.get(og["image"])
    assert preview.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(preview.body())) as shown:
        assert shown.size == (1024, 683)
        assert dict(shown.getexif()) == {}

    page.get_by_role("link", name=event.title).first.click()
    gallery = page.get_by_role("region", name="Drawings, photos and materials")
    tile = gallery.get_by_role("link", name=re.compile("Ok so what's your policy?"))
    expect(tile).to_be_visible()
    expect(tile.locator("img")).to_have_attribute("alt", re.compile("^A graphic recording"))
    assert page.locator('meta[property="og:image"]').get_attribute("content") == og["image"]
    check_page(page, "event page with its gallery", shot="visual-event-gallery")

    # Keyboard: the tile is a link with a visible focus ring; Enter opens the image page.
    tile.focus()
    assert has_visible_focus(focus_outline(page))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ok so what's your policy?")

    # Without JavaScript, a visitor sees the same gallery and image page.
    no_js = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        visitor = no_js.new_page()
        images = []
        visitor.on(
            "response",
            lambda r: (
                images.append((r.url, r.status)) if r.request.resource_type == "image" else None
            ),
        )
        visitor.goto(event.get_absolute_url())
        visitor.get_by_role("link", name=re.compile("Ok so what's your policy?")).click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Ok so what's your policy?")
        visitor.wait_for_load_state("load")
        drawings = [status for url, status in images if "/uploads/" in url]
        assert drawings, images
        assert set(drawings) <= {200, 304}, images  # 304: the browser revalidated its copy
    finally:
        no_js.close()


def test_member_posts_a_flip_chart_photo_on_the_board_and_a_moderator_hides_it(
    page, new_page, new_context, sign_in_as, relaunch
):
    from discussions import services as discussions
    from discussions.models import Board

    event, artist = relaunch
    board = Board.objects.for_event(event)
    author = UserFactory(display_name="Gwen")
    thread = discussions.start_thread(
        board=board, author=author, title="Our table's flip chart", body="Here it is."
    )
    member = UserFactory(display_name="Rhys")
    sign_in_as(member)
    page.goto(thread.get_absolute_url())
    page.get_by_text("Add images (up to 4)").click()
    field(page, "Image 1").set_input_files(
        {"name": "chart.jpg", "mimeType": "image/jpeg", "buffer": drawing_with_gps()}
    )
    field(page, "Your reply").fill("And the drawing of it.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Every image needs alt text.")).to_be_visible()
    check_page(page, "reply form with an image error")

    field(page, "Image 1").set_input_files(
        {"name": "chart.jpg", "mimeType": "image/jpeg", "buffer": drawing_with_gps()}
    )
    field(page, "Alt text for image 1").fill(
        "The flip chart as a drawing, six bubbles round a table."
    )
    page.get_by_role("button", name="Post reply").click()
    expect(messages(page)).to_contain_text("Your reply is posted")
    image = page.get_by_role("img", name="The flip chart as a drawing, six bubbles round a table.")
    expect(image).to_be_visible()
    check_page(page, "thread with an image", shot="board-post-image")

    moderator = UserFactory(groups=["Moderators"])
    moderator_page = new_page(new_context())
    sign_in_as(moderator, moderator_page.context)
    moderator_page.goto(thread.get_absolute_url())
    moderator_page.get_by_role("button", name="Hide image").click()
    expect(messages(moderator_page)).to_contain_text("The image is hidden")

    visitor = new_page(new_context())
    visitor.goto(thread.get_absolute_url())
    expect(visitor.get_by_text("And the drawing of it.")).to_be_visible()
    expect(visitor.get_by_role("img", name=re.compile("flip chart as a drawing"))).to_have_count(0)


def test_a_drawing_pinned_to_an_outcome_shows_beside_it_on_the_record_page(
    page, sign_in_as, relaunch
):
    from django.urls import reverse
    from django.utils import timezone

    from record.models import EventRecord, Outcome
    from tests.factories import VisualFactory

    event, artist = relaunch
    EventRecord.objects.create(event=event, summary="We listened.", published_at=timezone.now())
    outcome = Outcome.objects.create(event=event, kind="action", title="Share Talking Points")
    visual = VisualFactory(event=event, uploaded_by=artist, title="The promise, drawn")
    sign_in_as(artist)
    page.goto(reverse("visuals:edit", kwargs={"event_slug": event.slug, "pk": visual.pk}))
    field(page, "Outcome").select_option(label="Share Talking Points")
    page.get_by_role("button", name="Save").click()

    # The image page links to the outcome in the record; there the drawing sits beside it.
    page.get_by_role("link", name="Share Talking Points").click()
    beside = page.locator(f"#outcome-{outcome.pk}")
    pin = beside.get_by_role("link", name=re.compile("The promise, drawn"))
    expect(pin).to_be_visible()
    expect(pin.locator("img")).to_have_attribute("alt", visual.alt_text)
    gallery = page.get_by_role("region", name="Drawings, photos and materials")
    expect(gallery.get_by_role("link", name=re.compile("The promise, drawn"))).to_be_visible()
    check_page(page, "record page with a pinned drawing", shot="record-pinned-drawing")
    page.set_viewport_size({"width": 375, "height": 812})
    check_page(page, "record page at 375 px")
