"""Demo data: real Thai agencies, officers for every role, suppliers and citizens (valid IDs).

Every account uses the password DEMO_PASSWORD. Citizens log in with their national ID.
"""

from __future__ import annotations

DEMO_PASSWORD = "sawasdee-2569"  # noqa: S105 - published demo password, demo data only

MINISTRIES = [
    ("MOF", "กระทรวงการคลัง", "Ministry of Finance"),
    ("MOI", "กระทรวงมหาดไทย", "Ministry of Interior"),
    ("MOT", "กระทรวงคมนาคม", "Ministry of Transport"),
    ("MOL", "กระทรวงแรงงาน", "Ministry of Labour"),
    ("MOPH", "กระทรวงสาธารณสุข", "Ministry of Public Health"),
]

# code, Thai name, English name, kind, ministry
AGENCIES = [
    ("CGD", "กรมบัญชีกลาง", "The Comptroller General's Department", "department", "MOF"),
    ("RD", "กรมสรรพากร", "The Revenue Department", "department", "MOF"),
    ("DOPA", "กรมการปกครอง", "Department of Provincial Administration", "department", "MOI"),
    ("DLT", "กรมการขนส่งทางบก", "Department of Land Transport", "department", "MOT"),
    ("SSO", "สำนักงานประกันสังคม", "Social Security Office", "department", "MOL"),
    ("MEA", "การไฟฟ้านครหลวง", "Metropolitan Electricity Authority", "state_enterprise", "MOI"),
    ("MWA", "การประปานครหลวง", "Metropolitan Waterworks Authority", "state_enterprise", "MOI"),
    ("DMS", "กรมการแพทย์", "Department of Medical Services", "department", "MOPH"),
    ("SAO", "สำนักงานการตรวจเงินแผ่นดิน", "State Audit Office", "independent", None),
]

PLATFORM_ADMIN = ("admin", "อารีย์", "ผู้ดูแลระบบ", "admin@onestop.localhost")
AUDITOR = ("auditor", "มาลี", "ธรรมรักษ์", "auditor@sao.localhost")

# username, first name, last name, agency, position, roles
OFFICERS = [
    ("cgd.admin", "สุภาพร", "วงศ์ใหญ่", "CGD", "นักวิชาการคอมพิวเตอร์ชำนาญการ", ["agency_admin"]),
    ("cgd.buyer", "ธนากร", "ศรีสุข", "CGD", "เจ้าพนักงานพัสดุชำนาญงาน", ["buyer"]),
    ("cgd.approver", "วิไลวรรณ", "ทองดี", "CGD", "ผู้อำนวยการกองบริหารการคลัง", ["approver"]),
    ("cgd.committee1", "ประเสริฐ", "บุญมา", "CGD", "นักวิชาการพัสดุชำนาญการพิเศษ", ["committee"]),
    ("cgd.committee2", "กัญญา", "รัตนพงศ์", "CGD", "นักวิชาการเงินและบัญชีชำนาญการ", ["committee"]),
    ("cgd.committee3", "อนุชา", "แก้วมณี", "CGD", "นิติกรชำนาญการ", ["committee"]),
    ("cgd.inspector", "สมศักดิ์", "พรหมวงศ์", "CGD", "นักวิชาการพัสดุชำนาญการ", ["inspector"]),
    ("cgd.finance", "นภา", "จันทร์เพ็ญ", "CGD", "นักวิชาการเงินและบัญชีชำนาญการ", ["finance"]),
    ("dlt.admin", "ชัยวัฒน์", "อินทร์แก้ว", "DLT", "นักวิชาการคอมพิวเตอร์ชำนาญการ", ["agency_admin"]),
    ("dlt.buyer", "ปิยะนุช", "สายทอง", "DLT", "เจ้าพนักงานพัสดุปฏิบัติงาน", ["buyer", "approver"]),
]

# national ID, title, Thai first/last, English first/last, birth date, address
CITIZENS = [
    (
        "1101700230708",
        "mr",
        "สมชาย",
        "ใจดี",
        "Somchai",
        "Jaidee",
        "1985-03-14",
        "99/1 ถนนพหลโยธิน แขวงสามเสนใน เขตพญาไท กรุงเทพมหานคร 10400",
    ),
    (
        "3509900123450",
        "mrs",
        "สมศรี",
        "มีสุข",
        "Somsri",
        "Meesuk",
        "1972-11-02",
        "12 หมู่ 3 ตำบลสุเทพ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200",
    ),
    (
        "3100500456783",
        "miss",
        "พิมพ์ชนก",
        "แสงทอง",
        "Pimchanok",
        "Saengthong",
        "1990-07-21",
        "45/7 ซอยสุขุมวิท 71 แขวงพระโขนงเหนือ เขตวัฒนา กรุงเทพมหานคร 10110",
    ),
]

# username, contact first/last, e-mail, juristic ID, Thai name, English name, kind, address
SUPPLIERS = [
    (
        "supplier.siampaper",
        "วีระ",
        "กิจเจริญ",
        "sales@siampaper.localhost",
        "0105545012345",
        "บริษัท สยามกระดาษและเครื่องเขียน จำกัด",
        "Siam Paper and Stationery Co., Ltd.",
        "limited",
        "88 ถนนพระราม 4 แขวงคลองเตย เขตคลองเตย กรุงเทพมหานคร 10110",
    ),
    (
        "supplier.thaioffice",
        "จันทร์จิรา",
        "พัฒนกุล",
        "contact@thaioffice.localhost",
        "0105536004564",
        "บริษัท ไทยออฟฟิศซัพพลาย จำกัด (มหาชน)",
        "Thai Office Supply PCL",
        "public_limited",
        "1 ถนนวิภาวดีรังสิต แขวงจตุจักร เขตจตุจักร กรุงเทพมหานคร 10900",
    ),
    (
        "supplier.bkkit",
        "ณัฐพล",
        "ศักดิ์สิทธิ์",
        "info@bkkit.localhost",
        "0105561007890",
        "ห้างหุ้นส่วนจำกัด บางกอกไอทีโซลูชั่น",
        "Bangkok IT Solution Ltd., Part.",
        "limited_partnership",
        "256 ถนนรัชดาภิเษก แขวงห้วยขวาง เขตห้วยขวาง กรุงเทพมหานคร 10310",
    ),
]
