"""Checks every browser journey runs on the pages it visits: axe-core, phone width, screenshots."""

from pathlib import Path

from django.templatetags.static import static

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHONE = {"width": 375, "height": 740}
BLOCKING_IMPACTS = {"serious", "critical"}


def axe_check(page, context: str) -> None:
    """Run axe-core on the current page; fail on any serious or critical violation.

    axe is injected as `<script src>` from our own live server (`{% static %}`), so a
    Content-Security-Policy with `script-src 'self'` allows it and stays switched on while we
    test: the pages are checked under the same policy people get. Inline injection would need
    the CSP bypassed, hiding exactly the violations we want to see.
    """
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=static("vendor/axe-core/axe.min.js"))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core on {context} ({page.url}):\n" + describe(blocking)


def describe(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
        lines.append(f"    see {violation['helpUrl']}")
    return "\n".join(lines)


def assert_no_horizontal_scroll(page, context: str = "") -> None:
    """At a 375 px wide viewport the page must not scroll sideways."""
    original = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        overflow = page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                if (document.documentElement.scrollWidth <= width) return null;
                const culprits = [...document.querySelectorAll('body *')]
                  .filter(el => el.getBoundingClientRect().right > width + 1)
                  .slice(0, 8)
                  .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                    + (el.className && typeof el.className === 'string'
                       ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
                return {scrollWidth: document.documentElement.scrollWidth, width, culprits};
            }"""
        )
    finally:
        page.set_viewport_size(original)
    assert overflow is None, f"{context or page.url} scrolls sideways at 375 px: {overflow}"


def screenshot(page, name: str) -> None:
    """Save full-page PNGs at desktop (1280 px) and phone (375 px) widths into screenshots/, and
    the first screenful at desktop width (`-desktop-fold.png`, the size a README shows well)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    original = page.viewport_size
    try:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=SCREENSHOTS / f"{name}-desktop.png", full_page=True)
        page.screenshot(path=SCREENSHOTS / f"{name}-desktop-fold.png")
        page.set_viewport_size(PHONE)
        page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    finally:
        page.set_viewport_size(original)


def follow(link) -> None:
    """Click a link (or a button) that opens another page, and wait until that page has loaded.

    A click returns as soon as the browser has taken it, before the next page has started to
    load: a check straight after it could run on the page being left, or halfway through the
    swap (axe-core then finds no document to inject into).
    """
    with link.page.expect_navigation():
        link.click()


def check_page(page, context: str, shot: str | None = None) -> None:
    """The checks every page of a journey gets: axe, no sideways scroll, optional screenshots."""
    axe_check(page, context)
    assert_no_horizontal_scroll(page, context)
    if shot:
        screenshot(page, shot)


def focus_outline(page) -> dict:
    """The computed outline of the focused element (keyboard users must see where they are)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim(),
                    id: el.id, outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth,
                    outlineColor: style.outlineColor, boxShadow: style.boxShadow};
        }"""
    )


def has_visible_focus(outline: dict) -> bool:
    width = float(outline["outlineWidth"].removesuffix("px") or 0)
    drawn = outline["outlineStyle"] not in {"none", ""} and width >= 2
    return drawn or outline["boxShadow"] not in {"none", ""}


def messages(page):
    """The confirmation messages shown after an action (Django's messages, at the top of main)."""
    return page.locator(".messages")


def pick_person(row, typed: str, label: str) -> None:
    """In a people row of the event form: type part of a name, wait for the suggestion `label`,
    take it (as choosing it from the browser's suggestion list does) and see it selected."""
    from playwright.sync_api import expect

    search = row.get_by_label("Find someone listed")
    search.fill(typed)
    expect(row.locator(f'datalist option[value="{label}"]')).to_have_count(1)
    search.fill(label)
    expect(row.get_by_label("Person already listed").locator("option:checked")).to_have_text(label)
