"""Strings are translated when rendered: no module calls gettext (or fills in a lazy string) at
import time, when there is no reader and so no language yet."""

import ast
from pathlib import Path

from django.conf import settings

SKIP = {".venv", "node_modules", "tests", "migrations", "bench", "locale", "staticfiles"}


def translation_names(tree: ast.Module) -> dict[str, str]:
    return {
        alias.asname or alias.name: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
    }


def import_time_translations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = translation_names(tree)
    found = []

    def is_translation_call(node) -> bool:
        return (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names
        )

    def visit(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            if not in_function:
                if is_translation_call(child) and "lazy" not in names[child.func.id]:
                    found.append(f"{path}:{child.lineno} calls {names[child.func.id]}")
                if (
                    isinstance(child, ast.BinOp)
                    and isinstance(child.op, ast.Mod)
                    and is_translation_call(child.left)
                ):
                    found.append(f"{path}:{child.lineno} fills in a lazy string with %")
            visit(
                child,
                in_function
                or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda),
            )

    visit(tree, False)
    return found


def test_no_module_translates_at_import_time():
    found = []
    for path in sorted(Path(settings.BASE_DIR).rglob("*.py")):
        if not SKIP.intersection(path.relative_to(settings.BASE_DIR).parts):
            found += import_time_translations(path)
    assert found == [], "use gettext_lazy (or lazy(function, str)) for strings made at import"


def test_the_check_finds_gettext_in_a_class_body(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "from django.utils.translation import gettext as _, gettext_lazy\n"
        "class Form:\n    label = _('Name')\n"
        "HELP = gettext_lazy('At most %(n)s') % {'n': 3}\n"
        "def view():\n    return _('fine')\n"
    )
    assert import_time_translations(module) == [
        f"{module}:3 calls gettext",
        f"{module}:4 fills in a lazy string with %",
    ]
