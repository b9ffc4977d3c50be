from typing import Any

from django.http import HttpRequest

from qunfang.core.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    sections, here = menu_for(user, request.path)
    return {
        # public pages (no staff menu) set `nav_items` to None
        "nav_items": sections,
        "nav_sections": sections,
        "nav_current": here,
        "nav_section": next((s for s in sections if s.current), None),
        "user_perms": user.permissions,
    }
