urlpatterns = []


def usecase_detail_context(obj, access):
    return {}
