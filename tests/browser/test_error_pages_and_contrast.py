"""Error pages people meet in production, and form controls they can see (WCAG 1.4.11)."""

import pytest
from django.urls import reverse

from tests.browser.support import check_page
from tests.factories import EventFactory, ThemeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The contrast ratio of each visible form control's border against what is behind the control.
BORDER_CONTRASTS = """() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const behind = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length === 3 || colour[3] > 0) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const fields = 'input:not([type=hidden]):not([type=submit]), select, textarea';
  const controls = [...document.querySelectorAll(fields)]
    .filter((el) => el.offsetParent !== null);
  return controls.map((el) => {
    const border = luminance(rgb(getComputedStyle(el).borderTopColor));
    const background = luminance(behind(el));
    const [light, dark] = border > background ? [border, background] : [background, border];
    return { control: el.name || el.id, ratio: (light + 0.05) / (dark + 0.05) };
  });
}"""


def test_a_missing_page_in_production_is_our_page(page, settings):
    settings.DEBUG = False

    response = page.goto("/no-such-event-here/")

    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "We can’t find that page"
    page.get_by_role("link", name="Find an event").click()
    assert page.url.endswith(reverse("events:list"))
    page.go_back()
    check_page(page, "404 page", shot="error-404")


@pytest.mark.parametrize("url_name", ["account_login", "account_signup", "events:list"])
def test_form_control_borders_reach_three_to_one(page, url_name):
    ThemeFactory()
    EventFactory()
    page.goto(reverse(url_name))

    contrasts = page.evaluate(BORDER_CONTRASTS)

    assert contrasts, "the page has visible form controls"
    faint = [c for c in contrasts if c["ratio"] < 3]
    assert not faint, f"borders under 3:1 on {url_name}: {faint}"
