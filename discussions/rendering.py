"""Markdown to sanitised HTML, rendered once when a post is saved and stored beside its source.

Two layers: Python-Markdown runs with its raw-HTML processors removed (so `<script>` in a post is
text, never markup), then nh3 (ammonia) keeps only an allowlist of tags and attributes, only
http, https and mailto URLs, and gives every link `rel="nofollow ugc noopener"`. Images are not
allowed: a Markdown image becomes a link to it (so only http(s) images survive, as links), and
headings shift down two levels to sit under the page's own h1/h2.
"""

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

# Bump when the pipeline changes, so stored HTML can be re-rendered (see Post.renderer_version).
RENDERER_VERSION = 1

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


class _PostTreeprocessor(Treeprocessor):
    HEADINGS = {f"h{n}": f"h{min(n + 2, 6)}" for n in range(1, 7)}

    def run(self, root):
        for element in root.iter():
            if element.tag in self.HEADINGS:
                element.tag = self.HEADINGS[element.tag]
            elif element.tag == "img":
                src, alt = element.get("src", ""), element.get("alt") or element.get("src", "")
                element.attrib.clear()
                element.tag = "a"
                element.set("href", src)
                element.text = alt


class _PostExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's API name)
        md.treeprocessors.register(_PostTreeprocessor(md), "commons_post", 0)


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=["fenced_code", "sane_lists", "nl2br", _PostExtension()], output_format="html"
    )
    # Raw HTML in the source stays text: these are the processors that would pass it through.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def sanitise(html: str) -> str:
    """Keep only the allowlisted tags, attributes and URL schemes."""
    return _cleaner.clean(html)


def render_markdown(source: str) -> str:
    """The stored HTML for a post body."""
    return sanitise(_markdown().convert(source or ""))
