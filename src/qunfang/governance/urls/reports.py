"""Routes of the reports book."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
