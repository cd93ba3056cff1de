"""Demo data of e-Procurement: suppliers' catalogs, budgets, approval chains, stores."""

from __future__ import annotations

# The demo committee members' vault passphrase (they release their tender shares with it).
DEMO_VAULT_PASSPHRASE = "vault-sawasdee-2569"  # noqa: S105 - published, demo data only

# juristic ID -> categories, payout, items (sku, Thai, English, category, unit, price, specs, framework)
CATALOGS = {
    "0105545012345": {
        "categories": ["14111500", "14111700", "44121600", "44121700", "44111500"],
        "payout": {
            "payout_method": "bank_account",
            "bank_code": "014",
            "bank_account_number": "4081234567",
        },
        "items": [
            (
                "SP-A4-80",
                "กระดาษถ่ายเอกสาร A4 80 แกรม",
                "Copy paper A4 80 gsm",
                "14111500",
                "รีม",
                "125.00",
                {"ขนาด": "A4", "น้ำหนัก": "80 แกรม", "จำนวนแผ่น": "500"},
                True,
            ),
            (
                "SP-A4-70",
                "กระดาษถ่ายเอกสาร A4 70 แกรม",
                "Copy paper A4 70 gsm",
                "14111500",
                "รีม",
                "105.00",
                {"ขนาด": "A4", "น้ำหนัก": "70 แกรม", "จำนวนแผ่น": "500"},
                False,
            ),
            (
                "SP-F14",
                "กระดาษถ่ายเอกสาร F14 80 แกรม",
                "Copy paper F14",
                "14111500",
                "รีม",
                "145.00",
                {"ขนาด": "F14", "น้ำหนัก": "80 แกรม"},
                False,
            ),
            (
                "SP-TP-24",
                "กระดาษชำระม้วนใหญ่ 24 ม้วน",
                "Toilet tissue jumbo roll, 24",
                "14111700",
                "แพ็ค",
                "389.00",
                {"จำนวน": "24 ม้วน", "ความหนา": "2 ชั้น"},
                False,
            ),
            (
                "SP-PEN-B",
                "ปากกาลูกลื่น สีน้ำเงิน 0.5 มม. (50 ด้าม)",
                "Ballpoint pen blue 0.5 mm, box of 50",
                "44121700",
                "กล่อง",
                "250.00",
                {"สี": "น้ำเงิน", "ขนาดหัว": "0.5 มม."},
                False,
            ),
            (
                "SP-STP",
                "ลวดเย็บกระดาษ เบอร์ 10",
                "Staples no. 10",
                "44121600",
                "กล่อง",
                "12.00",
                {},
                False,
            ),
            (
                "SP-FILE",
                "แฟ้มสันกว้าง 3 นิ้ว สีน้ำเงิน",
                "Lever arch file 3 inch blue",
                "44111500",
                "แฟ้ม",
                "85.00",
                {"ขนาด": "A4", "สัน": "3 นิ้ว"},
                False,
            ),
            (
                "SP-ENV",
                "ซองจดหมายสีน้ำตาล ขนาด A4 (50 ซอง)",
                "Brown envelope A4, 50",
                "44121600",
                "แพ็ค",
                "95.00",
                {},
                False,
            ),
        ],
    },
    "0105536004564": {
        "categories": ["44103100", "43211500", "43211900", "43212100", "56101700"],
        "payout": {"payout_method": "promptpay", "promptpay_id": "0105536004564"},
        "items": [
            (
                "TO-85A",
                "หมึกพิมพ์เลเซอร์ HP 85A สีดำ",
                "HP 85A black laser toner",
                "44103100",
                "ตลับ",
                "2490.00",
                {"รุ่นเครื่องพิมพ์": "HP LaserJet P1102", "พิมพ์ได้": "1,600 แผ่น"},
                True,
            ),
            (
                "TO-CAN-337",
                "หมึกพิมพ์ Canon Cartridge 337",
                "Canon cartridge 337",
                "44103100",
                "ตลับ",
                "2150.00",
                {"รุ่นเครื่องพิมพ์": "Canon MF210"},
                False,
            ),
            (
                "TO-INK-EP",
                "หมึกเติมอิงค์เจ็ท Epson 003 ชุด 4 สี",
                "Epson 003 ink bottles, 4 colours",
                "44103100",
                "ชุด",
                "1060.00",
                {"สี": "ดำ ฟ้า ชมพู เหลือง"},
                False,
            ),
            (
                "PC-DESK-I5",
                "เครื่องคอมพิวเตอร์ตั้งโต๊ะ Core i5 RAM 16GB SSD 512GB",
                "Desktop PC Core i5 16GB 512GB SSD",
                "43211500",
                "เครื่อง",
                "23900.00",
                {"CPU": "Intel Core i5", "RAM": "16 GB", "SSD": "512 GB"},
                False,
            ),
            (
                "NB-14",
                "คอมพิวเตอร์โน้ตบุ๊ก 14 นิ้ว Core i5",
                "Notebook 14 inch Core i5",
                "43211500",
                "เครื่อง",
                "25900.00",
                {"จอ": "14 นิ้ว", "RAM": "16 GB"},
                False,
            ),
            (
                "MON-24",
                "จอภาพ LED 24 นิ้ว Full HD",
                "24 inch Full HD monitor",
                "43211900",
                "จอ",
                "3990.00",
                {"ขนาด": "24 นิ้ว", "ความละเอียด": "1920x1080"},
                False,
            ),
            (
                "PRN-LASER",
                "เครื่องพิมพ์เลเซอร์ขาวดำ 40 แผ่น/นาที",
                "Mono laser printer 40 ppm",
                "43212100",
                "เครื่อง",
                "8900.00",
                {"ความเร็ว": "40 แผ่น/นาที", "เชื่อมต่อ": "LAN, USB"},
                False,
            ),
            (
                "CH-OFFICE",
                "เก้าอี้สำนักงาน พนักพิงสูง ปรับระดับได้",
                "Office chair high back",
                "56101700",
                "ตัว",
                "3200.00",
                {"วัสดุ": "ตาข่าย", "ปรับระดับ": "ได้"},
                False,
            ),
        ],
    },
    "0105561007890": {
        "categories": ["43202000", "43211500", "47131800", "42131600"],
        "payout": {
            "payout_method": "bank_account",
            "bank_code": "004",
            "bank_account_number": "0521234567",
        },
        "items": [
            (
                "USB-64",
                "แฟลชไดรฟ์ USB 3.0 ความจุ 64GB",
                "USB 3.0 flash drive 64GB",
                "43202000",
                "อัน",
                "259.00",
                {"ความจุ": "64 GB"},
                False,
            ),
            (
                "HDD-2TB",
                "ฮาร์ดดิสก์พกพา 2TB",
                "Portable hard disk 2TB",
                "43202000",
                "ลูก",
                "2290.00",
                {"ความจุ": "2 TB"},
                False,
            ),
            (
                "ALC-5L",
                "แอลกอฮอล์ล้างมือ 75% ขนาด 5 ลิตร",
                "Hand sanitiser alcohol 75%, 5 L",
                "47131800",
                "แกลลอน",
                "450.00",
                {"ความเข้มข้น": "75%", "ขนาด": "5 ลิตร"},
                False,
            ),
            (
                "MASK-50",
                "หน้ากากอนามัยทางการแพทย์ 3 ชั้น (50 ชิ้น)",
                "Surgical face mask 3-ply, 50",
                "42131600",
                "กล่อง",
                "120.00",
                {"ชั้นกรอง": "3 ชั้น"},
                True,
            ),
            (
                "CLN-FLOOR",
                "น้ำยาถูพื้น 3.8 ลิตร",
                "Floor cleaner 3.8 L",
                "47131800",
                "แกลลอน",
                "189.00",
                {},
                False,
            ),
        ],
    },
}

