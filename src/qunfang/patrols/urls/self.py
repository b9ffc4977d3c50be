"""Self-service and check-in: a member's own shifts, absences and swaps, the director's swap
decisions, who is on duty now, notifications, and the page a patrol point's QR sign opens."""

from django.urls import path

from qunfang.patrols.views import self as views

urlpatterns = [
    path("my/", views.my, name="my"),
    path("my/absences/new/", views.absence_create, name="absence_create"),
    path("assignments/<int:pk>/swap/", views.swap_create, name="swap_create"),
    path("assignments/<int:pk>/checkin/", views.checkin_action, name="checkin_action"),
    path("swaps/", views.swap_list, name="swap_list"),
    path("swaps/<int:pk>/withdraw/", views.swap_withdraw, name="swap_withdraw"),
    path("swaps/<int:pk>/decide/", views.swap_decide, name="swap_decide"),
    path("on-duty/", views.on_duty, name="on_duty"),
    path("notifications/", views.notifications, name="notifications"),
    path("p/<int:pk>/", views.scan, name="scan"),
]
