"""A deterministic catalog of Thai government-procurement items, and queries with known answers.

Items are built from product kinds (office supplies, IT, cleaning, medical, furniture, food,
construction, electrical) with Thai names, English brand and model words, sizes, colours and
units, like real e-Catalog entries: "ปากกาลูกลื่น Pentel BK77 0.7 มม. สีน้ำเงิน (แพ็ค 12 ด้าม)".

Each item carries its *concepts*: the whitespace-separated words of its title and text, lower
case, plus the Thai words its product name is made of (`ปากกาลูกลื่น` -> ปากกา, ลูกลื่น). A query
lists the concepts it means (for a typo, the word intended), and an item is relevant when it
has all of them. Relevance therefore comes from how the data was built, never from any
tokenizer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SEED = 20240601


@dataclass(frozen=True)
class Kind:
    category: str
    name: str  # the Thai product name as written in titles
    words: tuple[str, ...]  # the Thai words the name is made of, as a person reads it
    english: str
    brands: tuple[str, ...]
    specs: tuple[str, ...]
    unit: str
    colours: bool = False


OFFICE, IT, CLEANING, MEDICAL = "วัสดุสำนักงาน", "วัสดุคอมพิวเตอร์", "วัสดุงานบ้านงานครัว", "วัสดุการแพทย์"
FURNITURE, FOOD, BUILDING, ELECTRIC = "ครุภัณฑ์สำนักงาน", "อาหารและเครื่องดื่ม", "วัสดุก่อสร้าง", "วัสดุไฟฟ้า"

KINDS = (
    Kind(
        OFFICE,
        "กระดาษถ่ายเอกสาร",
        ("กระดาษ", "ถ่ายเอกสาร"),
        "Copy paper",
        ("Double A", "IDEA", "Quality", "SCG", "PaperOne"),
        ("A4 70 แกรม", "A4 80 แกรม", "A3 80 แกรม", "F14 70 แกรม", "B5 70 แกรม"),
        "รีม",
    ),
    Kind(
        OFFICE,
        "ปากกาลูกลื่น",
        ("ปากกา", "ลูกลื่น"),
        "Ballpoint pen",
        ("Pentel", "Quantum", "Lancer", "Faber-Castell", "Uni"),
        ("0.5 มม.", "0.7 มม.", "1.0 มม."),
        "ด้าม",
        colours=True,
    ),
    Kind(
        OFFICE,
        "ปากกาเน้นข้อความ",
        ("ปากกา", "เน้นข้อความ"),
        "Highlighter",
        ("Stabilo", "Pentel", "Horse", "Faber-Castell"),
        ("หัวตัด", "หัวกลม"),
        "ด้าม",
        True,
    ),
    Kind(
        OFFICE,
        "ดินสอไม้",
        ("ดินสอ",),
        "Wooden pencil",
        ("Staedtler", "Faber-Castell", "Horse", "Mitsubishi"),
        ("HB", "2B", "4B"),
        "โหล",
    ),
    Kind(
        OFFICE,
        "แฟ้มเอกสาร",
        ("แฟ้ม", "เอกสาร"),
        "Document file",
        ("Elephant", "Orca", "Bantex", "Robin"),
        ("A4 สันกว้าง 3 นิ้ว", "A4 สันแคบ 1 นิ้ว", "F4 สันกว้าง 2 นิ้ว"),
        "แฟ้ม",
        True,
    ),
    Kind(
        OFFICE,
        "ลวดเย็บกระดาษ",
        ("ลวด", "เย็บ", "กระดาษ"),
        "Staples",
        ("Max", "Elephant", "Kangaro"),
        ("เบอร์ 10", "เบอร์ 35", "เบอร์ 3"),
        "กล่อง",
    ),
    Kind(
        OFFICE,
        "เครื่องเย็บกระดาษ",
        ("เครื่องเย็บกระดาษ", "เย็บ", "กระดาษ"),
        "Stapler",
        ("Max", "Kangaro", "Deli"),
        ("HD-10", "HD-50", "HD-12N"),
        "เครื่อง",
    ),
    Kind(
        OFFICE,
        "กระดาษโน้ตกาวในตัว",
        ("กระดาษ", "โน้ต"),
        "Sticky notes",
        ("Post-it", "Deli", "Joy"),
        ("3x3 นิ้ว", "3x5 นิ้ว", "1.5x2 นิ้ว"),
        "แพ็ค",
        True,
    ),
    Kind(
        OFFICE,
        "เทปใส",
        ("เทปใส", "เทป"),
        "Clear tape",
        ("3M", "Scotch", "Louis"),
        ("แกน 1 นิ้ว ยาว 36 หลา", "แกน 3 นิ้ว ยาว 72 หลา"),
        "ม้วน",
    ),
    Kind(
        OFFICE,
        "กรรไกรสแตนเลส",
        ("กรรไกร",),
        "Scissors",
        ("Deli", "Maped", "Fiskars"),
        ("8 นิ้ว", "10 นิ้ว", "6.5 นิ้ว"),
        "อัน",
    ),
    Kind(
        OFFICE,
        "ซองจดหมายสีขาว",
        ("ซองจดหมาย", "ซอง"),
        "Envelope",
        ("555", "Double A", "Nine"),
        ("DL 110x220 มม.", "C4 229x324 มม.", "9/12"),
        "กล่อง",
    ),
    Kind(
        OFFICE,
        "สมุดบันทึกปกแข็ง",
        ("สมุดบันทึก", "สมุด"),
        "Hardcover notebook",
        ("Elephant", "Double A", "Campus"),
        ("A5 80 แผ่น", "B5 100 แผ่น", "A4 60 แผ่น"),
        "เล่ม",
    ),
    Kind(
        IT,
        "เครื่องพิมพ์เลเซอร์",
        ("เครื่องพิมพ์", "เลเซอร์"),
        "Laser printer",
        ("HP", "Canon", "Brother", "Epson"),
        ("LaserJet Pro M404dn", "LBP6030", "HL-L2370DN", "M1100"),
        "เครื่อง",
    ),
    Kind(
        IT,
        "เครื่องพิมพ์อิงค์เจ็ท",
        ("เครื่องพิมพ์", "อิงค์เจ็ท"),
        "Inkjet printer",
        ("Epson", "Canon", "HP", "Brother"),
        ("L3210", "G3020", "Smart Tank 515", "DCP-T420W"),
        "เครื่อง",
    ),
    Kind(
        IT,
        "หมึกพิมพ์อิงค์เจ็ท",
        ("หมึก", "พิมพ์", "อิงค์เจ็ท"),
        "Printer ink",
        ("HP", "Canon", "Epson", "Brother"),
        ("680", "GI-790", "003", "BTD60BK", "682"),
        "ขวด",
        True,
    ),
    Kind(
        IT,
        "ตลับหมึกโทนเนอร์",
        ("ตลับหมึก", "หมึก", "โทนเนอร์"),
        "Toner cartridge",
        ("HP", "Canon", "Brother", "Samsung"),
        ("CF259A", "TN-2460", "Cartridge 325", "MLT-D111S"),
        "ตลับ",
    ),
    Kind(
        IT,
        "โน้ตบุ๊ก",
        ("โน้ตบุ๊ก",),
        "Notebook computer laptop",
        ("Dell", "Lenovo", "Acer", "ASUS", "HP"),
        ("Core i5 RAM 8GB SSD 512GB", "Core i7 RAM 16GB SSD 1TB", "Ryzen 5 RAM 8GB SSD 256GB"),
        "เครื่อง",
    ),
    Kind(
        IT,
        "คอมพิวเตอร์ตั้งโต๊ะ",
        ("คอมพิวเตอร์", "ตั้งโต๊ะ"),
        "Desktop computer",
        ("Dell", "Lenovo", "Acer", "HP"),
        ("Core i5 RAM 8GB", "Core i3 RAM 4GB", "Core i7 RAM 16GB"),
        "เครื่อง",
    ),
    Kind(
        IT,
        "จอภาพคอมพิวเตอร์",
        ("จอภาพ", "คอมพิวเตอร์"),
        "Computer monitor",
        ("Dell", "Samsung", "LG", "AOC", "Philips"),
        ("21.5 นิ้ว", "24 นิ้ว", "27 นิ้ว"),
        "เครื่อง",
    ),
    Kind(
        IT,
        "เมาส์ไร้สาย",
        ("เมาส์", "ไร้สาย"),
        "Wireless mouse",
        ("Logitech", "Microsoft", "Razer", "OKER"),
        ("M185", "M331", "Bluetooth 2.4GHz"),
        "ตัว",
        True,
    ),
    Kind(
        IT,
        "คีย์บอร์ด",
        ("คีย์บอร์ด",),
        "Keyboard",
        ("Logitech", "Microsoft", "OKER", "Nubwo"),
        ("USB แป้นไทย", "ไร้สาย แป้นไทย", "K120"),
        "ตัว",
    ),
    Kind(
        IT,
        "แฟลชไดรฟ์",
        ("แฟลชไดรฟ์",),
        "USB flash drive",
        ("Kingston", "SanDisk", "Transcend"),
        ("32GB USB 3.0", "64GB USB 3.1", "128GB USB 3.2"),
        "อัน",
    ),
    Kind(
        IT,
        "ฮาร์ดดิสก์ภายนอก",
        ("ฮาร์ดดิสก์", "ภายนอก"),
        "External hard disk",
        ("WD", "Seagate", "Toshiba"),
        ("1TB", "2TB", "4TB"),
        "ลูก",
    ),
    Kind(
        IT,
        "เครื่องสำรองไฟ",
        ("เครื่องสำรองไฟ", "สำรองไฟ"),
        "UPS",
        ("APC", "Syndome", "Cleanline"),
        ("800VA", "1000VA", "1500VA"),
        "เครื่อง",
    ),
    Kind(
        CLEANING,
        "น้ำยาล้างจาน",
        ("น้ำยา", "ล้างจาน"),
        "Dishwashing liquid",
        ("Sunlight", "Lipon", "Joy"),
        ("500 มล.", "3.6 ลิตร", "750 มล."),
        "ขวด",
    ),
    Kind(
        CLEANING,
        "น้ำยาถูพื้น",
        ("น้ำยา", "ถูพื้น"),
        "Floor cleaner",
        ("Magiclean", "Spaclean", "Pledge"),
        ("900 มล.", "5.2 ลิตร", "1.8 ลิตร"),
        "ขวด",
    ),
    Kind(
        CLEANING,
        "น้ำยาล้างห้องน้ำ",
        ("น้ำยา", "ล้างห้องน้ำ", "ห้องน้ำ"),
        "Toilet cleaner",
        ("Vixol", "Duck", "Harpic"),
        ("900 มล.", "3.5 ลิตร"),
        "ขวด",
    ),
    Kind(
        CLEANING,
        "ผงซักฟอก",
        ("ผงซักฟอก",),
        "Washing powder",
        ("Breeze", "Attack", "OMO"),
        ("900 กรัม", "2.5 กก.", "9 กก."),
        "ถุง",
    ),
    Kind(
        CLEANING,
        "ถุงขยะดำ",
        ("ถุงขยะ",),
        "Garbage bag",
        ("Champion", "Hero", "Sun Brand"),
        ("18x20 นิ้ว", "24x28 นิ้ว", "30x40 นิ้ว"),
        "แพ็ค",
    ),
    Kind(
        CLEANING,
        "ไม้กวาดดอกหญ้า",
        ("ไม้กวาด",),
        "Broom",
        ("Poly-Brite", "3M", "Scotch-Brite"),
        ("ด้ามไม้", "ด้ามพลาสติก"),
        "ด้าม",
    ),
    Kind(
        CLEANING,
        "ไม้ถูพื้น",
        ("ไม้ถูพื้น", "ถูพื้น"),
        "Mop",
        ("Poly-Brite", "Scotch-Brite", "Swash"),
        ("10 นิ้ว", "12 นิ้ว", "ไมโครไฟเบอร์"),
        "อัน",
    ),
    Kind(
        CLEANING,
        "กระดาษทิชชู่ม้วน",
        ("กระดาษ", "ทิชชู่"),
        "Toilet tissue",
        ("Scott", "Cellox", "Kleenex", "Zilk"),
        ("แพ็ค 6 ม้วน", "แพ็ค 24 ม้วน", "แพ็ค 12 ม้วน"),
        "แพ็ค",
    ),
    Kind(
        CLEANING,
        "สบู่เหลวล้างมือ",
        ("สบู่เหลว", "ล้างมือ"),
        "Liquid hand soap",
        ("Protex", "Lifebuoy", "Dettol"),
        ("250 มล.", "500 มล.", "3.5 ลิตร"),
        "ขวด",
    ),
    Kind(
        CLEANING,
        "ถุงมือยางอเนกประสงค์",
        ("ถุงมือ", "ยาง"),
        "Rubber gloves",
        ("Mapa", "Poly-Brite", "Scotch-Brite"),
        ("ไซส์ S", "ไซส์ M", "ไซส์ L"),
        "คู่",
        True,
    ),
    Kind(
        MEDICAL,
        "หน้ากากอนามัย",
        ("หน้ากากอนามัย", "หน้ากาก", "อนามัย"),
        "Surgical face mask",
        ("3M", "Welcare", "Sure"),
        ("3 ชั้น กล่อง 50 ชิ้น", "N95 กล่อง 20 ชิ้น", "KF94"),
        "กล่อง",
        True,
    ),
    Kind(
        MEDICAL,
        "ถุงมือตรวจโรค",
        ("ถุงมือ", "ตรวจโรค"),
        "Examination gloves",
        ("Sri Trang", "Medicare", "Satory"),
        ("ไนไตรล์ ไซส์ M", "ลาเท็กซ์ ไซส์ S", "ไนไตรล์ ไซส์ L"),
        "กล่อง",
    ),
    Kind(
        MEDICAL,
        "แอลกอฮอล์ล้างแผล",
        ("แอลกอฮอล์",),
        "Ethyl alcohol",
        ("Tiger", "Hospro", "Sirirat"),
        ("70% 450 มล.", "70% 1 ลิตร", "95% 450 มล."),
        "ขวด",
    ),
    Kind(
        MEDICAL,
        "เจลล้างมือ",
        ("เจล", "ล้างมือ"),
        "Hand sanitizer gel",
        ("Dettol", "Hygiene", "Smooth E"),
        ("50 มล.", "500 มล.", "5 ลิตร"),
        "ขวด",
    ),
    Kind(
        MEDICAL,
        "เข็มฉีดยา",
        ("เข็มฉีดยา", "ฉีดยา"),
        "Hypodermic needle",
        ("Nipro", "Terumo", "BD"),
        ("เบอร์ 23G", "เบอร์ 25G", "เบอร์ 18G"),
        "กล่อง",
    ),
    Kind(
        MEDICAL,
        "ผ้าก๊อซปิดแผล",
        ("ผ้าก๊อซ",),
        "Gauze pad",
        ("Tigerplast", "Longmed", "3M"),
        ("3x3 นิ้ว", "4x4 นิ้ว", "2x2 นิ้ว"),
        "ห่อ",
    ),
    Kind(
        MEDICAL,
        "เครื่องวัดความดันโลหิต",
        ("เครื่องวัด", "ความดันโลหิต"),
        "Blood pressure monitor",
        ("Omron", "Microlife", "Yuwell"),
        ("HEM-7120", "HEM-7156", "B3 Basic"),
        "เครื่อง",
    ),
    Kind(
        MEDICAL,
        "เครื่องวัดอุณหภูมิ",
        ("เครื่องวัด", "อุณหภูมิ"),
        "Infrared thermometer",
        ("Omron", "Microlife", "Beurer"),
        ("อินฟราเรด", "ดิจิทัล"),
        "เครื่อง",
    ),
    Kind(
        FURNITURE,
        "เก้าอี้สำนักงาน",
        ("เก้าอี้", "สำนักงาน"),
        "Office chair",
        ("Modernform", "Bewell", "Ergotrend", "Index"),
        ("พนักพิงสูง", "พนักพิงต่ำ", "ล้อเลื่อน"),
        "ตัว",
        True,
    ),
    Kind(
        FURNITURE,
        "เก้าอี้พลาสติก",
        ("เก้าอี้",),
        "Plastic chair",
        ("Srithai", "Superware", "Lion Star"),
        ("มีพนักพิง", "ไม่มีพนักพิง"),
        "ตัว",
        True,
    ),
    Kind(
        FURNITURE,
        "โต๊ะทำงาน",
        ("โต๊ะ", "ทำงาน"),
        "Office desk",
        ("Modernform", "Index", "Lucky World"),
        ("120x60 ซม.", "150x75 ซม.", "180x80 ซม."),
        "ตัว",
    ),
    Kind(
        FURNITURE,
        "โต๊ะประชุม",
        ("โต๊ะ", "ประชุม"),
        "Conference table",
        ("Modernform", "Lucky World", "Index"),
        ("240x120 ซม.", "300x120 ซม."),
        "ตัว",
    ),
    Kind(
        FURNITURE,
        "ตู้เอกสารเหล็ก",
        ("ตู้", "เอกสาร"),
        "Steel filing cabinet",
        ("Lucky World", "Elephant", "Taiyo"),
        ("2 บานเปิด", "4 ลิ้นชัก", "บานเลื่อนกระจก"),
        "ตู้",
    ),
    Kind(
        FURNITURE,
        "ตู้เย็น",
        ("ตู้เย็น",),
        "Refrigerator",
        ("Samsung", "Toshiba", "Hitachi", "Sharp"),
        ("5.2 คิว", "7.4 คิว", "13 คิว"),
        "เครื่อง",
    ),
    Kind(
        FURNITURE,
        "เครื่องปรับอากาศ",
        ("เครื่องปรับอากาศ", "ปรับอากาศ"),
        "Air conditioner",
        ("Daikin", "Mitsubishi", "Carrier", "Samsung"),
        ("12000 BTU", "18000 BTU", "24000 BTU"),
        "เครื่อง",
    ),
    Kind(
        FOOD,
        "ข้าวหอมมะลิ",
        ("ข้าว", "หอมมะลิ"),
        "Jasmine rice",
        ("ตราฉัตร", "หงษ์ทอง", "มาบุญครอง"),
        ("5 กก.", "15 กก.", "48 กก."),
        "ถุง",
    ),
    Kind(
        FOOD,
        "น้ำดื่ม",
        ("น้ำดื่ม",),
        "Drinking water",
        ("Singha", "Crystal", "Nestle"),
        ("600 มล. แพ็ค 12", "1.5 ลิตร แพ็ค 6", "350 มล. แพ็ค 24"),
        "แพ็ค",
    ),
    Kind(
        FOOD,
        "กาแฟสำเร็จรูป",
        ("กาแฟ", "สำเร็จรูป"),
        "Instant coffee",
        ("Nescafe", "Birdy", "Khao Shong"),
        ("3in1 แพ็ค 27 ซอง", "ขวด 200 กรัม", "ถุง 500 กรัม"),
        "แพ็ค",
    ),
    Kind(
        FOOD,
        "น้ำตาลทรายขาว",
        ("น้ำตาลทราย", "น้ำตาล"),
        "White sugar",
        ("Mitr Phol", "Lin", "Wangkanai"),
        ("1 กก.", "2 กก.", "50 กก."),
        "ถุง",
    ),
    Kind(
        FOOD,
        "นมยูเอชที",
        ("นม", "ยูเอชที"),
        "UHT milk",
        ("Foremost", "Dutch Mill", "Thai-Danish"),
        ("200 มล. แพ็ค 12", "1 ลิตร", "180 มล. แพ็ค 48"),
        "แพ็ค",
    ),
    Kind(
        FOOD,
        "บะหมี่กึ่งสำเร็จรูป",
        ("บะหมี่", "กึ่งสำเร็จรูป", "สำเร็จรูป"),
        "Instant noodles",
        ("Mama", "Wai Wai", "Yum Yum"),
        ("รสต้มยำกุ้ง ลัง 30 ซอง", "รสหมูสับ ลัง 30 ซอง"),
        "ลัง",
    ),
    Kind(
        BUILDING,
        "ปูนซีเมนต์ผสม",
        ("ปูนซีเมนต์", "ปูน", "ซีเมนต์"),
        "Portland cement",
        ("SCG", "TPI", "Insee"),
        ("50 กก.", "40 กก."),
        "ถุง",
    ),
    Kind(
        BUILDING,
        "เหล็กเส้นกลม",
        ("เหล็กเส้น", "เหล็ก"),
        "Round steel bar",
        ("Tata", "SYS", "Millcon"),
        ("RB6 ยาว 10 ม.", "RB9 ยาว 10 ม.", "DB12 ยาว 10 ม."),
        "เส้น",
    ),
    Kind(
        BUILDING,
        "สีทาบ้าน",
        ("สี", "ทาบ้าน"),
        "House paint",
        ("TOA", "Beger", "Jotun", "Nippon"),
        ("สีน้ำอะครีลิก 3.785 ลิตร", "สีน้ำมัน 0.946 ลิตร", "9 ลิตร"),
        "แกลลอน",
        True,
    ),
    Kind(
        BUILDING,
        "ท่อพีวีซี",
        ("ท่อ", "พีวีซี"),
        "PVC pipe",
        ("SCG", "Thai Pipe", "Xylon"),
        ("4 หุน ชั้น 8.5", "1 นิ้ว ชั้น 13.5", "2 นิ้ว ชั้น 8.5"),
        "เส้น",
    ),
    Kind(
        BUILDING,
        "กระเบื้องปูพื้น",
        ("กระเบื้อง", "ปูพื้น"),
        "Floor tile",
        ("Cotto", "SCG", "Duragres"),
        ("30x30 ซม.", "60x60 ซม.", "16x16 นิ้ว"),
        "กล่อง",
    ),
    Kind(
        BUILDING,
        "ตะปูตอกไม้",
        ("ตะปู",),
        "Wood nails",
        ("TPC", "Bison", "Diamond"),
        ("1 นิ้ว", "2 นิ้ว", "3 นิ้ว"),
        "กก.",
    ),
    Kind(
        ELECTRIC,
        "หลอดไฟแอลอีดี",
        ("หลอดไฟ",),
        "LED bulb",
        ("Philips", "Lamptan", "Panasonic"),
        ("9W E27", "13W E27", "18W T8"),
        "หลอด",
    ),
    Kind(
        ELECTRIC,
        "สายไฟ",
        ("สายไฟ",),
        "Electric cable",
        ("Thai Yazaki", "Bangkok Cable", "Phelps Dodge"),
        ("THW 1x2.5 ตร.มม. 100 ม.", "VAF 2x1.5 ตร.มม. 100 ม."),
        "ขด",
    ),
    Kind(
        ELECTRIC,
        "ปลั๊กพ่วง",
        ("ปลั๊กพ่วง",),
        "Power strip",
        ("Toshino", "Anitech", "Panasonic"),
        ("4 ช่อง 3 เมตร", "6 ช่อง 5 เมตร", "3 ช่อง USB"),
        "อัน",
    ),
    Kind(
        ELECTRIC,
        "ถ่านไฟฉาย",
        ("ถ่านไฟฉาย", "ถ่าน"),
        "Battery",
        ("Panasonic", "Energizer", "GP"),
        ("AA แพ็ค 4", "AAA แพ็ค 4", "9V"),
        "แพ็ค",
    ),
)

COLOURS = ("สีดำ", "สีน้ำเงิน", "สีแดง", "สีเขียว", "สีขาว")
MODEL_LETTERS = "ABCDEFGHKLMNPRSTX"


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    text: str
    category: str
    price: str
    concepts: frozenset[str]


@dataclass(frozen=True)
class Query:
    text: str
    concepts: frozenset[str]
    kind: str  # what the query exercises: exact, compound, mixed, case, typo, words


def _item(number: int, rng: random.Random) -> Item:
    kind = rng.choice(KINDS)
    brand = rng.choice(kind.brands)
    spec = rng.choice(kind.specs)
    colour = rng.choice(COLOURS) if kind.colours else ""
    model = f"{rng.choice(MODEL_LETTERS)}{rng.choice(MODEL_LETTERS)}-{rng.randint(100, 9999)}"
    pack = rng.choice(("", "", f"(แพ็ค {rng.choice((3, 5, 6, 10, 12))} {kind.unit})"))
    title = " ".join(part for part in (kind.name, brand, spec, colour, model, pack) if part)
    text = f"{kind.english} {brand} {model} หน่วยนับ {kind.unit} หมวด {kind.category}"
    concepts = frozenset(f"{title} {text}".lower().split()) | frozenset(kind.words)
    price = f"{rng.randint(5, 60000)}.{rng.choice(('00', '50', '25'))}"
    return Item(str(number), title, text, kind.category, price, concepts)


def catalog(size: int, seed: int = SEED) -> list[Item]:
    """`size` items, the same ones for the same seed."""
    rng = random.Random(seed)
    return [_item(number, rng) for number in range(1, size + 1)]


def _query(text: str, concepts: str, kind: str) -> Query:
    return Query(text, frozenset(concepts.split()), kind)


QUERIES = (
    # Whole Thai words.
    _query("กระดาษ", "กระดาษ", "exact"),
    _query("ปากกา", "ปากกา", "exact"),
    _query("แฟ้ม", "แฟ้ม", "exact"),
    _query("หมึก", "หมึก", "exact"),
    _query("เก้าอี้", "เก้าอี้", "exact"),
    _query("ถุงมือ", "ถุงมือ", "exact"),
    _query("น้ำยา", "น้ำยา", "exact"),
    _query("ปูนซีเมนต์", "ปูนซีเมนต์", "exact"),
    _query("ตู้เย็น", "ตู้เย็น", "exact"),
    _query("หน้ากากอนามัย", "หน้ากากอนามัย", "exact"),
    _query("กาแฟ", "กาแฟ", "exact"),
    _query("คีย์บอร์ด", "คีย์บอร์ด", "exact"),
    # Words inside compounds.
    _query("ถ่ายเอกสาร", "ถ่ายเอกสาร", "compound"),
    _query("ลูกลื่น", "ลูกลื่น", "compound"),
    _query("ล้างจาน", "ล้างจาน", "compound"),
    _query("ถูพื้น", "ถูพื้น", "compound"),
    _query("อนามัย", "อนามัย", "compound"),
    _query("ไร้สาย", "ไร้สาย", "compound"),
    _query("ซีเมนต์", "ซีเมนต์", "compound"),
    _query("หอมมะลิ", "หอมมะลิ", "compound"),
    _query("เน้นข้อความ", "เน้นข้อความ", "compound"),
    _query("ทาบ้าน", "ทาบ้าน", "compound"),
    _query("ปรับอากาศ", "ปรับอากาศ", "compound"),
    # Thai and English together.
    _query("A4 กระดาษ", "a4 กระดาษ", "mixed"),
    _query("หมึก HP", "หมึก hp", "mixed"),
    _query("Canon หมึก", "canon หมึก", "mixed"),
    _query("โน้ตบุ๊ก Dell", "โน้ตบุ๊ก dell", "mixed"),
    _query("printer เลเซอร์", "printer เลเซอร์", "mixed"),
    _query("เมาส์ Logitech", "เมาส์ logitech", "mixed"),
    _query("สีทาบ้าน TOA", "ทาบ้าน toa", "mixed"),
    _query("Epson เครื่องพิมพ์", "epson เครื่องพิมพ์", "mixed"),
    # Case.
    _query("a4", "a4", "case"),
    _query("PRINTER", "printer", "case"),
    _query("lenovo", "lenovo", "case"),
    _query("PHILIPS", "philips", "case"),
    # Typos.
    _query("กระดาด", "กระดาษ", "typo"),
    _query("printr", "printer", "typo"),
    _query("หมึกพิมพ", "หมึก พิมพ์", "typo"),
    _query("เก้าอื้", "เก้าอี้", "typo"),
    _query("แฟม", "แฟ้ม", "typo"),
    _query("ลูกลืน", "ลูกลื่น", "typo"),
    _query("notbook", "notebook", "typo"),
    _query("คียบอร์ด", "คีย์บอร์ด", "typo"),
    _query("เครื่องปรับอากาษ", "เครื่องปรับอากาศ", "typo"),
    _query("ทิชชู", "ทิชชู่", "typo"),
    # Several words.
    _query("ปากกา สีน้ำเงิน", "ปากกา สีน้ำเงิน", "words"),
    _query("กระดาษ 80 แกรม", "กระดาษ 80 แกรม", "words"),
    _query("เก้าอี้ สำนักงาน สีดำ", "เก้าอี้ สำนักงาน สีดำ", "words"),
    _query("ข้าวหอมมะลิ 5 กก.", "หอมมะลิ 5 กก.", "words"),
)
