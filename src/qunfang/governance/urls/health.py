"""Routes of organisation health and the four in place (四落实); joined into the `governance`
namespace by urls/__init__.py."""

from django.urls import URLPattern, path

from qunfang.governance.views import health as views

urlpatterns: list[URLPattern] = [
    path("health/", views.health_overview, name="health_overview"),
    path("health/<str:health_kind>/<int:pk>/", views.health_subject, name="health_subject"),
    path("four-in-place/", views.four_overview, name="four_overview"),
    path("four-in-place/<str:code>/", views.four_village, name="four_village"),
]
