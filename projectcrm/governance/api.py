"""Stub: the scorecard API, filled in by its owner."""

urlpatterns = []
