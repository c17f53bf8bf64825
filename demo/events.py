"""Demo data drawn from the seed post, and synthetic events for benchmarks.

Everything is keyed by slug or email and written with update_or_create, so loading twice changes
nothing but the dates (which follow today, so there are always past and upcoming events).
"""

import random
import time as clock
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from events.models import LONDON, Event, EventRole, Series, Theme, Venue
from people.models import Affiliation, Organisation, Person, User

# Documented in the command output and the README: demo accounts only, never in production.
DEMO_PASSWORDS = {
    "sophie@example.org": "commons-organiser",
    "attendee@example.org": "commons-attendee",
    "admin@example.org": "commons-admin",
}

THEMES = {
    "co-production-or-reinventing-the-wheel": (
        "Co-production or reinventing the wheel?",
        "Is co-production something new, or good practice we already had under another name?",
    ),
    "co-production-as-neo-liberal-dogma": (
        "Co-production as neo-liberal dogma?",
        "Does asking citizens to co-produce services shift the state's responsibilities onto them?",
    ),
    "how-citizens-can-wrest-power-from-governments": (
        "How citizens can wrest power from governments",
        "What it takes for power to move, not just for people to be consulted.",
    ),
    "risk-averse-cultures": (
        "Risk-averse cultures",
        "Why public bodies find it hard to share control, and what helps.",
    ),
    "core-economy-over-money-economy": (
        "Core economy over money economy",
        "Reasserting the value of the time, care and skills people give each other.",
    ),
    "relationship-centred-outcomes": (
        "Relationship-centred outcomes",
        "Moving from top-down, performance-based measures to bottom-up, relationship-centred "
        "outcomes, as in Scotland's Talking Points Personal Outcomes Approach.",
    ),
}

# The themes in Welsh (docs/cy-glossary.md): slug: (name, description).
THEMES_CY = {
    "co-production-or-reinventing-the-wheel": (
        "Cyd-gynhyrchu, neu ailddyfeisio'r olwyn?",
        "Ai rhywbeth newydd yw cyd-gynhyrchu, neu arfer da oedd gennym eisoes dan enw arall?",
    ),
    "co-production-as-neo-liberal-dogma": (
        "Cyd-gynhyrchu fel dogma neo-ryddfrydol?",
        "Ydy gofyn i ddinasyddion gyd-gynhyrchu gwasanaethau yn symud cyfrifoldebau'r "
        "wladwriaeth i'w hysgwyddau nhw?",
    ),
    "how-citizens-can-wrest-power-from-governments": (
        "Sut gall dinasyddion gipio grym oddi ar lywodraethau",
        "Beth sydd ei angen i rym symud go iawn, nid dim ond i bobl gael eu holi.",
    ),
    "risk-averse-cultures": (
        "Diwylliannau sy'n osgoi risg",
        "Pam mae cyrff cyhoeddus yn ei chael hi'n anodd rhannu rheolaeth, a beth sy'n helpu.",
    ),
    "core-economy-over-money-economy": (
        "Yr economi graidd o flaen yr economi arian",
        "Ailddatgan gwerth yr amser, y gofal a'r sgiliau y mae pobl yn eu rhoi i'w gilydd.",
    ),
    "relationship-centred-outcomes": (
        "Canlyniadau sy'n canolbwyntio ar berthnasoedd",
        "Symud o fesurau perfformiad o'r brig i lawr at ganlyniadau o'r gwaelod i fyny sy'n "
        "canolbwyntio ar berthnasoedd, fel Dull Canlyniadau Personol Talking Points yn yr Alban.",
    ),
}

ORGANISATIONS = {
    "cardiff-university": ("Cardiff University", "https://www.cardiff.ac.uk/"),
    "welsh-government": ("Welsh Government", "https://www.gov.wales/"),
    "spice": ("Spice", ""),
    "cynnal-cymru-sustain-wales": ("Cynnal Cymru – Sustain Wales", "https://cynnalcymru.com/"),
    "cardiff-school-of-art-design": ("Cardiff School of Art & Design", ""),
    "co-production-wales": ("Co-production Wales (All in this Together)", ""),
}

