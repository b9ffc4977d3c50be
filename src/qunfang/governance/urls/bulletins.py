"""Routes of the bulletins book."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
