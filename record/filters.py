import django_filters
from django.utils.translation import gettext_lazy as _

from record.models import Outcome


class OutcomeFilter(django_filters.FilterSet):
    """The filters of every outcome list: event, series, theme and organisation pages and feeds."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Outcome.Status.choices, empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Outcome.Kind.choices, empty_label=_("Any kind")
    )

    class Meta:
        model = Outcome
        fields = ["status", "kind"]
