"""Placeholder while being written."""

urlpatterns = []
