from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Membership, Project


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "company", "status", "target_go_live"]
    search_fields = ["name", "company"]
    inlines = [MembershipInline]
