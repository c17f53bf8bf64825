"""Atom feeds that cannot fail on a control character (issue 10).

XML 1.0 has no place for most control characters: Django's feed writer refuses them, and one post
with a vertical tab made its board's feed a 500 for as long as it was among the newest. Text is
cleaned when it is saved (core.text); this cleans again on the way out, for rows saved before that.
"""

from django.utils.feedgenerator import Atom1Feed

from core.text import multi_line


def _cleaned(value):
    if isinstance(value, str):
        return multi_line(value)
    if isinstance(value, list | tuple):
        return [_cleaned(item) for item in value]
    return value


class CleanAtom1Feed(Atom1Feed):
    def write(self, outfile, encoding):
        self.feed = {key: _cleaned(value) for key, value in self.feed.items()}
        self.items = [{key: _cleaned(value) for key, value in item.items()} for item in self.items]
        super().write(outfile, encoding)
