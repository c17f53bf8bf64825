"""`{% shared "name" version part ... %}...{% endshared %}`: a part of a template rendered once.

What is inside is rendered for the first reader of this language and site and kept under
`version` (change markers, core/fragments.py) and the parts; other readers get it from the
cache. Only for content that is the same for everyone who may see the page: nothing about the
user, no CSRF token (a rendering holding one is not kept). Variables used only inside are
evaluated only when it is rendered, so a callable in the context costs nothing on a hit.
Without a request or with an empty version (a view that gives none) the content is rendered.

`{% shared_with_token "name" kind %}...{% endshared_with_token %}`: a part that is the same for
every reader of a `kind` but for its CSRF token(s) (a member's account links and sign-out form):
rendered once per kind, language and site with a stand-in for the token, which each reader's own
replaces. An empty `kind` renders it as usual.

`{% personal "name" %}...{% endpersonal %}`: a part that differs from reader to reader (account
links, "You're going", a form with a CSRF token) on a page kept as a skeleton (core/skeletons.py):
a hole there, filled for each reader; anywhere else it renders as if the tag were not there.
"""

from django import template
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core import fragments, skeletons

register = template.Library()


class SharedNode(template.Node):
    def __init__(self, nodelist, name, version, parts):
        self.nodelist, self.name, self.version, self.parts = nodelist, name, version, parts

    def render(self, context):
        request = context.get("request")
        version = self.version.resolve(context)
        if request is None or not version:
            # A page that gives no version (another view including the same template): render.
            return self.nodelist.render(context)
        html = fragments.shared_fragment(
            request,
            self.name.resolve(context),
            str(version),
            [part.resolve(context) for part in self.parts],
            lambda: str(self.nodelist.render(context)),
        )
        return mark_safe(html)  # rendered by this template


@register.tag
def shared(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% shared %} needs a name and a version")
    nodelist = parser.parse(("endshared",))
    parser.delete_first_token()
    name, version, *parts = (parser.compile_filter(bit) for bit in bits[1:])
    return SharedNode(nodelist, name, version, parts)


class PersonalNode(template.Node):
    def __init__(self, nodelist, template_name, name):
        self.nodelist, self.template_name, self.name = nodelist, template_name, name

    def render(self, context):
        return skeletons.hole(
            "node", (self.template_name, self.name), lambda: self.nodelist.render(context)
        )


@register.tag
def personal(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('{% personal "name" %} needs one quoted name')
    nodelist = parser.parse(("endpersonal",))
    parser.delete_first_token()
    template_name = parser.origin.template_name if parser.origin else None
    if not template_name:
        raise template.TemplateSyntaxError("{% personal %} works in templates loaded by name")
    node = PersonalNode(nodelist, template_name, bits[1][1:-1])
    skeletons.remember_node(template_name, node.name, node)
    return node


# Stands in for the CSRF token in a kept rendering (private use: never in real output).
TOKEN_STAND_IN = "\ue014csrf\ue014"


class SharedWithTokenNode(template.Node):
    def __init__(self, nodelist, name, kind):
        self.nodelist, self.name, self.kind = nodelist, name, kind

    def render(self, context):
        kind = self.kind.resolve(context)
        request = context.get("request")
        if not kind or request is None or not fragments.enabled():
            return self.nodelist.render(context)
        key = fragments.fragment_key(request, "with-token:" + self.name, str(kind), [])
        pieces = cache.get(key)
        if pieces is None:
            with context.push(csrf_token=TOKEN_STAND_IN):
                pieces = str(self.nodelist.render(context)).split(TOKEN_STAND_IN)
            cache.set(key, pieces, fragments.FRAGMENT_SECONDS)
        if len(pieces) == 1:
            return mark_safe(pieces[0])  # rendered by this template
        return mark_safe(escape(get_token(request)).join(pieces))  # as {% csrf_token %} would


@register.tag
def shared_with_token(parser, token):
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError('{% shared_with_token "name" kind %} needs two values')
    nodelist = parser.parse(("endshared_with_token",))
    parser.delete_first_token()
    name, kind = (parser.compile_filter(bit) for bit in bits[1:])
    return SharedWithTokenNode(nodelist, name.resolve({}), kind)
