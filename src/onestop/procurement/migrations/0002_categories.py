"""The e-Catalog's categories (reference data, coded like UNSPSC)."""

from django.db import migrations

from onestop.procurement.categories import CATEGORIES


def load(apps, schema_editor):
    category = apps.get_model("procurement", "Category")
    created = {}
    for code, name_th, name_en, parent in CATEGORIES:
        created[code], _ = category.objects.update_or_create(
            code=code,
            defaults={"name_th": name_th, "name_en": name_en, "parent": created.get(parent)},
        )


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
