"""The e-Catalog (P-02): suppliers manage their own items; buyers search in Thai and filter."""

from __future__ import annotations

from decimal import Decimal

import pytest

from onestop.core.errors import PermissionDeniedError
from onestop.procurement.models import Supplier
from onestop.procurement.selectors import catalog_search, items_compare
from onestop.procurement.services import catalog
from tests.procurement.conftest import juristic_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(approved_supplier, item):
    first, second = approved_supplier(), approved_supplier()
    return {
        "paper": item(
            first,
            sku="P1",
            name_th="กระดาษถ่ายเอกสาร A4 80 แกรม",
            name_en="Copy paper A4",
            price="125.00",
        ),
        "paper2": item(
            second,
            sku="P2",
            name_th="กระดาษถ่ายเอกสาร A4 70 แกรม",
            name_en="Copy paper A4",
            price="99.00",
        ),
        "toner": item(
            first,
            sku="T1",
            name_th="หมึกพิมพ์เลเซอร์ HP 85A",
            name_en="HP laser toner",
            category="44103100",
            unit="ตลับ",
            price="2490.00",
        ),
        "first": first,
        "second": second,
    }


def ids(results):
    return [item.pk for item in results.items]


def test_thai_words_are_found_inside_compounds(shelf):
    assert set(ids(catalog_search(query="กระดาษ"))) == {shelf["paper"].pk, shelf["paper2"].pk}
    assert ids(catalog_search(query="ถ่ายเอกสาร 80 แกรม"))[0] == shelf["paper"].pk
    assert ids(catalog_search(query="หมึก")) == [shelf["toner"].pk]


def test_mixed_thai_and_english_and_typos(shelf):
    assert shelf["toner"].pk in ids(catalog_search(query="toner HP"))
    assert shelf["paper"].pk in ids(catalog_search(query="A4 กระดาษ"))
    typo = catalog_search(query="กระดาด")
    assert shelf["paper"].pk in ids(typo) and typo.corrected


def test_filters_by_category_supplier_and_price(shelf):
    assert ids(catalog_search(query="", category="44103100")) == [shelf["toner"].pk]
    supplier_id = Supplier.objects.get(business__members__user_id=shelf["second"].user_id).pk
    assert ids(catalog_search(query="กระดาษ", supplier_id=supplier_id)) == [shelf["paper2"].pk]
    assert ids(catalog_search(query="กระดาษ", price_max=Decimal("100"))) == [shelf["paper2"].pk]
    assert set(ids(catalog_search(query="", category="44000000"))) == {shelf["toner"].pk}


def test_a_supplier_changes_only_its_own_items(shelf):
    with pytest.raises(PermissionDeniedError):
        catalog.catalog_item_update(
            actor=shelf["second"], item_id=shelf["paper"].pk, fields={"price": "1"}
        )
    changed = catalog.catalog_item_update(
        actor=shelf["first"],
        item_id=shelf["paper"].pk,
        fields={"price": "119.50", "name_th": "กระดาษ A4 ราคาพิเศษ"},
    )
    assert changed.price == Decimal("119.50")
    assert shelf["paper"].pk in ids(catalog_search(query="ราคาพิเศษ"))


def test_a_withdrawn_item_leaves_the_search(shelf):
    catalog.catalog_item_delete(actor=shelf["first"], item_id=shelf["toner"].pk)
    assert ids(catalog_search(query="หมึก")) == []


def test_a_duplicate_code_is_refused(shelf):
    with pytest.raises(catalog.DuplicateSkuError):
        catalog.catalog_item_create(
            actor=shelf["first"],
            juristic_id=juristic_of(shelf["first"]),
            fields={
                "category": "14111500",
                "sku": "P1",
                "name_th": "x",
                "unit": "รีม",
                "price": "1",
            },
        )


def test_items_are_compared_side_by_side(shelf):
    items, names = items_compare([shelf["paper"].pk, shelf["paper2"].pk])
    assert {i.pk for i in items} == {shelf["paper"].pk, shelf["paper2"].pk}
    assert names == ["ขนาด", "น้ำหนัก"]
