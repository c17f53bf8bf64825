"""Demo visuals: Chris Glynn's graphic recording of the Policy Cafe re-launch, drawn by Pillow here
(no third-party file), with alt text and transcripts, through the same pipeline as any upload."""

import io
import math
import random

from django.contrib.auth import get_user_model
from PIL import Image, ImageDraw, ImageFont

from core.tasks import make_variants
from core.uploads import inspect_upload
from events.models import Event
from people.models import Person
from record.models import Outcome
from visuals import services
from visuals.models import Visual

EVENT_SLUG = "policy-cafe-re-launch"
ARTIST_SLUG = "chris-glynn"

INK = (33, 37, 41)
PAPER = (253, 251, 245)
COLOURS = [(0, 107, 84), (214, 90, 49), (52, 101, 164), (196, 160, 0), (140, 60, 120)]

# (title, caption, alt text, [(bubble text, ...)], central heading, themes index)
DRAWINGS = [
    {
        "title": "Ok so what's your policy?",
        "caption": "The opening question, drawn as the room answered it.",
        "alt": "A graphic recording: a cafe table in the centre ringed by six speech bubbles, "
        "with the question “Ok so what's your policy?” written large across the top.",
        "heading": "Ok so what's your policy?",
        "bubbles": [
            "Listen first",
            "Who is in the room?",
            "Not for us, with us",
            "Start small",
            "Time, not money",
            "Trust takes years",
        ],
    },
    {
        "title": "Core economy vs money economy",
        "caption": "Becky Booth's Time Credits, and what the room made of them.",
        "alt": "A drawing split in two: on the left a heart and linked hands labelled "
        "“core economy”, on the right coins labelled “money economy”, with arrows between.",
        "heading": "Core economy vs money economy",
        # Pinned beside the outcome it fed (demo/record.py), on the record page.
        "outcome": "Take the core economy",
        "bubbles": [
            "Time Credits",
            "An hour is an hour",
            "Carers hold it up",
            "Count what matters",
            "Who pays?",
        ],
    },
    {
        "title": "Co-production or reinventing the wheel?",
        "caption": "Ruth Dineen on the joys (and the wheels) of co-production.",
        "alt": "A large wheel drawn in the middle with spokes labelled by the room's answers, "
        "and a question mark beside it.",
        "heading": "Reinventing the wheel?",
        "outcome": "Is co-production reinventing the wheel",
        "bubbles": [
            "It's a way of working",
            "Share power",
            "Everyone brings assets",
            "Learn from Scotland",
            "Keep going",
        ],
    },
    {
        "title": "What happens next",
        "caption": "The closing round: what people will take back to work.",
        "alt": "A path of footprints winding up the page to a signpost, with the next steps "
        "people named written along the way.",
        "heading": "What happens next",
        "bubbles": [
            "Bring a citizen next time",
            "Policy Cafe every term",
            "Write it up together",
            "Ask again in six months",
        ],
    },
]


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _centred(draw, xy, text, font, fill=INK):
    box = draw.textbbox((0, 0), text, font=font)
    width, height = box[2] - box[0], box[3] - box[1]
    draw.text((xy[0] - width / 2, xy[1] - height / 2), text, font=font, fill=fill)


def draw_recording(spec: dict, *, seed: int, size=(1800, 1200)) -> bytes:
    """A graphic recording in the artist's style: heading, a centre piece, bubbles, arrows."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(image)
    width, height = size
    _centred(draw, (width / 2, 90), spec["heading"], _font(78))
    draw.line((width * 0.2, 150, width * 0.8, 150), fill=COLOURS[seed % 5], width=8)
    centre = (width / 2, height / 2 + 60)
    draw.ellipse(
        (centre[0] - 190, centre[1] - 120, centre[0] + 190, centre[1] + 120),
        outline=INK,
        width=6,
        fill=(240, 236, 224),
    )
    _centred(draw, centre, "Policy Cafe", _font(48))
    bubbles = spec["bubbles"]
    for index, text in enumerate(bubbles):
        angle = 2 * math.pi * index / len(bubbles) - math.pi / 2 + rng.uniform(-0.15, 0.15)
        x = centre[0] + math.cos(angle) * width * 0.34
        y = centre[1] + math.sin(angle) * height * 0.32
        colour = COLOURS[(index + seed) % len(COLOURS)]
        font = _font(44)
        box = draw.textbbox((0, 0), text, font=font)
        half_w, half_h = (box[2] - box[0]) / 2 + 36, (box[3] - box[1]) / 2 + 30
        draw.rounded_rectangle(
            (x - half_w, y - half_h, x + half_w, y + half_h),
            radius=40,
            outline=colour,
            width=6,
            fill="white",
        )
        _centred(draw, (x, y), text, font)
        # An arrow from the centre piece to the bubble.
        start = (centre[0] + math.cos(angle) * 200, centre[1] + math.sin(angle) * 130)
        # Stop at the bubble's edge: the nearer of its side and its top/bottom along the line.
        cos, sin = math.cos(angle), math.sin(angle)
        reach = min(half_w / abs(cos) if cos else math.inf, half_h / abs(sin) if sin else math.inf)
        end = (x - cos * (reach + 10), y - sin * (reach + 10))
        draw.line((start, end), fill=colour, width=5)
        draw.ellipse((end[0] - 9, end[1] - 9, end[0] + 9, end[1] + 9), fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def transcript(spec: dict) -> str:
    lines = [f"Heading: {spec['heading']}", "In the centre: Policy Cafe."]
    lines += [f"Speech bubble: {text}" for text in spec["bubbles"]]
    return "\n".join(lines)


def load(*, stdout=None) -> int:
    """Add the re-launch's drawings (idempotent: an event that has visuals is left alone)."""
    event = Event.objects.filter(slug=EVENT_SLUG).first()
    if event is None or event.visuals.exists():
        return 0
    artist = Person.objects.filter(slug=ARTIST_SLUG).first()
    uploader = (artist.user if artist and artist.user_id else None) or (
        get_user_model().objects.filter(is_staff=True).order_by("pk").first()
    )
    if uploader is None:
        return 0
    themes = list(event.themes.order_by("name"))
    for index, spec in enumerate(DRAWINGS):
        content = draw_recording(spec, seed=index)
        clean = inspect_upload(_named(f"policy-cafe-{index + 1}.jpg", content))
        visual = services.add_visual(
            event=event,
            user=uploader,
            file=clean,
            themes=themes[index : index + 2],
            publish=True,
            kind=Visual.Kind.DRAWING,
            title=spec["title"],
            alt_text=spec["alt"],
            has_words=True,
            transcript=transcript(spec),
            caption=spec["caption"],
            credit_person=artist,
            credit_text="" if artist else "Chris Glynn",
            licence=Visual.Licence.CC_BY_NC,
            outcome=(
                Outcome.objects.filter(event=event, title__startswith=spec["outcome"]).first()
                if "outcome" in spec
                else None
            ),
        )
        # The worker would do this after commit; the demo wants the variants now.
        make_variants.call(visual.upload_id)
    if stdout:
        stdout.write(f"Drew {len(DRAWINGS)} graphic recordings for {event.title}.")
    return len(DRAWINGS)


def _named(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/jpeg")
