"""Training pages (being written)."""

urlpatterns = []
