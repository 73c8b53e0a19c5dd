urlpatterns = []


def map_detail_context(obj, access):
    return {}
