"""Bulletins (通报): the list by year, drafting from a period or by hand, a bulletin with its
villages, approval, publication, withdrawal and the printable notice (joined into the
`governance` namespace by urls/__init__.py)."""

from django.urls import path

from qunfang.governance.views import bulletins as views

urlpatterns: list = [
    path("bulletins/", views.bulletin_list, name="bulletin_list"),
    path("bulletins/draft/", views.bulletin_draft, name="bulletin_draft"),
    path("bulletins/new/", views.bulletin_create, name="bulletin_create"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<int:pk>/edit/", views.bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:pk>/villages/", views.bulletin_mention_add, name="bulletin_mention_add"),
    path(
        "bulletins/<int:pk>/villages/remove/",
        views.bulletin_mention_remove,
        name="bulletin_mention_remove",
    ),
    path("bulletins/<int:pk>/approve/", views.bulletin_approve, name="bulletin_approve"),
    path("bulletins/<int:pk>/publish/", views.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/withdraw/", views.bulletin_withdraw, name="bulletin_withdraw"),
    path("bulletins/<int:pk>/print/", views.bulletin_print, name="bulletin_print"),
]
