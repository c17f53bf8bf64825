# English is served as "en" (so addresses read /en/), with British date and number formats.
from django.conf.locale.en_GB.formats import *  # noqa: F403
