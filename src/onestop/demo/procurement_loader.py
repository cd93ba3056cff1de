"""Load the e-Procurement demo through the services: approved suppliers with catalogs, budgets,
approval chains and a store with stock."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from onestop.core.thai import fiscal_year
from onestop.demo import procurement_data as data
from onestop.identity import public as identity
from onestop.identity.models import Business, User
from onestop.procurement.domain import vault
from onestop.procurement.models import (
    ApprovalLevel,
    Auction,
    BudgetLine,
    CatalogItem,
    ProcurementPlan,
    StockItem,
    Store,
    Supplier,
    Tender,
    VaultMemberKey,
)
from onestop.procurement.services import (
    auctions,
    budget,
    catalog,
    inventory,
    planning,
    suppliers,
    tendering,
)

# A minimal valid PDF standing in for a scanned company certificate.
CERTIFICATE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
    b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _owner(business: Business) -> identity.Principal:
    return identity.principal_for(business.members.filter(role="owner").first().user)


def _suppliers(admin: identity.Principal) -> None:
    for juristic_id, spec in data.CATALOGS.items():
        business = Business.objects.filter(juristic_id=juristic_id).first()
        if business is None:
            continue
        owner = _owner(business)
        supplier = Supplier.objects.filter(business=business).first()
        if supplier is None:
            supplier = suppliers.supplier_apply(
                actor=owner,
                juristic_id=juristic_id,
                categories=spec["categories"],
                address=business.address,
                contact_name=owner.display_name,
                contact_phone="021234567",
                contact_email=business.email or "sales@example.co.th",
                bank_account_name=business.name_th,
                **spec["payout"],
                documents=[
                    suppliers.Upload(
                        "company_certificate", "company-certificate.pdf", CERTIFICATE_PDF
                    )
                ],
            )
        if supplier.status == Supplier.Status.PENDING:
            suppliers.supplier_review(actor=admin, juristic_id=juristic_id, decision="approve")
        for sku, name_th, name_en, category, unit, price, specs, framework in spec["items"]:
            if CatalogItem.objects.filter(supplier=supplier, sku=sku).exists():
                continue
            item = catalog.catalog_item_create(
                actor=owner,
                juristic_id=juristic_id,
                fields={
                    "sku": sku,
                    "name_th": name_th,
                    "name_en": name_en,
                    "category": category,
                    "unit": unit,
                    "price": price,
                    "specs": specs,
                },
            )
            if framework:
                catalog.catalog_item_framework_set(actor=admin, item_id=item.pk, framework=True)


def _agency_admin(agency_code: str) -> identity.Principal:
    user = User.objects.get(
        officer__agency__code=agency_code, officer__role_grants__role="agency_admin"
    )
    return identity.principal_for(user)


def _budgets() -> None:
    year = fiscal_year(timezone.now())
    for agency_code, lines in data.BUDGETS.items():
        admin = _agency_admin(agency_code)
        for code, name, amount in lines:
            if not BudgetLine.objects.filter(
                agency__code=agency_code, fiscal_year=year, code=code
            ).exists():
                budget.budget_line_create(
                    actor=admin,
                    agency_code=agency_code,
                    fiscal_year=year,
                    code=code,
                    name=name,
                    amount=Decimal(amount),
                )
    for agency_code, levels in data.LEVELS.items():
        if not ApprovalLevel.objects.filter(agency__code=agency_code).exists():
            budget.approval_levels_set(
                actor=_agency_admin(agency_code), agency_code=agency_code, levels=levels
            )


def _stores() -> None:
    year = fiscal_year(timezone.now())
    for agency_code, (code, name, address, keeper, budget_code, stock) in data.STORES.items():
        admin = _agency_admin(agency_code)
        if not Store.objects.filter(agency__code=agency_code, code=code).exists():
            line = BudgetLine.objects.get(
                agency__code=agency_code, fiscal_year=year, code=budget_code
            )
            inventory.store_create(
                actor=admin,
                code=code,
                name=name,
                address=address,
                keeper=keeper,
                budget_line_id=line.pk,
            )
        for sku, on_hand, point, quantity in stock:
            item = CatalogItem.objects.filter(sku=sku).first()
            if item is None or StockItem.objects.filter(store__code=code, item=item).exists():
                continue
            inventory.stock_item_set(
                actor=admin,
                store_code=code,
                item_id=item.pk,
                reorder_point=Decimal(point),
                reorder_quantity=Decimal(quantity),
            )
            inventory.stock_count(
                actor=admin,
                store_code=code,
                item_id=item.pk,
                counted=Decimal(on_hand),
                note="ตรวจนับยกมา",
            )


def _vault_keys() -> None:
    """Every demo committee member gets a vault key under the demo vault passphrase."""
    for user in User.objects.filter(officer__role_grants__role=identity.Role.COMMITTEE):
        if VaultMemberKey.objects.filter(user=user).exists():
            continue
        tendering.vault_key_create(
            actor=identity.principal_for(user), passphrase=data.DEMO_VAULT_PASSPHRASE
        )


DEMO_TENDER_TITLE = "จ้างพัฒนาระบบบริหารงานพัสดุ ระยะที่ 1"


def _plan() -> int | None:
    """CGD's published procurement plan for this fiscal year; the id of its first project."""
    buyer = identity.principal_for(User.objects.get(username="cgd.buyer"))
    year = fiscal_year(timezone.now())
    plan = ProcurementPlan.objects.filter(agency__code="CGD", fiscal_year=year).first()
    if plan is None:
        month = timezone.localdate().replace(day=1)
        plan = planning.plan_save(
            actor=buyer,
            fiscal_year=year,
            items=[
                planning.PlanItemInput(title, method, budget, month)
                for title, method, budget in data.PLAN_ITEMS
            ],
        )
        plan = planning.plan_publish(actor=buyer, fiscal_year=year)
    first = plan.items.order_by("position").first()
    return first.pk if first else None


