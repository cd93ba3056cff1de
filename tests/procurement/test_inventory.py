"""Stores (P-08): receipts add, issues take away, the reorder point starts a purchase."""

from __future__ import annotations

from decimal import Decimal

import pytest

from onestop.procurement.models import PurchaseOrder, Requisition, StockItem
from onestop.procurement.services import inventory, orders, receiving, requisitions, shopping

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(cgd_team):
    return inventory.store_create(
        actor=cgd_team["admin"],
        code="MAIN",
        name="คลังพัสดุกลาง",
        address="กรมบัญชีกลาง อาคาร 1 ชั้น 1",
        keeper=cgd_team["buyer"].username,
        budget_line_id=cgd_team["budget"].pk,
    )


def _stock(cgd_team, store, item_row, on_hand="10", point="3", quantity="20"):
    stock = inventory.stock_item_set(
        actor=cgd_team["admin"],
        store_code=store.code,
        item_id=item_row.pk,
        reorder_point=Decimal(point),
        reorder_quantity=Decimal(quantity),
    )
    StockItem.objects.filter(pk=stock.pk).update(on_hand=Decimal(on_hand))
    return stock


def test_accepted_goods_enter_the_store(approved_supplier, item, cgd_team, store):
    owner = approved_supplier()
    paper = item(owner)
    shopping.shopping_list_add(actor=cgd_team["buyer"], item_id=paper.pk, quantity=Decimal("5"))
    requisition = requisitions.requisition_submit(
        actor=cgd_team["buyer"],
        budget_line_id=cgd_team["budget"].pk,
        justification="เติมคลัง",
        store_code="MAIN",
    )
    requisitions.requisition_decide(
        actor=cgd_team["approver"], number=requisition.number, decision="approve"
    )
    order = PurchaseOrder.objects.get(requisition=requisition)
    assert order.delivery_address == store.address
    orders.purchase_order_acknowledge(actor=owner, number=order.number)
    (line,) = order.lines.all()
    receiving.goods_receipt_record(
        actor=cgd_team["inspector"],
        number=order.number,
        lines=[receiving.ReceiptLineIn(line.pk, Decimal("5"), Decimal("4"), "ชำรุด 1")],
    )
    stock = StockItem.objects.get(store=store, item=paper)
    assert stock.on_hand == Decimal("4")
    assert stock.movements.get().reference.startswith("CGD-GR-")


def test_issuing_below_the_reorder_point_starts_a_requisition(item, cgd_team, store):
    paper = item()
    _stock(cgd_team, store, paper)
    inventory.stock_issue(
        actor=cgd_team["buyer"],
        store_code="MAIN",
        item_id=paper.pk,
        quantity="8",
        reference="งานสารบรรณ",
    )
    requisition = Requisition.objects.get(source="reorder")
    assert requisition.status == "submitted" and requisition.total == Decimal("2500.00")
    assert requisition.requester_id == cgd_team["buyer"].user_id
    # a second issue while the reorder is open does not reorder again
    inventory.stock_issue(
        actor=cgd_team["buyer"], store_code="MAIN", item_id=paper.pk, quantity="1"
    )
    assert Requisition.objects.filter(source="reorder").count() == 1


def test_a_framework_price_item_is_ordered_at_once(item, cgd_team, store):
    paper = item()
    type(paper).objects.filter(pk=paper.pk).update(framework_agreement=True)
    _stock(cgd_team, store, paper)
    inventory.stock_issue(
        actor=cgd_team["buyer"], store_code="MAIN", item_id=paper.pk, quantity="7"
    )
    requisition = Requisition.objects.get(source="reorder")
    assert requisition.status == "ordered"
    order = PurchaseOrder.objects.get(requisition=requisition)
    assert order.status == "issued" and order.document_id is not None and order.store_id == store.pk


def test_without_budget_the_reorder_waits_as_a_draft(item, cgd_team, store):
    paper = item(price="9000.00")
    _stock(cgd_team, store, paper, quantity="20")  # 180,000 > 100,000
    inventory.stock_issue(
        actor=cgd_team["buyer"], store_code="MAIN", item_id=paper.pk, quantity="8"
    )
    requisition = Requisition.objects.get(source="reorder")
    assert requisition.status == "draft" and "100,000.00" in requisition.note


def test_more_than_on_hand_cannot_be_issued(item, cgd_team, store):
    paper = item()
    _stock(cgd_team, store, paper, on_hand="2")
    with pytest.raises(inventory.InsufficientStockError) as caught:
        inventory.stock_issue(
            actor=cgd_team["buyer"], store_code="MAIN", item_id=paper.pk, quantity="3"
        )
    assert "2" in caught.value.text("en")
    assert StockItem.objects.get().on_hand == Decimal("2")
