"""visuals/views.py through the pages a person sees: upload, publish rules, permissions."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import Upload
from discussions import services as discussion_services
from discussions.models import Board
from tests.core import samples
from tests.events.test_pages import json_ld
from tests.factories import EventRoleFactory, PersonFactory, UserFactory, VisualFactory
from tests.forms import form_data, submit_form
from visuals.models import Visual

ADD_FORM = "#visual-form"


def media_files() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def add_page(client, event):
    return client.get(reverse("visuals:add", kwargs={"event_slug": event.slug}))


def drawing_fields(**changes):
    fields = {
        "kind": "drawing",
        "title": "Ok so what's your policy?",
        "alt_text": "A graphic recording: speech bubbles around a cafe table.",
        "transcript": "Ok so what's your policy? Listen first. Core economy.",
        "caption": "Drawn live at the cafe.",
        "credit_text": "",
        "licence": "cc-by-4.0",
    }
    fields.update(changes)
    return fields


@pytest.fixture
def artist_client(client, artist):
    client.force_login(artist)
    return client


@pytest.mark.django_db
def test_artist_uploads_and_publishes_a_drawing(
    artist_client, artist, drawn_event, django_capture_on_commit_callbacks
):
    page = add_page(artist_client, drawn_event)
    jpeg = samples.jpeg_bytes(1600, 1000, orientation=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_form(
            artist_client,
            page,
            form=ADD_FORM,
            data=drawing_fields(),
            files={"file": samples.upload("IMG_0001.jpg", jpeg, "image/jpeg")},
            button="action=publish",
        )

    visual = Visual.objects.get()
    assert response.status_code == 302
    assert response["Location"] == visual.get_absolute_url()
    assert (visual.event, visual.uploaded_by, visual.is_image, visual.is_published) == (
        drawn_event,
        artist,
        True,
        True,
    )
    assert (visual.upload.width, visual.upload.height) == (1600, 1000)
    assert sorted(visual.upload.variants, key=int) == ["320", "480", "768", "1024", "1600"]
    drawn_event.refresh_from_db()
    assert (drawn_event.cover_id, drawn_event.cover_alt) == (visual.upload_id, visual.alt_text)


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["alt_text", "transcript"])
def test_image_cannot_be_published_without_alt_text_or_transcript(
    artist_client, drawn_event, missing
):
    page = add_page(artist_client, drawn_event)
    response = submit_form(
        artist_client,
        page,
        form=ADD_FORM,
        data=drawing_fields(**{missing: ""}),
        files={"file": samples.upload("d.jpg", samples.jpeg_bytes(400, 300))},
        button="action=publish",
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [missing]
    assert Visual.objects.count() == 0
    assert Upload.objects.count() == 0


@pytest.mark.django_db
def test_draft_may_wait_for_its_alt_text(artist_client, drawn_event):
    page = add_page(artist_client, drawn_event)
    submit_form(
        artist_client,
        page,
        form=ADD_FORM,
        data=drawing_fields(alt_text="", transcript=""),
        files={"file": samples.upload("d.jpg", samples.jpeg_bytes(400, 300))},
        button="action=draft",
    )

    visual = Visual.objects.get()
    assert (visual.is_published, visual.publish_problems()) == (
        False,
        {
            "alt_text": "Add alt text: say what the image shows.",
            "transcript": "Add a transcript of the words in the image.",
        },
    )


@pytest.mark.django_db
def test_image_without_words_needs_no_transcript(artist_client, drawn_event):
    page = add_page(artist_client, drawn_event)
    submit_form(
        artist_client,
        page,
        form=ADD_FORM,
        data={**drawing_fields(kind="photo", transcript=""), "has_words": None},
        files={"file": samples.upload("room.jpg", samples.jpeg_bytes(400, 300))},
        button="action=publish",
    )

    assert Visual.objects.get().is_published


@pytest.mark.django_db
def test_pdf_needs_no_alt_text(artist_client, drawn_event):
    page = add_page(artist_client, drawn_event)
    submit_form(
        artist_client,
        page,
        form=ADD_FORM,
        data=drawing_fields(kind="slides", alt_text="", transcript=""),
        files={"file": samples.upload("slides.pdf", samples.pdf_bytes(), "application/pdf")},
        button="action=publish",
    )

    visual = Visual.objects.get()
    assert (visual.is_image, visual.is_published, visual.upload.content_type) == (
        False,
        True,
        "application/pdf",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("label", "file", "code"),
    samples.bad_file_corpus(),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_file_is_refused_on_the_page_and_nothing_is_saved(
    artist_client, drawn_event, label, file, code
):
    before = media_files()
    page = add_page(artist_client, drawn_event)

    response = submit_form(
        artist_client,
        page,
        form=ADD_FORM,
        data=drawing_fields(),
        files={"file": file},
        button="action=publish",
    )

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert list(errors) == ["file"]
    assert errors["file"][0].code == code
    assert errors["file"][0].messages[0] in response.content.decode()
    assert (Visual.objects.count(), Upload.objects.count()) == (0, 0)
    assert media_files() == before


@pytest.mark.django_db
def test_credit_is_a_person_of_the_event_or_free_text_not_both(artist_client, drawn_event):
    page = add_page(artist_client, drawn_event)
    ruth = drawn_event.roles.get(role="artist").person
    offered = [str(p) for p in page.context["form"].fields["credit_person"].queryset]
    response = submit_form(
        artist_client,
        page,
        form=ADD_FORM,
        data=drawing_fields(credit_person=ruth.pk, credit_text="Someone else"),
        files={"file": samples.upload("d.jpg", samples.jpeg_bytes(400, 300))},
    )

    assert offered == ["Ruth Evans", "Sophie"]
    assert list(response.context["form"].errors) == ["credit_text"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("stranger", 403), ("speaker", 200), ("organiser", 200), ("staff", 200)],
)
def test_who_may_add_visuals(client, drawn_event, organiser, staff, who, status):
    users = {"stranger": UserFactory(), "organiser": organiser, "staff": staff}
    if who == "speaker":
        users["speaker"] = UserFactory()
        EventRoleFactory(event=drawn_event, person=PersonFactory(user=users["speaker"]))
    if who in users:
        client.force_login(users[who])

    assert add_page(client, drawn_event).status_code == status


@pytest.mark.django_db
def test_drafts_are_only_seen_by_contributors(client, drawn_event, artist):
    draft = VisualFactory(event=drawn_event, published_at=None, uploaded_by=artist)
    url = draft.get_absolute_url()

    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(artist)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_editing_a_published_image_keeps_its_alt_text_required(artist_client, drawn_event, artist):
    visual = VisualFactory(event=drawn_event, uploaded_by=artist)
    page = artist_client.get(
        reverse("visuals:edit", kwargs={"event_slug": drawn_event.slug, "pk": visual.pk})
    )

    response = submit_form(artist_client, page, form=ADD_FORM, data={"alt_text": ""})

    assert list(response.context["form"].errors) == ["alt_text"]
    visual.refresh_from_db()
    assert visual.alt_text == "A hand-drawn map of the conversation."


@pytest.mark.django_db
def test_removing_asks_first_then_deletes_the_files(
    artist_client, drawn_event, artist, django_capture_on_commit_callbacks
):
    visual = VisualFactory(event=drawn_event, uploaded_by=artist)
    names = visual.upload.stored_names()
    url = reverse("visuals:delete", kwargs={"event_slug": drawn_event.slug, "pk": visual.pk})
    page = artist_client.get(url)
    assert Visual.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = submit_form(artist_client, page, form=url)

    assert response["Location"] == reverse(
        "visuals:gallery", kwargs={"event_slug": drawn_event.slug}
    )
    assert (Visual.objects.count(), Upload.objects.count()) == (0, 0)
    assert not any((Path(settings.MEDIA_ROOT) / n).exists() for n in names)


@pytest.mark.django_db
def test_image_page_shows_transcript_credit_licence_themes_and_open_graph(client, drawn_event):
    from tests.factories import ThemeFactory

    theme = ThemeFactory(name="Core economy")
    ruth = drawn_event.roles.get(role="artist").person
    visual = VisualFactory(
        event=drawn_event,
        title="What's your policy?",
        credit_person=ruth,
        licence="cc-by-sa-4.0",
        caption="Drawn live.",
    )
    visual.themes.add(theme)

    response = client.get(visual.get_absolute_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert "What&#x27;s your policy? Listen first." in html  # the transcript
    assert f'<a href="{ruth.get_absolute_url()}">Ruth Evans</a>' in html
    assert '<a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">' in html
    assert f'href="{theme.get_absolute_url()}">Core economy</a>' in html
    og_image = settings.SITE_URL + visual.upload.variant_url(1280)
    assert f'<meta property="og:image" content="{og_image}">' in html
    assert og_image.endswith("/w1200.jpg")  # the widest variant up to 1280 px
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:alt" content="A hand-drawn map of the conversation.">' in html
    assert 'alt="A hand-drawn map of the conversation."' in html


@pytest.mark.django_db
def test_event_page_gallery_and_cover(client, drawn_event):
    first = VisualFactory(event=drawn_event, title="First drawing", order=1)
    VisualFactory(event=drawn_event, title="Second drawing", order=2)
    VisualFactory(event=drawn_event, title="Unpublished", order=3, published_at=None)
    from visuals.services import _refresh_cover

    _refresh_cover(drawn_event)

    response = client.get(drawn_event.get_absolute_url())
    html = response.content.decode()

    tiles = [v.title for v in response.context["visual_images"]]
    assert tiles == ["First drawing", "Second drawing"]
    assert 'srcset="' in html
    assert 'type="image/webp"' in html
    assert 'width="1200" height="800"' in html
    assert 'loading="lazy"' in html
    og_image = settings.SITE_URL + first.upload.variant_url(1280)
    assert f'<meta property="og:image" content="{og_image}">' in html
    assert json_ld(html)["image"] == ["http://testserver" + first.upload.variant_url(1600)]


@pytest.mark.django_db
def test_discuss_this_drawing_starts_one_linked_thread(client, drawn_event, user):
    visual = VisualFactory(event=drawn_event, title="Core economy map")
    client.force_login(user)
    url = reverse("visuals:discuss", kwargs={"event_slug": drawn_event.slug, "pk": visual.pk})
    page = client.get(url)

    response = submit_form(client, page, form="#discuss-form", data={"body": "Who drew the map?"})

    visual.refresh_from_db()
    thread = visual.thread
    assert response["Location"] == thread.get_absolute_url()
    assert (thread.title, thread.board.event) == ("About “Core economy map”", drawn_event)
    first_post = thread.posts.get()
    assert "Who drew the map?" in first_post.body_source
    assert f'href="{settings.SITE_URL}{visual.get_absolute_url()}"' in first_post.body_html
    assert client.get(url)["Location"] == thread.get_absolute_url()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3, 30])
def test_gallery_and_event_page_queries_do_not_grow_with_visuals(
    client, drawn_event, count, django_assert_max_num_queries
):
    for n in range(count):
        VisualFactory(event=drawn_event, title=f"Drawing {n}")
    gallery = reverse("visuals:gallery", kwargs={"event_slug": drawn_event.slug})

    with django_assert_max_num_queries(6):
        assert client.get(gallery).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(drawn_event.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_board_emails_show_the_event_cover(
    drawn_event, user, mailoutbox, django_capture_on_commit_callbacks
):
    from discussions import services as discussions
    from discussions.models import Board
    from visuals.services import _refresh_cover

    cover = VisualFactory(event=drawn_event)
    _refresh_cover(drawn_event)
    board = Board.objects.for_event(drawn_event)
    follower = UserFactory()
    discussions.follow(user=follower, board=board)
    with django_capture_on_commit_callbacks(execute=True):
        discussions.start_thread(board=board, author=user, title="After the cafe", body="Hello")

    html = mailoutbox[0].alternatives[0][0]
    src = settings.SITE_URL + cover.upload.variant_url(768)
    assert f'<img src="{src}" width="768" height="512"' in html
    assert 'alt="A hand-drawn map of the conversation."' in html


@pytest.mark.django_db
def test_staff_see_visuals_and_uploads_in_the_admin(admin_client):
    client = admin_client
    visual = VisualFactory(title="Admin drawing")

    visuals = client.get(reverse("admin:visuals_visual_changelist"))
    uploads = client.get(reverse("admin:core_upload_changelist"))
    change = client.get(reverse("admin:visuals_visual_change", args=[visual.pk]))

    assert "Admin drawing" in visuals.content.decode()
    assert uploads.status_code == 200
    assert change.status_code == 200
    assert client.get(reverse("admin:core_upload_add")).status_code == 403


# --- pinned to an agenda item or an outcome ---------------------------------------------------


@pytest.mark.django_db
def test_artist_pins_a_drawing_to_an_agenda_item_and_an_outcome(
    artist_client, drawn_event, django_capture_on_commit_callbacks
):
    from record.models import AgendaItem, EventRecord, Outcome
    from tests.factories import EventFactory

    talk = AgendaItem.objects.create(event=drawn_event, starts_at="18:30", title="Talking Points")
    outcome = Outcome.objects.create(event=drawn_event, kind="action", title="Share it")
    elsewhere = EventFactory()
    AgendaItem.objects.create(event=elsewhere, starts_at="10:00", title="Not this event's")
    page = add_page(artist_client, drawn_event)
    form = page.context["form"]
    assert [label for _value, label in form.fields["agenda_item"].choices] == [
        "(not pinned)",
        "18:30 Talking Points",
    ]
    assert [label for _value, label in form.fields["outcome"].choices] == [
        "(not pinned)",
        "Share it",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = submit_form(
            artist_client,
            page,
            form=ADD_FORM,
            data=drawing_fields(agenda_item=talk.pk, outcome=outcome.pk),
            files={"file": samples.upload("d.jpg", samples.jpeg_bytes(400, 300))},
            button="action=publish",
        )
    visual = Visual.objects.get()
    assert response["Location"] == visual.get_absolute_url()
    assert (visual.agenda_item, visual.outcome) == (talk, outcome)

    # The image page names both once the record is public (the outcome only then).
    detail = artist_client.get(visual.get_absolute_url()).text
    assert "Talking Points" in detail
    assert "Share it" not in detail
    EventRecord.objects.create(event=drawn_event, summary="S", published_at=timezone.now())
    detail = artist_client.get(visual.get_absolute_url()).text
    record_url = reverse("record:event", kwargs={"slug": drawn_event.slug})
    assert f'href="{record_url}#outcome-{outcome.pk}">Share it</a>' in detail
    assert f'href="{record_url}#agenda-item-{talk.pk}">Talking Points</a>' in detail

    # Unpinning on the edit page.
    edit = artist_client.get(
        reverse("visuals:edit", kwargs={"event_slug": drawn_event.slug, "pk": visual.pk})
    )
    submit_form(artist_client, edit, form=ADD_FORM, data={"agenda_item": "", "outcome": ""})
    visual.refresh_from_db()
    assert (visual.agenda_item, visual.outcome) == (None, None)


@pytest.mark.django_db
def test_an_event_without_agenda_or_outcomes_offers_no_pins(artist_client, drawn_event):
    form = add_page(artist_client, drawn_event).context["form"]
    assert "agenda_item" not in form.fields
    assert "outcome" not in form.fields


@pytest.mark.django_db
def test_another_events_agenda_item_is_refused(artist_client, drawn_event):
    from record.models import AgendaItem
    from tests.factories import EventFactory

    AgendaItem.objects.create(event=drawn_event, starts_at="18:30", title="Ours")
    theirs = AgendaItem.objects.create(event=EventFactory(), starts_at="10:00", title="Theirs")
    page = add_page(artist_client, drawn_event)
    # A person cannot choose it (submit_form refuses options the page does not offer), so the
    # forged value goes in by hand, on top of everything the page rendered.
    data = {**form_data(page, ADD_FORM, button="action=publish"), **drawing_fields()}
    data["agenda_item"] = str(theirs.pk)
    data["file"] = samples.upload("d.jpg", samples.jpeg_bytes(400, 300))
    response = artist_client.post(
        reverse("visuals:add", kwargs={"event_slug": drawn_event.slug}), data
    )
    assert list(response.context["form"].errors) == ["agenda_item"]
    assert Visual.objects.count() == 0


@pytest.mark.django_db
def test_control_characters_typed_into_a_visual_are_cleaned(
    artist_client, drawn_event, django_capture_on_commit_callbacks
):
    typed = drawing_fields(
        title="Ok\x0bso\rwhat's your policy?",
        alt_text="Speech bubbles\x0b around\r\na cafe table.",
        transcript="Listen first.\rCore\x0b economy.",
        caption="Drawn\x0blive\r",
        credit_text="Ruth\x0bEvans and friends",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_form(
            artist_client,
            add_page(artist_client, drawn_event),
            form=ADD_FORM,
            data=typed,
            files={"file": samples.upload("d.jpg", samples.jpeg_bytes(400, 300))},
            button="action=publish",
        )

    assert response.status_code == 302
    visual = Visual.objects.get()
    assert [
        visual.title,
        visual.alt_text,
        visual.transcript,
        visual.caption,
        visual.credit_text,
    ] == [
        "Ok so what's your policy?",
        "Speech bubbles around a cafe table.",
        "Listen first.\nCore economy.",
        "Drawn live",
        "Ruth Evans and friends",
    ]
    drawn_event.refresh_from_db()
    assert drawn_event.cover_alt == "Speech bubbles around a cafe table."


@pytest.mark.django_db
def test_a_thread_about_a_drawing_gets_a_clean_title_and_body_and_its_mail_goes(
    client, drawn_event, user, django_capture_on_commit_callbacks
):
    visual = VisualFactory(event=drawn_event, title="Core economy map")
    follower = UserFactory()
    discussion_services.follow(user=follower, board=Board.objects.for_event(drawn_event))
    client.force_login(user)
    url = reverse("visuals:discuss", kwargs={"event_slug": drawn_event.slug, "pk": visual.pk})

    with django_capture_on_commit_callbacks(execute=True):
        submit_form(
            client,
            client.get(url),
            form="#discuss-form",
            data={"title": "Who\x0bdrew\rit?", "body": "Who drew\x0b the map?\r"},
        )

    visual.refresh_from_db()
    assert visual.thread.title == "Who drew it?"
    assert visual.thread.posts.get().body_source.startswith("Who drew the map?")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([follower.email], "[Policy Cafe re-launch] Who drew it?")
    ]


@pytest.mark.django_db
def test_the_credit_picker_offers_the_people_listed_not_those_only_invited(
    artist_client, drawn_event
):
    invitee = PersonFactory(name="Ivor Invited", user=UserFactory())
    EventRoleFactory(event=drawn_event, person=invitee, role="organiser", status="pending")

    page = add_page(artist_client, drawn_event)

    offered = [str(p) for p in page.context["form"].fields["credit_person"].queryset]
    assert offered == ["Ruth Evans", "Sophie"]
    assert "Ivor Invited" not in page.content.decode()
