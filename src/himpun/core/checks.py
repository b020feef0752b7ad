"""System checks that keep the model registry honest."""

from django.core import checks


@checks.register()
def registered_models_have_export_permission(app_configs, **kwargs):
    from himpun.core.registry import registry

    errors = []
    for screens in registry.all():
        perms = screens.model._meta.default_permissions
        if "export" not in perms:
            errors.append(
                checks.Error(
                    f"{screens.model._meta.label} lacks the 'export' permission",
                    hint="Let its Meta inherit BaseModel.Meta.",
                    id="himpun.E001",
                )
            )
    return errors