# agency -> budget lines (code, name, amount), approval levels (from amount, title)
BUDGETS = {
    "CGD": [("OPS-01", "ค่าวัสดุสำนักงาน", "5000000.00"), ("ICT-01", "ค่าครุภัณฑ์คอมพิวเตอร์", "2000000.00")],
    "DLT": [("OPS-01", "ค่าวัสดุสำนักงาน", "3000000.00")],
}
LEVELS = {
    "CGD": [("0", "ผู้อำนวยการกอง"), ("100000", "รองอธิบดี"), ("500000", "อธิบดีกรมบัญชีกลาง")],
}
STORES = {
    "CGD": (
        "MAIN",
        "คลังพัสดุกลาง กรมบัญชีกลาง",
        "กรมบัญชีกลาง ถนนพระรามที่ 6 แขวงพญาไท เขตพญาไท กรุงเทพมหานคร 10400",
        "cgd.buyer",
        "OPS-01",
        [("SP-A4-80", "50", "20", "100"), ("TO-85A", "4", "2", "6"), ("MASK-50", "30", "10", "40")],
    ),
}

# CGD's annual procurement plan: project, method, budget (all expected this month in the demo).
PLAN_ITEMS = [
    ("จ้างพัฒนาระบบบริหารงานพัสดุ ระยะที่ 1", "e_bidding", "1500000.00"),
    ("ซื้อกระดาษถ่ายเอกสารและวัสดุสำนักงาน", "e_market", "450000.00"),
    ("จ้างบำรุงรักษาเครื่องปรับอากาศ", "specific", "95000.00"),
]
QUALIFICATION_RULES = [
    "เป็นนิติบุคคลที่จดทะเบียนในประเทศไทย",
    "มีผลงานพัฒนาระบบสารสนเทศให้หน่วยงานภาครัฐอย่างน้อย 1 สัญญา ภายใน 5 ปี",
    "ไม่เป็นผู้ทิ้งงานของทางราชการ",
]

# The demo tender's sealed bids: juristic ID of the bidder, price (sealed, opened at opening).
TENDER_BIDS = [
    ("0105561007890", "1348000.00"),
    ("0105536004564", "1372500.00"),
]
