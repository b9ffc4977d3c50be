"""Routes of the leadership book."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
