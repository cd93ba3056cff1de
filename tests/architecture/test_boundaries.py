"""Apps use each other only through `public` (core is the shared kernel, config and demo compose).

The layers (which app may use which) are checked by import-linter (`lint-imports`, in make test).
"""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "onestop"
KERNEL_AND_COMPOSITION = {"core", "config", "demo", "cli", "__main__", "__init__"}
# The bank sandbox is a separate program: it shares only the pure protocol code of payments.
STANDALONE = {"banksim"}


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "onestop" else None


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def test_apps_import_other_apps_only_through_public():
    offences = []
    for path in SOURCE.rglob("*.py"):
        own = path.relative_to(SOURCE).parts[0].removesuffix(".py")
        if own in KERNEL_AND_COMPOSITION | STANDALONE or "migrations" in path.parts:
            continue
        for module in _imports(path):
            other = _app_of(module)
            if other in (None, own) or other in KERNEL_AND_COMPOSITION:
                continue
            if not (
                module == f"onestop.{other}.public" or module.startswith(f"onestop.{other}.public.")
            ):
                offences.append(f"{path.relative_to(SOURCE)} imports {module}")
    assert offences == []


def test_core_depends_on_no_domain_app():
    offences = [
        f"{path.relative_to(SOURCE)} imports {module}"
        for path in (SOURCE / "core").rglob("*.py")
        for module in _imports(path)
        if _app_of(module) not in (None, "core")
    ]
    assert offences == []


def test_the_bank_sandbox_is_a_separate_program():
    """No Django, no platform code: only the pure payload and signing code it shares."""
    offences = [
        f"{path.relative_to(SOURCE)} imports {module}"
        for path in (SOURCE / "banksim").rglob("*.py")
        for module in _imports(path)
        if module.split(".")[0] == "django"
        or (
            _app_of(module) not in (None, "banksim")
            and not module.startswith("onestop.payments.domain")
        )
    ]
    assert offences == []


def test_domain_modules_are_pure_python():
    """`domain/` holds rules without Django models or database access (fast, property-tested)."""
    offences = [
        f"{path.relative_to(SOURCE)} imports {module}"
        for path in SOURCE.rglob("domain/*.py")
        for module in _imports(path)
        if module.startswith(("django.db", "django.http"))
        or module.endswith((".models", ".services"))
    ]
    assert offences == []
