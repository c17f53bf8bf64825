"""Markdown (CommonMark) to HTML in linear time, with raw HTML in the source kept as text.

cmark-gfm (the C reference implementation, through cmarkgfm) parses in time linear in the input:
Python-Markdown took 87 s on 20,000 `[` and markdown-it-py 0.6 s on 10,000 `![` (both measured
for issue 10), cmark-gfm takes under 15 ms on every pathological input we tried. Its output is
not sanitised here: callers that show it as HTML pass it through an allowlist (nh3), as
`discussions.rendering` does.

Raw HTML: cmark's safe mode drops raw HTML ("<!-- raw HTML omitted -->"), which would make a
post that says "use <b> for bold" lose its words. So every `<` that does not open an autolink is
swapped for a private-use character before parsing (cmark then sees no HTML at all) and turned
back into `&lt;` afterwards: raw HTML shows as the text it was, in code spans too.
"""

import re
from itertools import accumulate

import cmarkgfm
from cmarkgfm.cmark import Options

# Stands in for a literal "<" while cmark parses; removed from the source beforehand.
_LT = "\ue000"
_LT_IN_URL = "%EE%80%80"  # how cmark percent-encodes it inside an address
# CommonMark autolinks (<https://…>, <mailto:…>, <a@b.org>): these keep their "<".
_AUTOLINK = re.compile(
    r"<(?=(?:[A-Za-z][A-Za-z0-9.+-]{1,31}:[^\s<>\x00-\x20]*"
    r"|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>)"
)
# Any tag cmark writes (it writes them well formed and properly nested).
_TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)\b[^>]*>")
_VOID = {"br", "hr", "img", "input"}
# Just "/" or "" for each tag that opens or closes an element: depth is measured in C with these.
_NESTING_TAG = re.compile(r"<(/?)(?!(?:br|hr|img|input)\b)[a-z][a-z0-9]*\b[^>]*(?<!/)>")
_DEPTH_STEP = {"": 1, "/": -1}
# Deeper elements are unwrapped (their text stays): 20,000 ">" make 20,000 nested quotes, and
# an HTML parser (the sanitiser's html5ever) is quadratic in nesting depth (3.5 s for those).
MAX_NESTING = 20
# A line opening more quotes than this keeps this many (even in a code block; no real text
# does it): each quote level costs cmark output and the nesting pass work, 20,000 ">" made 540 kB.
MAX_QUOTE_MARKERS = 100
_QUOTE_MARKERS = re.compile(rf"(?m)^( {{0,3}}(?:> {{0,4}}){{{MAX_QUOTE_MARKERS}}})(?:> {{0,4}})+")
# Bare web addresses become links; ~~struck~~ text is understood (and shown as its words).
EXTENSIONS = ["autolink", "strikethrough"]


def _protect_angle_brackets(source: str) -> str:
    source = source.replace(_LT, "")
    # Split at autolinks so that only the "<" of an autolink survives as "<".
    parts = _AUTOLINK.split(source)
    marked = [part.replace("<", _LT) for part in parts]
    return "<".join(marked)


def _limit_nesting(html: str, limit: int = MAX_NESTING) -> str:
    steps = map(_DEPTH_STEP.__getitem__, _NESTING_TAG.findall(html))
    if max(accumulate(steps), default=0) <= limit:
        return html  # the usual case, found without a Python step per tag
    kept: list[bool] = []  # for each open element: was its tag kept?
    depth = 0  # how many of them were kept

    def tag(match: re.Match) -> str:
        nonlocal depth
        closing, name = match[1], match[2]
        if name in _VOID or match[0].endswith("/>"):
            return match[0]
        if closing:
            keep = kept.pop() if kept else True
            depth -= keep
        else:
            keep = depth < limit
            kept.append(keep)
            depth += keep
        return match[0] if keep else ""

    return _TAG.sub(tag, html)


def markdown_to_html(source: str, *, hard_breaks: bool = True, raw_html_as_text=True) -> str:
    """`source` (Markdown) as unsanitised HTML: no raw HTML, unsafe link schemes dropped.

    With `hard_breaks`, a single newline is a line break (as people type in a text box). Without
    `raw_html_as_text`, raw HTML is left out (cmark's safe mode, an HTML comment in its place).
    """
    options = Options.CMARK_OPT_VALIDATE_UTF8
    if hard_breaks:
        options |= Options.CMARK_OPT_HARDBREAKS
    source = _QUOTE_MARKERS.sub(r"\1", source or "")
    html = cmarkgfm.markdown_to_html_with_extensions(
        _protect_angle_brackets(source) if raw_html_as_text else source,
        options=options,
        extensions=EXTENSIONS,
    )
    return _limit_nesting(html.replace(_LT, "&lt;").replace(_LT_IN_URL, "%3C"))