# Organisations' own Welsh names ("Spice" has none: Welsh pages show it marked lang="en"; Cynnal
# Cymru's name is bilingual already).
ORGANISATIONS_CY = {
    "cardiff-university": "Prifysgol Caerdydd",
    "welsh-government": "Llywodraeth Cymru",
    "cynnal-cymru-sustain-wales": "Cynnal Cymru – Sustain Wales",
    "cardiff-school-of-art-design": "Ysgol Gelf a Dylunio Caerdydd",
    "co-production-wales": "Cyd-gynhyrchu Cymru (Pawb Gyda'n Gilydd)",
}

PEOPLE = {
    # slug: (name, headline, [(organisation slug, title)])
    "sophie-hallett": ("Sophie Hallett", "Policy Cafe organiser", [("cardiff-university", "")]),
    "sara-knight": ("Sara Knight", "Policy Cafe organiser", [("cardiff-university", "")]),
    "mark-drakeford": ("Mark Drakeford", "Member of the Senedd for Cardiff West", []),
    "ruth-dineen": (
        "Ruth Dineen",
        "UK National Teaching Fellow, founder of Co-production Wales",
        [("co-production-wales", "Founder")],
    ),
    "becky-booth": ("Becky Booth", "Spice", [("spice", "")]),
    "chris-glynn": (
        "Chris Glynn",
        "Artist, Cardiff School of Art & Design",
        [("cardiff-school-of-art-design", "")],
    ),
}

# People's headlines in Welsh (a headline that is a name, such as "Spice", stays as it is).
HEADLINES_CY = {
    "sophie-hallett": "Trefnydd y Caffi Polisi",
    "sara-knight": "Trefnydd y Caffi Polisi",
    "mark-drakeford": "Aelod o'r Senedd dros Orllewin Caerdydd",
    "ruth-dineen": "Cymrawd Addysgu Cenedlaethol y DU, sylfaenydd Cyd-gynhyrchu Cymru",
    "chris-glynn": "Artist, Ysgol Gelf a Dylunio Caerdydd",
}

VENUES = {
    "glamorgan-building-cardiff-university": {
        "name_en": "Glamorgan Building, Cardiff University",
        "name_cy": "Adeilad Morgannwg, Prifysgol Caerdydd",
        "address": "King Edward VII Avenue\nCardiff",
        "postcode": "CF10 3WT",
        "latitude": Decimal("51.486900"),
        "longitude": Decimal("-3.181200"),
        "step_free_access": True,
        "accessible_toilet": True,
        "hearing_loop": True,
        "access_notes_en": "Level entrance from King Edward VII Avenue; lift to every floor. "
        "Cathays station is a five-minute walk.",
        "access_notes_cy": "Mynedfa wastad o Rodfa'r Brenin Edward VII; lifft i bob llawr. "
        "Mae gorsaf Cathays bum munud ar droed.",
    },
    "cynnal-cymru-office": {
        "name_en": "Cynnal Cymru – Sustain Wales office",
        "name_cy": "Swyddfa Cynnal Cymru",
        "address": "Cardiff",
        "postcode": "CF10 1AA",
        "latitude": Decimal("51.481600"),
        "longitude": Decimal("-3.179100"),
        "step_free_access": True,
        "quiet_room": True,
        "access_notes_en": "Small meeting room on the ground floor.",
        "access_notes_cy": "Ystafell gyfarfod fach ar y llawr gwaelod.",
    },
    "welsh-government-cathays-park": {
        "name_en": "Welsh Government, Cathays Park",
        "name_cy": "Llywodraeth Cymru, Parc Cathays",
        "address": "Cathays Park\nCardiff",
        "postcode": "CF10 3NQ",
        "latitude": Decimal("51.485800"),
        "longitude": Decimal("-3.179700"),
        "step_free_access": True,
        "accessible_toilet": True,
        "hearing_loop": True,
        "accessible_parking": True,
        "access_notes_en": "Bring photo ID for the security desk. "
        "Blue-badge parking by arrangement.",
        "access_notes_cy": "Dewch â cherdyn adnabod â llun i'r ddesg ddiogelwch. "
        "Parcio bathodyn glas drwy drefniant.",
    },
}


def _at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """Today's London date moved by `day_offset` days, at hour:minute London time."""
    today = timezone.localdate(timezone=LONDON)
    return datetime.combine(today + timedelta(days=day_offset), time(hour, minute), tzinfo=LONDON)


