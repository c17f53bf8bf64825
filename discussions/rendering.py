"""Markdown to sanitised HTML, rendered once when a post is saved and stored beside its source.

Two layers: cmark-gfm (core.markdown: linear time, raw HTML in the source stays text, never
markup) turns Markdown into HTML, then nh3 (ammonia) keeps only an allowlist of tags and
attributes, only http, https and mailto URLs, and gives every link `rel="nofollow ugc noopener"`.
Images are not allowed: a Markdown image becomes a link to it (so only http(s) images survive, as
links), and headings shift down two levels to sit under the page's own h1/h2.
"""

import re

import nh3

from core.markdown import markdown_to_html

# Bump when the pipeline changes, so stored HTML can be re-rendered (see Post.renderer_version).
# 2: cmark-gfm instead of Python-Markdown (issue 10: linear time).
RENDERER_VERSION = 2

ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "h6",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
# Removed with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "svg", "math", "template"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)


# cmark writes these exactly so (no other attributes; attribute values are escaped, so they hold
# no quote), which is what lets a pattern rewrite them safely before the sanitiser sees them.
_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")
_IMAGE_TAG = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: title="[^"]*")? />')


def _shift_heading(match: re.Match) -> str:
    return f"<{match[1]}h{min(int(match[2]) + 2, 6)}>"


def _image_as_link(match: re.Match) -> str:
    src, alt = match[1], match[2]
    return f'<a href="{src}">{alt or src}</a>'


def sanitise(html: str) -> str:
    """Keep only the allowlisted tags, attributes and URL schemes."""
    return _cleaner.clean(html)


def render_markdown(source: str) -> str:
    """The stored HTML for a post body."""
    html = markdown_to_html(source or "")
    html = _IMAGE_TAG.sub(_image_as_link, _HEADING_TAG.sub(_shift_heading, html))
    return sanitise(html).strip()
