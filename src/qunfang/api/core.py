from django.core.exceptions import PermissionDenied
from ninja import Router, Schema
from ninja.pagination import paginate

from qunfang.core import selectors
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404

router = Router(tags=["core"])


class RegionOut(Schema):
    code: str
    name: str
    official_name: str
    kind: str
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class MeOut(Schema):
    username: str
    full_name: str
    region: RegionOut | None
    roles: list[str]
    permissions: list[str]

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(obj.role_names)

    @staticmethod
    def resolve_permissions(obj) -> list[str]:
        return sorted(obj.permissions)


def _require(request, perm: str) -> None:
    if not request.user.can(perm):
        raise PermissionDenied


@router.get("/me", response=MeOut, summary="The signed-in account")
def me(request):
    return request.user


@router.get("/regions", response=list[RegionOut], summary="Regions in your jurisdiction")
@paginate
def regions(request):
    _require(request, Perm.VIEW_REGIONS)
    return selectors.regions_visible(user=request.user)


@router.get("/regions/{code}", response=RegionOut, summary="One region")
def region(request, code: str):
    _require(request, Perm.VIEW_REGIONS)
    return visible_or_404(selectors.regions_visible(user=request.user), request.user, code=code)
