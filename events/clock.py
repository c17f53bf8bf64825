"""Europe/London wall-clock times: what organisers type and what people's clocks show.

Shared by the event form (reading what was typed) and the services (dates they compute, such as a
series' next dates), so that both refuse the same skipped and repeated times.
"""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from events.models import LONDON


def _is_clock_change(naive: datetime) -> bool:
    """True when London skips or repeats this wall-clock time (fold 0 and 1 disagree)."""
    return (
        naive.replace(tzinfo=LONDON, fold=0).utcoffset()
        != naive.replace(tzinfo=LONDON, fold=1).utcoffset()
    )


def _clock_change_window(naive: datetime) -> tuple[datetime, datetime]:
    """The first and last minute of the skipped or repeated stretch around `naive`."""
    step = timedelta(minutes=1)
    first = last = naive.replace(second=0, microsecond=0)
    for _minute in range(24 * 60):  # bounded: a clock change lasts an hour or so
        if not _is_clock_change(first - step):
            break
        first -= step
    for _minute in range(24 * 60):
        if not _is_clock_change(last + step):
            break
        last += step
    return first, last


def london_aware(naive: datetime) -> datetime:
    """Read `naive` as a Europe/London wall-clock time.

    A time the clocks skip (spring forward) or pass twice (fall back) is refused, so that no
    calendar can disagree about when the event happens.
    """
    if not _is_clock_change(naive):
        # In UTC: aware datetimes sharing one tzinfo compare and subtract by wall-clock time.
        return naive.replace(tzinfo=LONDON).astimezone(UTC)
    first, last = _clock_change_window(naive)
    params = {
        "first": first.strftime("%H:%M"),
        "last": last.strftime("%H:%M"),
        "date": date_format(naive.date(), "l j F Y"),
    }
    earlier = naive.replace(tzinfo=LONDON, fold=0)
    skipped = earlier.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != naive
    if skipped:
        raise ValidationError(
            _(
                "Times from %(first)s to %(last)s on %(date)s do not exist in the UK: the clocks "
                "go forward an hour. Choose a time outside that hour."
            ),
            code="nonexistent_time",
            params=params,
        )
    raise ValidationError(
        _(
            "Times from %(first)s to %(last)s on %(date)s happen twice in the UK: the clocks go "
            "back an hour. Choose a time outside that hour, so that every calendar agrees."
        ),
        code="ambiguous_time",
        params=params,
    )