def _events():
    """The seed-post events, relative to today: the re-launch was a fortnight ago."""
    relaunch = -14
    return [
        {
            "slug": "policy-cafe-re-launch",
            "title_en": "Policy Cafe re-launch: co-production, the way we do things?",
            "title_cy": "Ail-lansio'r Caffi Polisi: cyd-gynhyrchu, ein ffordd ni o wneud pethau?",
            "kind": Event.Kind.CAFE,
            "summary_cy": "Ail-lansio Caffi Polisi Prifysgol Caerdydd: cyd-gynhyrchu i'r rhai "
            "sydd wedi'u hargyhoeddi a'r rhai sydd heb, ymarferwyr ac ymchwilwyr, y chwilfrydig "
            "a'r amheus. Bydd caws, bara a gwin.",
            "description_cy": "Mae Ruth Dineen yn rhannu llawenydd cyd-gynhyrchu, mae Becky Booth "
            "o Spice yn dod â phrofiad bywyd gyda chyflwyniad ar Gredydau Amser, ac mae Chris "
            "Glynn yn darlunio'r drafodaeth wrth iddi ddigwydd.\n\nCyn, yn ystod ac ar ôl, "
            "helpwch eich hun o fyrddau'n llawn caws mawr, bara crystiog a gwin.",
            "summary_en": "The re-launch of Cardiff University's Policy Cafe: co-production for "
            "the converted and the unconverted, practitioners and researchers, the interested and "
            "the sceptical. Cheese, bread and wine provided.",
            "description_en": "Ruth Dineen shares the joys of co-production, Becky Booth of Spice "
            "adds lived experience with a presentation on Time Credits, and Chris Glynn draws the "
            "discussion as it happens.\n\nBefore, during and after, help yourself from tables "
            "stacked with big cheeses, crusty bread and wine.",
            "starts_at": _at(relaunch, 18),
            "ends_at": _at(relaunch, 20, 30),
            "venue": "glamorgan-building-cardiff-university",
            "series": "policy-cafe",
            "hosts": ["cardiff-university"],
            "themes": list(THEMES)[:5],
            "roles": [
                ("sophie-hallett", EventRole.Role.ORGANISER, ""),
                ("sara-knight", EventRole.Role.ORGANISER, ""),
                ("mark-drakeford", EventRole.Role.CHAIR, "Helping the discussion along"),
                ("ruth-dineen", EventRole.Role.SPEAKER, "The joys of co-production"),
                (
                    "becky-booth",
                    EventRole.Role.SPEAKER,
                    "Time Credits and their co-productive impact",
                ),
                ("chris-glynn", EventRole.Role.ARTIST, "Drawing responses"),
            ],
            "capacity": 80,
            "language": Event.Language.ENGLISH,
            "interpretation": True,
        },
        {
            "slug": "co-production-morning-with-cynnal-cymru",
            "title_en": "A co-production morning with Cynnal Cymru – Sustain Wales",
            "title_cy": "Bore cyd-gynhyrchu gyda Cynnal Cymru",
            "kind": Event.Kind.WORKSHOP,
            "summary_cy": "Gweithdy gyda thîm Cynnal Cymru ar drawsnewid y ffordd maen nhw'n "
            "gweithio ac arwain y chwyldro cyd-gynhyrchu yng Nghymru.",
            "description_cy": "Bore agored a gonest i griw ymroddedig o bobl sydd am helpu i "
            "sicrhau bod gan bob un ohonom ddyfodol.",
            "summary_en": "A workshop with the Cynnal Cymru team on transforming the way they work "
            "and taking a lead in the co-production revolution in Wales.",
            "description_en": "An open, honest morning for a committed group of people aiming to "
            "help ensure we all have a future.",
            "starts_at": _at(relaunch + 1, 9, 30),
            "ends_at": _at(relaunch + 1, 12, 30),
            "venue": "cynnal-cymru-office",
            "hosts": ["cynnal-cymru-sustain-wales"],
            "themes": ["how-citizens-can-wrest-power-from-governments", "risk-averse-cultures"],
            "roles": [("ruth-dineen", EventRole.Role.FACILITATOR, "Co-production in practice")],
            "capacity": 15,
            "language": Event.Language.WELSH,
        },
        {
            "slug": "round-table-service-user-empowerment",
            "title_en": "Round-table: service-user empowerment and the Social Services and "
            "Well-being Bill",
            "title_cy": "Bord gron: grymuso defnyddwyr gwasanaethau a'r Bil Gwasanaethau "
            "Cymdeithasol a Llesiant",
            "kind": Event.Kind.ROUND_TABLE,
            "summary_cy": "Bord gron Llywodraeth Cymru ar 'rymuso defnyddwyr gwasanaethau' yn y "
            "Bil Gwasanaethau Cymdeithasol a Llesiant, ac ar Fframwaith Canlyniadau Cenedlaethol "
            "sy'n symud o fesurau o'r brig i lawr at ganlyniadau sy'n canolbwyntio ar "
            "berthnasoedd.",
            "description_cy": "Dewch â blaenoriaethau'r bobl ar y rheng flaen. Mae Dull "
            "Canlyniadau Personol Talking Points Llywodraeth yr Alban yn fodel â sail dystiolaeth "
            "gadarn, ac mae ein cydweithwyr yn yr Alban yn fodlon ei rannu.",
            "summary_en": "A Welsh Government round-table on 'service-user empowerment' in the "
            "Social Services and Well-being Bill, and on a National Outcomes Framework that moves "
            "from top-down measures to relationship-centred outcomes.",
            "description_en": "Bring the priorities of people on the front line. The Scottish "
            "Government's Talking Points Personal Outcomes Approach offers a well-evidenced model "
            "that our Scottish colleagues are happy to share.",
            "starts_at": _at(6, 10),
            "ends_at": _at(6, 13),
            "venue": "welsh-government-cathays-park",
            "hosts": ["welsh-government"],
            "themes": [
                "relationship-centred-outcomes",
                "how-citizens-can-wrest-power-from-governments",
            ],
            "roles": [("ruth-dineen", EventRole.Role.PANELLIST, "What the front line told us")],
            "capacity": 20,
            "language": Event.Language.BILINGUAL,
            "interpretation": True,
            "bsl_interpretation": True,
        },
        {
            "slug": "policy-cafe-core-economy",
            "title_en": "Policy Cafe: the core economy and the money economy",
            "title_cy": "Caffi Polisi: yr economi graidd a'r economi arian",
            "kind": Event.Kind.CAFE,
            "mode": Event.Mode.HYBRID,
            "online_url": "https://meet.example.org/policy-cafe",
            "summary_cy": "Mae'r Caffi Polisi nesaf yn dilyn trywydd mwyaf bywiog yr ail-lansio: "
            "sut mae rhoi gwerth ar yr amser, y gofal a'r sgiliau y mae pobl yn eu rhoi i'w "
            "gilydd. Ymunwch yn yr ystafell neu ar-lein.",
            "description_cy": "Gall pobl sy'n ymuno ar-lein siarad, a byddwn yn cadw llygad ar y "
            "sgwrs. Bydd capsiynau byw.",
            "summary_en": "The next Policy Cafe picks up the re-launch's liveliest thread: how to "
            "value the time, care and skills people give each other. Join in the room or online.",
            "description_en": "Online participants can speak and are watched for in the chat. Live "
            "captions are provided.",
            "starts_at": _at(42, 18),
            "ends_at": _at(42, 20),
            "venue": "glamorgan-building-cardiff-university",
            "series": "policy-cafe",
            "hosts": ["cardiff-university"],
            "themes": ["core-economy-over-money-economy", "co-production-as-neo-liberal-dogma"],
            "roles": [
                ("sophie-hallett", EventRole.Role.ORGANISER, ""),
                ("sara-knight", EventRole.Role.ORGANISER, ""),
                ("becky-booth", EventRole.Role.SPEAKER, "What Time Credits taught us"),
            ],
            "capacity": 60,
            "language": Event.Language.BILINGUAL,
            "live_captions": True,
        },
        {
            "slug": "talking-points-online",
            # English only: a Welsh page shows it in English, marked lang="en".
            "title_en": "Talking Points: learning from Scotland's Personal Outcomes Approach",
            "kind": Event.Kind.SEMINAR,
            "mode": Event.Mode.ONLINE,
            "online_url": "https://meet.example.org/talking-points",
            "summary_en": "An online seminar with colleagues from Scotland on putting a "
            "relationship-centred approach into practice, and the challenges they faced.",
            "starts_at": _at(20, 12, 30),
            "ends_at": _at(20, 13, 30),
            "themes": ["relationship-centred-outcomes"],
            "roles": [("ruth-dineen", EventRole.Role.CHAIR, "")],
            "live_captions": True,
        },
    ]


