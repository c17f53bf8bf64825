"""Submit a form the way a browser would: from what the page rendered, not from hand-built data.

A test fetches the page, then posts its form with only the fields a person would change:

    response = client.get(reverse("events:edit", args=[event.slug]))
    response = submit_form(client, response, form="#event-form", data={"title": "New title"})

What is sent is what a browser sends for that form: every enabled control the page rendered
(hidden inputs included: a formset's management form and its rows' ids), the selected options of
each select, checked boxes and radios only, textareas' text, and the submit button pressed.
`data` changes named fields; a name the form does not render is an error, and so is choosing an
option a select, checkbox or radio group does not offer, because no person could send either.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

_TEXT_TYPES = {
    "",
    "text",
    "hidden",
    "email",
    "number",
    "date",
    "datetime-local",
    "time",
    "month",
    "week",
    "url",
    "search",
    "tel",
    "password",
    "color",
    "range",
}
_BUTTON_TYPES = {"submit", "image"}


class FormNotFound(AssertionError):
    pass


class _Control:
    def __init__(self, tag, attrs):
        self.tag = tag
        self.attrs = attrs
        self.name = attrs.get("name")
        self.type = (attrs.get("type") or ("submit" if tag == "button" else "")).lower()
        self.disabled = "disabled" in attrs
        self.options = []  # (value, selected, disabled) for selects
        self.text = ""  # for textareas


class _Form:
    def __init__(self, attrs, index):
        self.attrs = attrs
        self.index = index
        self.controls: list[_Control] = []


class _PageParser(HTMLParser):
    """Collects every form and its controls, including controls tied to a form by `form="id"`."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self.orphans: list[_Control] = []  # controls outside any form (may name one by id)
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None
        self._disabled_fieldsets = []  # depth markers of disabled <fieldset>s
        self._templates = 0  # depth inside <template>: its content is inert, never submitted

    def _add(self, control):
        owner_id = control.attrs.get("form")
        if owner_id is not None or self._form is None:
            control.owner_id = owner_id
            self.orphans.append(control)
        else:
            self._form.controls.append(control)

    def handle_starttag(self, tag, attr_list):
        attrs = {name: (value if value is not None else "") for name, value in attr_list}
        if tag == "template":
            self._templates += 1
        if self._templates:
            return
        if tag == "form":
            self._form = _Form(attrs, len(self.forms))
            self.forms.append(self._form)
        elif tag == "fieldset":
            self._disabled_fieldsets.append("disabled" in attrs)
        elif tag in {"input", "button"}:
            control = _Control(tag, attrs)
            control.disabled = control.disabled or any(self._disabled_fieldsets)
            self._add(control)
        elif tag == "select":
            self._select = _Control(tag, attrs)
            self._select.disabled = self._select.disabled or any(self._disabled_fieldsets)
            self._add(self._select)
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = [attrs.get("value"), "selected" in attrs, "disabled" in attrs, ""]
        elif tag == "textarea":
            self._textarea = _Control(tag, attrs)
            self._textarea.disabled = self._textarea.disabled or any(self._disabled_fieldsets)
            self._add(self._textarea)

    def handle_startendtag(self, tag, attr_list):
        self.handle_starttag(tag, attr_list)
        if tag in {"select", "textarea", "option", "form", "fieldset"}:
            self.handle_endtag(tag)

    def _close_option(self):
        if self._option is not None:
            value, selected, disabled, label = self._option
            if value is None:  # an option without a value submits its text
                value = " ".join(label.split())
            self._select.options.append((value, selected, disabled))
            self._option = None

    def handle_endtag(self, tag):
        if tag == "template":
            self._templates = max(self._templates - 1, 0)
            return
        if self._templates:
            return
        if tag == "form":
            self._form = None
        elif tag == "fieldset" and self._disabled_fieldsets:
            self._disabled_fieldsets.pop()
        elif tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea.text
            # The HTML parser drops one newline straight after <textarea>, as browsers do.
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self._textarea.text = text
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.text += data
        elif self._option is not None:
            self._option[3] += data


def _page_url(response) -> str:
    request = response.request
    query = request.get("QUERY_STRING", "")
    return request["PATH_INFO"] + (f"?{query}" if query else "")


def _find_form(forms, selector, page_url):
    if selector is None:
        if len(forms) == 1:
            return forms[0]
        posting = [form for form in forms if (form.attrs.get("method") or "").lower() == "post"]
        if len(posting) == 1:
            return posting[0]
        raise FormNotFound(
            f"The page has {len(forms)} forms ({len(posting)} posting): name one with form='#id' "
            "or form='<action path>'."
        )
    if selector.startswith("#"):
        matches = [form for form in forms if form.attrs.get("id") == selector[1:]]
    else:
        wanted = urlsplit(urljoin(page_url, selector))
        matches = [
            form
            for form in forms
            if urlsplit(urljoin(page_url, form.attrs.get("action") or page_url))[2:4]
            == (wanted.path, wanted.query)
        ]
    if len(matches) != 1:
        found = [(form.attrs.get("id"), form.attrs.get("action")) for form in forms]
        raise FormNotFound(
            f"{len(matches)} forms match {selector!r} on {page_url}; forms (id, action): {found}"
        )
    return matches[0]


