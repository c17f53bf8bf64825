"""core.markdown: CommonMark in linear time, raw HTML kept as text, nesting bounded."""

from core.markdown import MAX_NESTING, markdown_to_html


def test_raw_html_is_text_in_paragraphs_and_code():
    assert markdown_to_html("<b>bold?</b> and `<i>`") == (
        "<p>&lt;b&gt;bold?&lt;/b&gt; and <code>&lt;i&gt;</code></p>\n"
    )


def test_raw_html_can_be_left_out_instead():
    assert markdown_to_html("a\n\n<div>b</div>", raw_html_as_text=False) == (
        "<p>a</p>\n<!-- raw HTML omitted -->\n"
    )


def test_autolinks_and_bare_addresses_become_links():
    assert markdown_to_html("<https://example.org/a> <a@example.org> www.example.org x<y") == (
        '<p><a href="https://example.org/a">https://example.org/a</a> '
        '<a href="mailto:a@example.org">a@example.org</a> '
        '<a href="http://www.example.org">www.example.org</a> x&lt;y</p>\n'
    )


def test_single_newlines_are_line_breaks_unless_asked_otherwise():
    assert markdown_to_html("a\nb") == "<p>a<br />\nb</p>\n"
    assert markdown_to_html("a\nb", hard_breaks=False) == "<p>a\nb</p>\n"


def test_deep_nesting_is_unwrapped_below_the_limit_and_keeps_its_text():
    html = markdown_to_html(">" * 5000 + " deep")

    assert html.count("<blockquote>") == MAX_NESTING
    assert html.count("</blockquote>") == MAX_NESTING
    assert "deep" in html


def test_nesting_up_to_the_limit_is_untouched():
    html = markdown_to_html("> " * (MAX_NESTING - 2) + "- a")

    assert html == "<blockquote>\n" * (MAX_NESTING - 2) + "<ul>\n<li>a</li>\n</ul>\n" + (
        "</blockquote>\n" * (MAX_NESTING - 2)
    )