def _say(stdout, message):
    if stdout is not None:
        stdout.write(message + "\n")


@transaction.atomic
def load_seed(*, stdout=None) -> dict:
    """The events, people and places of the seed post (idempotent)."""
    themes = {
        slug: Theme.objects.update_or_create(
            slug=slug,
            defaults={
                "name_en": name,
                "description_en": description,
                "name_cy": THEMES_CY[slug][0],
                "description_cy": THEMES_CY[slug][1],
            },
        )[0]
        for slug, (name, description) in THEMES.items()
    }
    orgs = {
        slug: Organisation.objects.update_or_create(
            slug=slug,
            defaults={
                "name_en": name,
                "name_cy": ORGANISATIONS_CY.get(slug, ""),
                "website": website,
            },
        )[0]
        for slug, (name, website) in ORGANISATIONS.items()
    }
    people = {}
    for slug, (name, headline, affiliations) in PEOPLE.items():
        person = Person.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "headline_en": headline,
                "headline_cy": HEADLINES_CY.get(slug, ""),
            },
        )[0]
        for org_slug, title in affiliations:
            Affiliation.objects.update_or_create(
                person=person, organisation=orgs[org_slug], defaults={"title": title}
            )
        people[slug] = person
    venues = {
        slug: Venue.objects.update_or_create(slug=slug, defaults=fields)[0]
        for slug, fields in VENUES.items()
    }
    series, _created = Series.objects.update_or_create(
        slug="policy-cafe",
        defaults={
            "name_en": "Policy Cafe",
            "name_cy": "Caffi Polisi",
            "description_en": "Cardiff University's informal evenings where research, policy and "
            "practice meet over cheese and wine.",
            "description_cy": "Nosweithiau anffurfiol Prifysgol Caerdydd, lle mae ymchwil, polisi "
            "ac ymarfer yn cwrdd dros gaws a gwin.",
        },
    )
    series.hosts.set([orgs["cardiff-university"]])

    users = _load_users(people)
    now = timezone.now()
    for spec in _events():
        spec = dict(spec)
        roles = spec.pop("roles")
        theme_slugs = spec.pop("themes")
        host_slugs = spec.pop("hosts", [])
        venue_slug = spec.pop("venue", None)
        series_slug = spec.pop("series", None)
        slug = spec.pop("slug")
        event, _created = Event.objects.update_or_create(
            slug=slug,
            defaults={
                **spec,
                "venue": venues[venue_slug] if venue_slug else None,
                "series": series if series_slug else None,
                "status": Event.Status.PUBLISHED,
                "created_by": users["sophie@example.org"],
            },
            create_defaults={
                **spec,
                "venue": venues[venue_slug] if venue_slug else None,
                "series": series if series_slug else None,
                "status": Event.Status.PUBLISHED,
                "published_at": now,
                "created_by": users["sophie@example.org"],
            },
        )
        event.themes.set([themes[s] for s in theme_slugs])
        event.hosts.set([orgs[s] for s in host_slugs])
        keep = []
        for order, (person_slug, role, contribution) in enumerate(roles):
            event_role, _created = EventRole.objects.update_or_create(
                event=event,
                person=people[person_slug],
                role=role,
                defaults={"contribution_title": contribution, "order": order},
            )
            keep.append(event_role.pk)
        event.roles.exclude(pk__in=keep).delete()
    _say(
        stdout,
        f"Seed-post demo: {len(_events())} events, {len(people)} people, {len(themes)} themes.",
    )
    for email, password in DEMO_PASSWORDS.items():
        _say(stdout, f"  sign in as {email} / {password}")
    return {"events": len(_events())}