def _parse(response, selector):
    content = response.content.decode(response.charset or "utf-8")
    parser = _PageParser()
    parser.feed(content)
    parser.close()
    page_url = _page_url(response)
    form = _find_form(parser.forms, selector, page_url)
    form_id = form.attrs.get("id")
    # Controls outside the form but naming it by id, and controls inside it that name no other form.
    controls = list(form.controls)
    if form_id:
        controls += [c for c in parser.orphans if getattr(c, "owner_id", None) == form_id]
    return form, controls, page_url


def _successful_values(controls, submitter):
    """(name, value) pairs a browser submits, in tree order (HTML's "entry list")."""
    pairs = []
    for control in controls:
        if control.disabled or not control.name:
            continue
        if control.tag == "button" or control.type in _BUTTON_TYPES | {"button", "reset"}:
            if control is submitter:
                pairs.append((control.name, control.attrs.get("value", "")))
            continue
        if control.tag == "select":
            selected = [o for o in control.options if o[1] and not o[2]]
            if not selected and "multiple" not in control.attrs:
                selected = [o for o in control.options if not o[2]][:1]
            pairs += [(control.name, value) for value, _, _ in selected]
        elif control.tag == "textarea":
            pairs.append((control.name, control.text.replace("\r\n", "\n")))
        elif control.type in {"checkbox", "radio"}:
            if "checked" in control.attrs:
                pairs.append((control.name, control.attrs.get("value", "on")))
        elif control.type == "file":
            continue  # a browser sends an empty file part; Django reads that as "no file"
        elif control.type in _TEXT_TYPES:
            pairs.append((control.name, control.attrs.get("value", "")))
    return pairs


def _choices(controls, name):
    """The values a person could pick for `name`, or None when the field takes free text."""
    offered = set()
    for control in controls:
        if control.name != name or control.disabled:
            continue
        if control.tag == "select":
            offered |= {value for value, _, disabled in control.options if not disabled}
        elif control.type in {"checkbox", "radio"}:
            offered.add(control.attrs.get("value", "on"))
        else:
            return None
    return offered


def _find_submitter(controls, button):
    buttons = [
        c
        for c in controls
        if (c.tag == "button" and c.type == "submit")
        or (c.tag == "input" and c.type in _BUTTON_TYPES)
    ]
    if button is None:
        # Pressing Enter submits with the form's first submit button (HTML's implicit submission).
        enabled = [c for c in buttons if not c.disabled]
        return enabled[0] if enabled else None
    name, _, value = button.partition("=")
    matches = [
        c
        for c in buttons
        if c.name == name and (not value or c.attrs.get("value", "") == value) and not c.disabled
    ]
    if len(matches) != 1:
        rendered = [(c.name, c.attrs.get("value")) for c in buttons]
        raise FormNotFound(
            f"{len(matches)} submit buttons match {button!r}; buttons (name, value): {rendered}"
        )
    return matches[0]


def form_data(response, form=None, *, button=None) -> dict[str, list[str]]:
    """What a browser would submit for `form` on the page, unchanged: {name: [values]}."""
    _, controls, _ = _parse(response, form)
    submitter = _find_submitter(controls, button)
    data: dict[str, list[str]] = {}
    for name, value in _successful_values(controls, submitter):
        data.setdefault(name, []).append(value)
    return data


def submit_form(
    client,
    response,
    form=None,
    *,
    data=None,
    files=None,
    button=None,
    follow=False,
    **extra,
):
    """Submit a form rendered in `response` as a browser would, after changing `data`'s fields.

    `form`: "#element-id" or the form's action path; may be left out when the page has one form
    (or one posting form). `data`: {name: value}; a list sets several values (checkboxes, a
    multiple select), None removes the field (unticks every box of that name). `files`:
    {name: uploaded file} for file inputs. `button`: "name" or "name=value" of the submit button
    pressed (default: the form's first one, as pressing Enter does). Returns the response.
    """
    parsed_form, controls, page_url = _parse(response, form)
    submitter = _find_submitter(controls, button)
    submitted: dict[str, list] = {}
    for name, value in _successful_values(controls, submitter):
        submitted.setdefault(name, []).append(value)

    rendered_names = {c.name for c in controls if c.name and not c.disabled}
    for name, value in (data or {}).items():
        if name not in rendered_names:
            raise KeyError(f"The form does not render a field named {name!r}.")
        if value is None:
            submitted.pop(name, None)
            continue
        values = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
        offered = _choices(controls, name)
        if offered is not None:
            refused = [v for v in values if v not in offered]
            if refused:
                raise ValueError(
                    f"{name!r} offers {sorted(offered)}; a person cannot choose {refused}."
                )
        submitted[name] = values
    for name, uploaded in (files or {}).items():
        if not any(c.name == name and c.type == "file" for c in controls):
            raise KeyError(f"The form does not render a file input named {name!r}.")
        submitted[name] = uploaded
    if files and (parsed_form.attrs.get("enctype") or "").lower() != "multipart/form-data":
        # Without it a browser sends only the file's name, never its content.
        raise AssertionError('A form with files needs enctype="multipart/form-data".')

    action = (submitter.attrs.get("formaction") if submitter else None) or parsed_form.attrs.get(
        "action"
    )
    url = urljoin(page_url, action) if action else page_url
    method = (
        (submitter.attrs.get("formmethod") if submitter else None)
        or parsed_form.attrs.get("method")
        or "get"
    ).lower()
    if method == "get":
        # A GET form replaces the action's query string with the form's fields.
        return client.get(urlsplit(url).path, submitted, follow=follow, **extra)
    return client.post(url, submitted, follow=follow, **extra)
