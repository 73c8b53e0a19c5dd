"""The JSON API: every register through one generic viewset, with the pages' access policy.

/api/v1/projects/                                 projects the token's user is a member of
/api/v1/projects/<project>/<area>/<slug>/         a register (list, create)
/api/v1/projects/<project>/<area>/<slug>/<id>/    a row (read, update with "version", delete)
/api/schema/  OpenAPI 3 schema;  /api/docs/  Swagger UI (served from drf-spectacular-sidecar)
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import ListAPIView

from . import services
from .access import project_access
from .models import Numbered, Project
from .registers import limit_choices
from .registry import all_registers


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This row was changed by someone else; fetch it again and re-apply your change.")
    default_code = "conflict"

    def __init__(self, detail=None, code=None):
        super().__init__(detail, code)
        if isinstance(detail, dict):
            self.detail = detail  # keep current_version a number (APIException turns values into strings)


class ProjectSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "company", "status", "start_date", "target_go_live", "objectives", "role"]

    def get_role(self, obj) -> str:
        return obj.role_of_user


class ProjectList(ListAPIView):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        from django.db.models import F

        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return Project.objects.filter(memberships__user=self.request.user).annotate(role_of_user=F("memberships__role"))


class RegisterPermission(permissions.BasePermission):
    """Reads need the area's view right, writes its change right (core/policy.py)."""

    def has_permission(self, request, view):
        action = "view" if request.method in permissions.SAFE_METHODS else "change"
        access = view.access
        if not access.can(view.register.area, action):
            raise PermissionDenied(_("Your role in this project does not allow this."))
        return True


def make_serializer(register):
    fields = ["id", "version"] + (["ref"] if issubclass(register.model, Numbered) else []) + register.io_fields()

    class Meta:
        model = register.model
        read_only_fields = ["id", "created", "updated"]

    Meta.fields = fields + ["created", "updated"]

    def get_fields(self):
        result = serializers.ModelSerializer.get_fields(self)
        project = self.context.get("project")
        if project is not None:
            class Holder:
                pass

            holder = Holder()
            holder.fields = result
            limit_choices(holder, project)
        return result

    def validate(self, attrs):
        """Run the model's own rules (clean(), constraints) as the pages do."""
        version = attrs.pop("version", None)
        instance = self.instance or register.model(project=self.context["project"])
        for key, value in attrs.items():
            setattr(instance, key, value)
        instance.project = self.context["project"]
        try:
            # Fields the client cannot send (numbers, derived values) are the model's business.
            instance.full_clean(exclude=[f.name for f in register.model._meta.fields if not f.editable])
        except DjangoValidationError as exc:
            raise DRFValidationError(exc.message_dict)
        attrs["_instance"] = instance
        attrs["_version"] = version
        return attrs

    def create(self, validated):
        instance = validated["_instance"]
        return services.save_versioned(instance, None)

    def update(self, instance, validated):
        updated = validated["_instance"]
        if validated["_version"] is None:
            raise DRFValidationError({"version": [_("Send the version you read, so concurrent edits are detected.")]})
        try:
            return services.save_versioned(updated, validated["_version"])
        except services.EditConflict as conflict:
            raise Conflict(
                {
                    "detail": str(conflict),
                    "current_version": conflict.current.version,
                    "changed_fields": [c.field for c in conflict.changes],
                }
            )

    attrs = {
        "Meta": Meta,
        "get_fields": get_fields,
        "validate": validate,
        "create": create,
        "update": update,
        "version": serializers.IntegerField(required=False),
    }
    if issubclass(register.model, Numbered):
        attrs["ref"] = serializers.CharField(read_only=True)
    name = f"{register.model.__name__}Serializer"
    return type(name, (serializers.ModelSerializer,), attrs)


def make_viewset(register):
    serializer_class = make_serializer(register)

    class RegisterViewSet(viewsets.ModelViewSet):
        permission_classes = [permissions.IsAuthenticated, RegisterPermission]
        filterset_fields = register.filter_fields

        def initial(self, request, *args, **kwargs):
            self.register = register
            # Authenticate first, then resolve the project (404 for non-members).
            self.perform_authentication(request)
            if request.user.is_authenticated:
                self.access = project_access(request.user, kwargs["project"])
            super().initial(request, *args, **kwargs)

        def get_queryset(self):
            if getattr(self, "swagger_fake_view", False):
                return register.model.objects.none()
            return register.queryset(self.access.project).order_by(*register.ordering, "pk")

        def get_serializer_context(self):
            context = super().get_serializer_context()
            if hasattr(self, "access"):
                context["project"] = self.access.project
            return context

        def perform_update(self, serializer):
            reason = register.locked_reason(serializer.instance)
            if reason:
                raise PermissionDenied(reason)
            super().perform_update(serializer)

        def perform_destroy(self, instance):
            reason = register.locked_reason(instance)
            if reason:
                raise PermissionDenied(reason)
            services.delete_row(instance)

    RegisterViewSet.serializer_class = serializer_class
    RegisterViewSet.__name__ = f"{register.model.__name__}ViewSet"
    return extend_schema(tags=[register.area])(RegisterViewSet)


def api_urls() -> list:
    patterns = [path("projects/", ProjectList.as_view(), name="api-projects")]
    for register in all_registers():
        viewset = make_viewset(register)
        base = f"projects/<int:project>/{register.area}/{register.slug}/"
        name = f"api-{register.area}-{register.slug}"
        actions = {"get": "list", "post": "create"} if register.creatable else {"get": "list"}
        patterns.append(path(base, viewset.as_view(actions), name=f"{name}-list"))
        patterns.append(
            path(
                f"{base}<int:pk>/",
                viewset.as_view({"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}),
                name=f"{name}-detail",
            )
        )
    return patterns
