"""Routes of the health book."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