def _tender() -> None:
    """A published tender with two sealed bids (sealed as the bidders' browsers would)."""
    if Tender.objects.filter(title=DEMO_TENDER_TITLE).exists():
        return
    buyer = identity.principal_for(User.objects.get(username="cgd.buyer"))
    now = timezone.now()
    plan_item = _plan()
    tender = tendering.tender_create(
        actor=buyer,
        title=DEMO_TENDER_TITLE,
        description="ระบบบริหารงานพัสดุสำหรับกองพัสดุ พร้อมฝึกอบรมผู้ใช้งาน",
        method=Tender.Method.E_BIDDING,
        budget="1500000.00",
        lines=[
            tendering.LineInput("พัฒนาระบบ", "1", "ระบบ", "1200000.00", "ราคาตลาด 3 ราย"),
            tendering.LineInput("ฝึกอบรมผู้ใช้งาน", "2", "ครั้ง", "95000.00", "ราคามาตรฐาน"),
        ],
        clarification_deadline=now + timedelta(days=7),
        submission_deadline=now + timedelta(days=14),
        opening_at=now + timedelta(days=14, hours=2),
        terms=tendering.TenderTerms(
            qualification_rules=data.QUALIFICATION_RULES,
            award_due=(now + timedelta(days=30)).date(),
            plan_item_id=plan_item,
        ),
    )
    members = User.objects.filter(
        officer__agency__code="CGD", officer__role_grants__role=identity.Role.COMMITTEE
    ).order_by("username")
    tender = tendering.tender_publish(
        actor=buyer,
        reference=tender.reference,
        committee=[member.username for member in members],
        threshold=2,
    )
    for juristic_id, price in data.TENDER_BIDS:
        supplier = Supplier.objects.select_related("business").get(
            business__juristic_id=juristic_id
        )
        plaintext = json.dumps({"price": price, "note": "ยืนราคา 90 วัน"}, ensure_ascii=False)
        tendering.bid_submit(
            actor=_owner(supplier.business),
            reference=tender.reference,
            supplier_id=supplier.pk,
            sealed=vault.seal(
                bytes(tender.vault_public),
                plaintext.encode(),
                tendering.bid_context(tender.reference, supplier.pk),
            ),
        )


DEMO_AUCTION_TITLE = "ขายทอดตลาดรถยนต์ส่วนกลาง โตโยต้า โคโรลล่า อัลติส ปี 2558 จำนวน 1 คัน"


def _auction() -> None:
    """A forward auction of a surplus government car next week (P-19): businesses register on
    its page, pay the deposit by Thai QR and bid from the opening time."""
    if Auction.objects.filter(title=DEMO_AUCTION_TITLE).exists():
        return
    buyer = identity.principal_for(User.objects.get(username="cgd.buyer"))
    opens = (timezone.localtime() + timedelta(days=7)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    auctions.auction_create(
        actor=buyer,
        data=auctions.AuctionInput(
            kind=Auction.Kind.FORWARD,
            title=DEMO_AUCTION_TITLE,
            description=(
                "รถยนต์ส่วนกลางที่หมดความจำเป็นต้องใช้งาน ทะเบียน 1กข 2345 กรุงเทพมหานคร "
                "ระยะทาง 186,000 กม. ชมสภาพรถได้ที่ลานจอดกรมบัญชีกลางในวันและเวลาราชการ"
            ),
            start_price="180000.00",
            step_amount="2000.00",
            reserve_price="200000.00",
            deposit="10000.00",
            opens_at=opens,
            ends_at=opens + timedelta(hours=1),
        ),
    )


DEMO_SEALED_TITLE = "ประมูลแบบปิด จัดซื้อเครื่องคอมพิวเตอร์โน้ตบุ๊ก 60 เครื่อง"


def _sealed_auction() -> None:
    """A sealed-bid auction among three demo suppliers from tomorrow (P-18): each seals one
    price on its page; the demo committee opens the bids after the close."""
    if Auction.objects.filter(title=DEMO_SEALED_TITLE).exists():
        return
    buyer = identity.principal_for(User.objects.get(username="cgd.buyer"))
    opens = (timezone.localtime() + timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    bidders = Supplier.objects.filter(status=Supplier.Status.APPROVED).order_by("pk")[:3]
    auctions.auction_create(
        actor=buyer,
        data=auctions.AuctionInput(
            kind=Auction.Kind.SEALED,
            title=DEMO_SEALED_TITLE,
            description="โน้ตบุ๊กสำหรับเจ้าหน้าที่ ตามคุณลักษณะเฉพาะของกระทรวงดิจิทัลฯ รับประกัน 3 ปี",
            reference_price="1800000.00",
            start_price="1750000.00",
            suppliers=[supplier.pk for supplier in bidders],
            committee=["cgd.committee1", "cgd.committee2", "cgd.committee3"],
            threshold=2,
            allow_resubmission=True,
            opens_at=opens,
            ends_at=opens + timedelta(hours=8),
        ),
    )


def load(admin: identity.Principal) -> None:
    _suppliers(admin)
    _budgets()
    _stores()
    _vault_keys()
    _plan()
    _tender()
    _auction()
    _sealed_auction()