def _load_users(people) -> dict:
    from allauth.account.models import EmailAddress

    specs = {
        "sophie@example.org": {"username": "sophie", "display_name": "Sophie Hallett"},
        "attendee@example.org": {"username": "attendee", "display_name": "Demo Attendee"},
        "admin@example.org": {
            "username": "admin",
            "display_name": "Demo Admin",
            "is_staff": True,
            "is_superuser": True,
        },
    }
    users = {}
    for email, fields in specs.items():
        user, created = User.objects.update_or_create(email=email, defaults=fields)
        if created or not user.check_password(DEMO_PASSWORDS[email]):
            user.set_password(DEMO_PASSWORDS[email])
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        users[email] = user
    organisers = Group.objects.get_or_create(name=User.ORGANISERS_GROUP)[0]
    users["sophie@example.org"].groups.add(organisers)
    sophie = people["sophie-hallett"]
    if sophie.user_id != users["sophie@example.org"].pk:
        sophie.user = users["sophie@example.org"]
        sophie.save(update_fields=["user"])
    return users


# --- synthetic data for benchmarks ---------------------------------------------------------------

FIRST_NAMES = [
    "Aled",
    "Bethan",
    "Carys",
    "Dafydd",
    "Eleri",
    "Ffion",
    "Gareth",
    "Gwen",
    "Huw",
    "Iolo",
    "Jac",
    "Lowri",
    "Manon",
    "Nia",
    "Owain",
    "Rhian",
    "Rhys",
    "Sian",
    "Tomos",
    "Zara",
    "Amira",
    "Ben",
    "Chloe",
    "Deepa",
    "Emeka",
    "Farah",
    "Grace",
    "Hamza",
    "Imogen",
    "Kofi",
    "Leila",
    "Mo",
]
LAST_NAMES = [
    "Jones",
    "Williams",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "Hughes",
    "Lewis",
    "Morgan",
    "Griffiths",
    "Price",
    "Rees",
    "Owen",
    "Jenkins",
    "Powell",
    "Edwards",
    "Hopkins",
    "Pritchard",
    "Bowen",
    "Lloyd",
    "Khan",
    "Okafor",
    "Patel",
    "Ahmed",
    "Nowak",
    "Silva",
]
TOWNS = [
    ("Cardiff", Decimal("51.4816"), Decimal("-3.1791"), "CF10"),
    ("Swansea", Decimal("51.6214"), Decimal("-3.9436"), "SA1"),
    ("Newport", Decimal("51.5842"), Decimal("-2.9977"), "NP20"),
    ("Wrexham", Decimal("53.0466"), Decimal("-2.9925"), "LL11"),
    ("Bangor", Decimal("53.2274"), Decimal("-4.1293"), "LL57"),
    ("Aberystwyth", Decimal("52.4153"), Decimal("-4.0829"), "SY23"),
    ("Carmarthen", Decimal("51.8576"), Decimal("-4.3121"), "SA31"),
    ("Merthyr Tydfil", Decimal("51.7487"), Decimal("-3.3816"), "CF47"),
]
VENUE_KINDS = ["Community Centre", "Library", "Town Hall", "Hub", "Chapel Vestry", "Guildhall"]
THEME_TOPICS = [
    "Time banking",
    "Housing co-operatives",
    "Youth voice",
    "Ageing well",
    "Mental health peer support",
    "Participatory budgeting",
    "Community energy",
    "Food poverty",
    "Disability rights",
    "Carers' networks",
    "Digital inclusion",
    "Welsh language services",
    "Rural transport",
    "Asset-based community development",
    "Citizen juries",
    "Social prescribing",
    "Co-design in schools",
    "Public health partnerships",
    "Restorative practice",
    "Volunteering",
    "Local food",
    "Arts and wellbeing",
    "Green spaces",
    "Community-led housing",
    "Lived experience panels",
    "Evaluation that counts",
    "Procurement for good",
    "Neighbourhood planning",
    "Trauma-informed services",
    "Future generations",
]
SERIES_FORMATS = ["Policy Cafe", "Learning Circle", "Practice Exchange", "Community Lab", "Forum"]
ORG_KINDS = ["Housing Association", "County Voluntary Council", "Health Board", "Trust", "Network"]
EVENT_OPENERS = [
    "Conversations on",
    "A cafe on",
    "Round-table:",
    "Workshop:",
    "Learning together:",
    "What works in",
    "Rethinking",
    "Open space on",
]
ROLE_CHOICES = [
    EventRole.Role.SPEAKER,
    EventRole.Role.SPEAKER,
    EventRole.Role.PANELLIST,
    EventRole.Role.FACILITATOR,
    EventRole.Role.CHAIR,
    EventRole.Role.ARTIST,
]
ACCESS_FIELDS = [
    "step_free_access",
    "accessible_toilet",
    "hearing_loop",
    "bsl_interpretation",
    "live_captions",
    "quiet_room",
    "accessible_parking",
    "large_print",
]
BATCH = 2000
SYNTHETIC_PREFIX = "syn-"


