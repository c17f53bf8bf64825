from django.utils.text import slugify


def unique_slug(model, text: str, *, exclude_pk=None, max_length: int = 200) -> str:
    """A slug for `text` not yet used by another row of `model` (`-2`, `-3`, … on clashes)."""
    base = slugify(text, allow_unicode=False)[:max_length].strip("-") or "item"
    taken = set(
        model._default_manager.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
