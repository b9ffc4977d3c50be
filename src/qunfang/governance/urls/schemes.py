"""Assessment schemes (考核办法) and responsibility letters (综治目标管理责任书), joined into the
`governance` namespace by urls/__init__.py."""

from django.urls import path

from qunfang.governance.views import schemes as views

urlpatterns: list = [
    path("schemes/", views.scheme_list, name="scheme_list"),
    path("schemes/new/", views.scheme_create, name="scheme_create"),
    path("schemes/defaults/", views.scheme_defaults, name="scheme_defaults"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/indicators/", views.scheme_indicator, name="scheme_indicator"),
    path(
        "schemes/<int:pk>/indicators/remove/",
        views.scheme_indicator_remove,
        name="scheme_indicator_remove",
    ),
    path("schemes/<int:pk>/grades/", views.scheme_grade, name="scheme_grade"),
    path("schemes/<int:pk>/grades/remove/", views.scheme_grade_remove, name="scheme_grade_remove"),
    path("schemes/<int:pk>/vetoes/", views.scheme_veto, name="scheme_veto"),
    path("schemes/<int:pk>/vetoes/remove/", views.scheme_veto_remove, name="scheme_veto_remove"),
    path("schemes/<int:pk>/activate/", views.scheme_activate, name="scheme_activate"),
    path("schemes/<int:pk>/retire/", views.scheme_retire, name="scheme_retire"),
    path("schemes/<int:pk>/copy/", views.scheme_copy, name="scheme_copy"),
    path("letters/", views.letter_list, name="letter_list"),
    path("letters/new/", views.letter_create, name="letter_create"),
    path("letters/<int:pk>/", views.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/edit/", views.letter_edit, name="letter_edit"),
    path("letters/<int:pk>/print/", views.letter_print, name="letter_print"),
]
