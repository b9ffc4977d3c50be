"""The villagers' opinion book: the public pages reached by the QR code on the village board
(no sign-in) and the staff screens (names are joined into the `casebook` namespace by
urls/__init__.py)."""

from django.urls import path

from qunfang.casebook.views import opinions as views

urlpatterns: list = [
    # public: no sign-in; short paths, as they are typed from the poster when a QR scan fails
    path("v/<str:village_code>/", views.public_form, name="public_form"),
    path("v/<str:village_code>/answers/", views.public_board, name="public_board"),
    path("t/", views.public_track, name="public_track"),
    # staff
    path("opinions/", views.opinion_list, name="opinion_list"),
    path("opinions/new/", views.opinion_create, name="opinion_create"),
    path("opinions/register/", views.opinion_register_print, name="opinion_register_print"),
    path("opinions/poster/<str:code>/", views.opinion_poster, name="opinion_poster"),
    path("opinions/<int:pk>/", views.opinion_detail, name="opinion_detail"),
    path("opinions/<int:pk>/contact/", views.opinion_contact_reveal, name="opinion_contact_reveal"),
    path("opinions/<int:pk>/sender/", views.opinion_sender_reveal, name="opinion_sender_reveal"),
    path(
        "opinions/<int:pk>/confidential/", views.opinion_confidential, name="opinion_confidential"
    ),
    path("opinions/<int:pk>/answer/", views.opinion_answer, name="opinion_answer"),
    path("opinions/<int:pk>/move/", views.opinion_move, name="opinion_move"),
    path("opinions/<int:pk>/case/", views.opinion_to_case, name="opinion_to_case"),
]
