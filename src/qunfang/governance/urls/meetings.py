"""Meeting routes (例会), joined into the `governance` namespace by urls/__init__.py."""

from django.urls import path

from qunfang.governance.views import meetings as views

urlpatterns: list = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/invitees/", views.meeting_invitees, name="meeting_invitees"),
    path("meetings/<int:pk>/hold/", views.meeting_hold, name="meeting_hold"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/roll-call/", views.meeting_roll_call, name="meeting_roll_call"),
    path("meetings/<int:pk>/screen/", views.meeting_screen, name="meeting_screen"),
    path("meetings/<int:pk>/scan/", views.meeting_scan, name="meeting_scan"),
    path("meetings/<int:pk>/evidence/", views.meeting_evidence_add, name="meeting_evidence_add"),
    path(
        "meetings/evidence/<int:pk>/",
        views.meeting_evidence_download,
        name="meeting_evidence_download",
    ),
    path("meetings/schedules/", views.meeting_schedule_list, name="meeting_schedule_list"),
    path(
        "meetings/schedules/new/",
        views.meeting_schedule_create,
        name="meeting_schedule_create",
    ),
    path(
        "meetings/schedules/<int:pk>/",
        views.meeting_schedule_edit,
        name="meeting_schedule_edit",
    ),
    path(
        "meetings/schedules/<int:pk>/end/",
        views.meeting_schedule_end,
        name="meeting_schedule_end",
    ),
]
