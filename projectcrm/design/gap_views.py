urlpatterns = []


def gap_detail_context(obj, access):
    return {}
