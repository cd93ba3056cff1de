"""Purchase orders carry their budget line (tender contracts have no requisition).

A separate migration: PostgreSQL refuses to alter a table with pending deferred checks from
the data update in the same transaction."""

import django.db.models.deletion
from django.db import migrations, models


def budget_line_from_requisition(apps, schema_editor):
    PurchaseOrder = apps.get_model("procurement", "PurchaseOrder")
    Requisition = apps.get_model("procurement", "Requisition")
    for requisition in Requisition.objects.filter(orders__isnull=False).distinct():
        PurchaseOrder.objects.filter(requisition=requisition).update(
            budget_line_id=requisition.budget_line_id
        )


class Migration(migrations.Migration):
    dependencies = [("procurement", "0004_tender_award")]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="penalty_deducted",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=14),
        ),
        migrations.RunPython(budget_line_from_requisition, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="purchaseorder",
            name="budget_line",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="procurement.budgetline",
            ),
        ),
    ]
