"""Routes of the supervision book."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