def _bulk_get_or_create(model, objs, *, key="slug"):
    """Create the rows of `objs` whose `key` is new; return {key: row} for all of them."""
    wanted = {getattr(obj, key): obj for obj in objs}
    existing = {
        getattr(row, key): row for row in model.objects.filter(**{f"{key}__in": list(wanted)})
    }
    missing = [obj for k, obj in wanted.items() if k not in existing]
    model.objects.bulk_create(missing, batch_size=BATCH)
    if missing:
        existing.update(
            (getattr(row, key), row)
            for row in model.objects.filter(**{f"{key}__in": [getattr(o, key) for o in missing]})
        )
    return existing


def load_synthetic(*, count: int, stdout=None, seed: int = 2026) -> dict:
    """`count` synthetic events with people, venues, themes, series and hosts, in bulk.

    Deterministic (seeded) and keyed by slug (`syn-event-<n>`): running it again with the same or a
    smaller count creates nothing new; a larger count adds only the missing events.
    """
    started = clock.perf_counter()
    rng = random.Random(seed)
    n_people = max(20, min(5000, count // 4))
    n_venues = max(8, min(400, count // 25))
    n_orgs = max(10, min(300, count // 40))
    n_series = max(5, min(200, count // 50))

    with transaction.atomic():
        themes = _bulk_get_or_create(
            Theme,
            [
                Theme(slug=f"{SYNTHETIC_PREFIX}theme-{i}", name=topic)
                for i, topic in enumerate(THEME_TOPICS)
            ],
        )
        orgs = _bulk_get_or_create(
            Organisation,
            [
                Organisation(
                    slug=f"{SYNTHETIC_PREFIX}org-{i}",
                    name=f"{TOWNS[i % len(TOWNS)][0]} {ORG_KINDS[i % len(ORG_KINDS)]} "
                    f"{i // 40 + 1}",
                )
                for i in range(n_orgs)
            ],
        )
        people = _bulk_get_or_create(
            Person,
            [
                Person(
                    slug=f"{SYNTHETIC_PREFIX}person-{i}",
                    name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} "
                    f"{LAST_NAMES[(i * 7 + i // len(FIRST_NAMES)) % len(LAST_NAMES)]}",
                    headline=rng.choice(
                        ["Community organiser", "Researcher", "Social worker", "Carer", "Volunteer"]
                    ),
                )
                for i in range(n_people)
            ],
        )
        venues = []
        for i in range(n_venues):
            town, lat, lon, postcode = TOWNS[i % len(TOWNS)]
            jitter = Decimal(rng.randint(-900, 900)) / Decimal(100000)
            venues.append(
                Venue(
                    slug=f"{SYNTHETIC_PREFIX}venue-{i}",
                    name=f"{town} {VENUE_KINDS[i % len(VENUE_KINDS)]} {i // 48 + 1}",
                    address=f"{rng.randint(1, 120)} High Street\n{town}",
                    postcode=f"{postcode} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}"
                    f"{rng.choice('LNPQRSTU')}",
                    latitude=lat + jitter,
                    longitude=lon - jitter,
                    **{name: rng.random() < 0.5 for name in ACCESS_FIELDS},
                )
            )
        venues = _bulk_get_or_create(Venue, venues)
        series = _bulk_get_or_create(
            Series,
            [
                Series(
                    slug=f"{SYNTHETIC_PREFIX}series-{i}",
                    name=f"{TOWNS[i % len(TOWNS)][0]} {SERIES_FORMATS[i % len(SERIES_FORMATS)]}"
                    + (f" {i // 40 + 1}" if i >= 40 else ""),
                )
                for i in range(n_series)
            ],
        )

        theme_list = list(themes.values())
        org_list, people_list = list(orgs.values()), list(people.values())
        venue_list, series_list = list(venues.values()), list(series.values())
        existing = set(
            Event.objects.filter(slug__startswith=f"{SYNTHETIC_PREFIX}event-").values_list(
                "slug", flat=True
            )
        )
        today = timezone.localdate(timezone=LONDON)
        now = timezone.now()
        new_events, links = [], []
        for i in range(count):
            # Draw every value whether or not the event exists, so event i is always the same.
            topic = rng.choice(theme_list)
            day = today + timedelta(days=rng.randint(-730, 365))
            starts = datetime.combine(day, time(rng.choice([9, 10, 13, 14, 18, 19])), LONDON)
            hours = rng.choice([1, 2, 2, 3, 6])
            kind = rng.choice(Event.Kind.values)
            mode = rng.choices(Event.Mode.values, weights=[6, 2, 2])[0]
            status = rng.choices(
                [Event.Status.PUBLISHED, Event.Status.CANCELLED, Event.Status.DRAFT],
                weights=[92, 5, 3],
            )[0]
            in_series = rng.random() < 0.4
            theme_picks = {topic, *rng.sample(theme_list, rng.randint(0, 2))}
            host_picks = set(rng.sample(org_list, rng.randint(1, 2)))
            role_picks = [(p, rng.choice(ROLE_CHOICES)) for p in rng.sample(people_list, 3)]
            access = {name: rng.random() < 0.15 for name in ACCESS_FIELDS}
            venue = rng.choice(venue_list)
            series_pick = rng.choice(series_list)
            slug = f"{SYNTHETIC_PREFIX}event-{i}"
            if slug in existing:
                continue
            new_events.append(
                Event(
                    slug=slug,
                    title=f"{rng.choice(EVENT_OPENERS)} {topic.name.lower()}",
                    kind=kind,
                    summary=f"An open {Event.Kind(kind).label.lower()} on {topic.name.lower()} "
                    f"for practitioners, researchers and citizens.",
                    description="Synthetic event for benchmarks.\n\nBring your questions.",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=hours),
                    mode=mode,
                    venue=None if mode == Event.Mode.ONLINE else venue,
                    online_url=""
                    if mode == Event.Mode.IN_PERSON
                    else f"https://meet.example.org/{i}",
                    status=status,
                    cancellation_reason="Not enough bookings." if status == "cancelled" else "",
                    capacity=rng.choice([None, 20, 40, 100]),
                    series=series_pick if in_series else None,
                    published_at=None if status == Event.Status.DRAFT else now,
                    **access,
                )
            )
            links.append((theme_picks, host_picks, role_picks))

        Event.objects.bulk_create(new_events, batch_size=BATCH)
        if new_events and new_events[0].pk is None:  # backends that do not return ids
            ids = dict(
                Event.objects.filter(slug__in=[e.slug for e in new_events]).values_list(
                    "slug", "pk"
                )
            )
            for event in new_events:
                event.pk = event.id = ids[event.slug]
        EventTheme, EventHost = Event.themes.through, Event.hosts.through
        EventTheme.objects.bulk_create(
            [
                EventTheme(event_id=e.pk, theme_id=t.pk)
                for e, (ts, _h, _r) in zip(new_events, links, strict=True)
                for t in ts
            ],
            batch_size=BATCH,
        )
        EventHost.objects.bulk_create(
            [
                EventHost(event_id=e.pk, organisation_id=o.pk)
                for e, (_t, hs, _r) in zip(new_events, links, strict=True)
                for o in hs
            ],
            batch_size=BATCH,
        )
        EventRole.objects.bulk_create(
            [
                EventRole(event_id=e.pk, person_id=p.pk, role=role, order=n)
                for e, (_t, _h, rs) in zip(new_events, links, strict=True)
                for n, (p, role) in enumerate(rs)
            ],
            batch_size=BATCH,
        )
    seconds = clock.perf_counter() - started
    _say(
        stdout,
        f"Synthetic: {len(new_events)} new events ({count - len(new_events)} already there), "
        f"{len(people_list)} people, {len(venue_list)} venues in {seconds:.1f}s.",
    )
    return {"created": len(new_events), "seconds": seconds}


def load(*, scale: int = 0, stdout=None) -> None:
    """Create or update the demo events (idempotent); `scale` adds that many synthetic events."""
    load_seed(stdout=stdout)
    if scale:
        load_synthetic(count=scale, stdout=stdout)
