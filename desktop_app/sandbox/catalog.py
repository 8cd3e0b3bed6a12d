"""What the seeded world is made of: services with packages, and buyers from many places.

Plain data. Buyers write in their own language and script (Latin, CJK, Cyrillic, Arabic and
Hebrew right-to-left, Devanagari, Thai, emoji); merchants answer in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Package:
    name: str
    price_usd: Decimal
    delivery_days: int
    specifications: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ServiceKind:
    title: str
    packages: tuple[Package, ...]
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Locale:
    country: str
    locale: str
    timezones: tuple[str, ...]
    currency: str
    names: tuple[str, ...]
    requirements: tuple[str, ...]
    answers: tuple[str, ...]
    messages: tuple[str, ...]


def _pkg(name: str, usd: str, days: int, *specs: tuple[str, str]) -> Package:
    return Package(name, Decimal(usd), days, specs)


SERVICES: tuple[ServiceKind, ...] = (
    ServiceKind(
        "Logo design for your brand",
        (
            _pkg("Basic", "60", 3, ("Concepts", "1"), ("Revisions", "2"), ("Files", "PNG")),
            _pkg("Standard", "140", 5, ("Concepts", "3"), ("Revisions", "5"),
                 ("Files", "PNG, SVG")),
            _pkg("Premium", "320", 7, ("Concepts", "5"), ("Revisions", "Unlimited"),
                 ("Files", "PNG, SVG, AI"), ("Brand guide", "Yes")),
        ),
        ("What is the brand name?", "Which colours should we use or avoid?"),
    ),
    ServiceKind(
        "Website translation",
        (
            _pkg("Basic", "45", 2, ("Words", "1,000"), ("Proofreading", "No")),
            _pkg("Standard", "120", 4, ("Words", "3,000"), ("Proofreading", "Yes")),
            _pkg("Premium", "380", 10, ("Words", "10,000"), ("Proofreading", "Yes"),
                 ("Glossary", "Included")),
        ),
        ("Which language pair?", "Is there a glossary or a style guide?"),
    ),
    ServiceKind(
        "Podcast editing and mastering",
        (
            _pkg("Basic", "35", 2, ("Episodes", "1"), ("Length", "up to 30 min")),
            _pkg("Standard", "130", 5, ("Episodes", "4"), ("Length", "up to 60 min"),
                 ("Noise removal", "Yes")),
            _pkg("Premium", "260", 7, ("Episodes", "8"), ("Length", "up to 60 min"),
                 ("Show notes", "Yes")),
        ),
        ("Where are the raw files?", "Do you have an intro and outro?"),
    ),
    ServiceKind(
        "Mobile app UI design",
        (
            _pkg("Basic", "150", 5, ("Screens", "5"), ("Prototype", "No")),
            _pkg("Standard", "390", 10, ("Screens", "12"), ("Prototype", "Clickable")),
            _pkg("Premium", "850", 21, ("Screens", "25"), ("Prototype", "Clickable"),
                 ("Design system", "Yes")),
        ),
        ("iOS, Android or both?", "Do you have wireframes?"),
    ),
    ServiceKind(
        "SEO audit",
        (
            _pkg("Basic", "80", 3, ("Pages", "10"), ("Keyword research", "No")),
            _pkg("Standard", "210", 6, ("Pages", "50"), ("Keyword research", "Yes")),
            _pkg("Premium", "540", 12, ("Pages", "200"), ("Keyword research", "Yes"),
                 ("Competitor analysis", "3 competitors")),
        ),
        ("What is the site address?", "Which markets matter most?"),
    ),
    ServiceKind(
        "Video subtitles",
        (
            _pkg("Basic", "25", 1, ("Minutes", "10"), ("Languages", "1")),
            _pkg("Standard", "90", 3, ("Minutes", "30"), ("Languages", "2")),
            _pkg("Premium", "280", 7, ("Minutes", "90"), ("Languages", "3"), ("Burned in", "Yes")),
        ),
        ("Which languages?", "SRT files or burned in?"),
    ),
    ServiceKind(
        "Voice-over recording",
        (
            _pkg("Basic", "40", 2, ("Words", "150"), ("Accent", "Neutral")),
            _pkg("Standard", "110", 3, ("Words", "500"), ("Accent", "Your choice")),
            _pkg("Premium", "300", 5, ("Words", "1,500"), ("Commercial rights", "Yes")),
        ),
        ("What is the tone?", "Is there a reference recording?"),
    ),
    ServiceKind(
        "Custom illustration",
        (
            _pkg("Basic", "70", 4, ("Characters", "1"), ("Background", "Plain")),
            _pkg("Standard", "180", 7, ("Characters", "2"), ("Background", "Simple scene")),
            _pkg("Premium", "450", 14, ("Characters", "4"), ("Background", "Detailed"),
                 ("Commercial use", "Yes")),
        ),
        ("What is the illustration for?", "Any style references?"),
    ),
    ServiceKind(
        "WordPress bug fix",
        (
            _pkg("Basic", "30", 1, ("Issues", "1")),
            _pkg("Standard", "85", 2, ("Issues", "3"), ("Backup first", "Yes")),
            _pkg("Premium", "240", 5, ("Issues", "Up to 10"), ("Speed tuning", "Yes")),
        ),
        ("Which plugins are installed?", "Can you share a staging login?"),
    ),
    ServiceKind(
        "Spreadsheet data cleaning",
        (
            _pkg("Basic", "40", 2, ("Rows", "1,000")),
            _pkg("Standard", "120", 4, ("Rows", "10,000"), ("Deduplication", "Yes")),
            _pkg("Premium", "330", 8, ("Rows", "100,000"), ("Deduplication", "Yes"),
                 ("Dashboard", "Yes")),
        ),
        ("Which format are the files in?", "What should happen to duplicates?"),
    ),
    ServiceKind(
        "Social media content pack",
        (
            _pkg("Basic", "55", 3, ("Posts", "10"), ("Captions", "Yes")),
            _pkg("Standard", "150", 6, ("Posts", "30"), ("Captions", "Yes"), ("Hashtags", "Yes")),
            _pkg("Premium", "290", 10, ("Posts", "60"), ("Stories", "15")),
        ),
        ("Which platforms?", "Who is the audience?"),
    ),
    ServiceKind(
        "Music mixing and mastering",
        (
            _pkg("Basic", "50", 2, ("Tracks", "1"), ("Stems", "up to 16")),
            _pkg("Standard", "180", 5, ("Tracks", "4"), ("Stems", "up to 32")),
            _pkg("Premium", "480", 10, ("Tracks", "12"), ("Stems", "Unlimited"),
                 ("Vinyl master", "Yes")),
        ),
        ("Which genre?", "Any reference tracks?"),
    ),
)


LOCALES: tuple[Locale, ...] = (
    Locale("JP", "ja-JP", ("Asia/Tokyo",), "JPY",
           ("佐藤 美咲", "鈴木 大翔", "高橋 陽菜", "田中 蓮", "伊藤 結衣 🌸"),
           ("会社のウェブサイト用にお願いします。納品はPNGとSVGでお願いできますか？色は青系が希望です。",
            "来月のイベントで使います。添付の資料をご確認ください。"),
           ("はい、すでに資料があります。", "来週の金曜日までに必要です。"),
           ("こんにちは！よろしくお願いします。", "修正は何回まで可能ですか？",
            "ありがとうございます、とても気に入りました 😊", "締め切りに間に合いますか？")),
    Locale("CN", "zh-CN", ("Asia/Shanghai",), "CNY",
           ("王伟", "李娜", "张敏", "刘洋", "陈静"),
           ("这是我们新产品的宣传项目，请使用简洁的风格。附件里有品牌指南。",
            "请在周五之前完成，我们需要中英文两个版本。"),
           ("有的，见附件。", "越快越好，谢谢！"),
           ("你好，请问什么时候可以交付？", "谢谢！效果很好。", "能否再改一下颜色？",
            "收到，辛苦了 🙏")),
    Locale("TW", "zh-TW", ("Asia/Taipei",), "TWD",
           ("林怡君", "陳冠宇", "黃詩涵"),
           ("我們的咖啡店需要新的菜單設計，請參考附件。",),
           ("繁體中文和英文。",),
           ("您好，想確認一下進度。", "非常感謝！")),
    Locale("KR", "ko-KR", ("Asia/Seoul",), "KRW",
           ("김민준", "이서연", "박지훈", "최유나 ✨"),
           ("안녕하세요! 저희 카페 메뉴판 디자인을 부탁드립니다. 참고 이미지를 첨부했어요.",),
           ("네, 로고 파일이 있습니다.", "다음 주 월요일까지 필요해요."),
           ("언제쯤 완성될까요?", "감사합니다 👍", "색상을 조금 더 밝게 해주실 수 있나요?")),
    Locale("KZ", "ru-KZ", ("Asia/Almaty",), "USD",
           ("Алексей Смирнов", "Мария Иванова", "Дмитрий Ким"),
           ("Нужен перевод сайта на английский язык, около 3000 слов. "
            "Терминология в приложенном файле.",),
           ("Да, глоссарий во вложении.", "Желательно до конца месяца."),
           ("Здравствуйте! Когда сможете начать?", "Спасибо, всё отлично!",
            "Можно добавить ещё одну страницу?")),
    Locale("UA", "uk-UA", ("Europe/Kyiv",), "UAH",
           ("Олена Коваленко", "Андрій Шевченко", "Ірина Бондаренко"),
           ("Добрий день! Потрібен логотип для кав'ярні у Львові. Приклади у вкладенні.",),
           ("Теплі кольори, без червоного.",),
           ("Дякую за швидку відповідь!", "Чи можна зробити варіант у темних тонах?")),
    Locale("SA", "ar-SA", ("Asia/Riyadh",), "SAR",
           ("محمد العتيبي", "نورة القحطاني", "عبدالرحمن الشهري"),
           ("أحتاج إلى تصميم شعار لمتجري الإلكتروني. أفضّل الألوان الذهبية والأسود. "
            "الملف المرفق يحتوي على التفاصيل.",),
           ("نعم، لدينا دليل للهوية.", "في أقرب وقت ممكن."),
           ("مرحباً، متى يمكن التسليم؟", "شكراً جزيلاً، العمل رائع!",
            "هل يمكن إضافة نسخة باللغة الإنجليزية؟")),
    Locale("KW", "ar-KW", ("Asia/Kuwait",), "KWD",
           ("عبدالله الصباح", "فاطمة الرشيد", "يوسف المطيري"),
           ("نحتاج ترجمة موقعنا إلى الإنجليزية مع مراجعة لغوية.",),
           ("العربية إلى الإنجليزية.",),
           ("السلام عليكم، هل استلمت الملفات؟", "ممتاز 👌 شكراً لك")),
    Locale("AE", "ar-AE", ("Asia/Dubai",), "AED",
           ("مريم الكعبي", "خالد المنصوري"),
           ("نريد محتوى لوسائل التواصل الاجتماعي لمطعمنا الجديد في دبي.",),
           ("إنستغرام وتيك توك.",),
           ("أهلاً، هل يمكننا تعديل الخطة؟", "رائع، شكراً!")),
    Locale("BH", "ar-BH", ("Asia/Bahrain",), "BHD",
           ("علي الخليفة", "زينب حسن"),
           ("تدقيق لموقع متجرنا قبل الإطلاق.",),
           ("السوق الخليجي.",),
           ("متى يصل التقرير؟",)),
    Locale("EG", "ar-EG", ("Africa/Cairo",), "EGP",
           ("أحمد مصطفى", "سلمى إبراهيم"),
           ("أريد تنظيف بيانات العملاء في ملف إكسل وإزالة التكرار.",),
           ("الملف بصيغة CSV.",),
           ("تمام، في انتظار النتيجة.", "شكراً على المجهود 🙏")),
    Locale("IL", "he-IL", ("Asia/Jerusalem",), "ILS",
           ("נועה לוי", "איתי כהן"),
           ("שלום! אני צריכה עיצוב לכרטיס ביקור ולוגו לסטודיו שלי.",),
           ("צבעים רכים, בלי שחור.",),
           ("תודה רבה!", "מתי זה יהיה מוכן?")),
    Locale("DE", "de-DE", ("Europe/Berlin",), "EUR",
           ("Jürgen Müller", "Lena Schäfer", "Björn Weiß"),
           ("Bitte übersetzen Sie unsere Produktbeschreibungen ins Japanische. "
            "Glossar im Anhang.",),
           ("Ja, ein Glossar liegt bei.", "Bis Ende nächster Woche, bitte."),
           ("Vielen Dank, sieht super aus!", "Könnten Sie die Überschrift noch anpassen?")),
    Locale("FR", "fr-FR", ("Europe/Paris",), "EUR",
           ("Chloé Dubois", "Étienne Lefèvre", "Maëlle Garnier"),
           ("Nous lançons une boutique en ligne : il nous faut des visuels cohérents. "
            "Voir le brief ci-joint.",),
           ("Oui, la charte graphique est jointe.",),
           ("Bonjour, où en est la commande ?", "Merci beaucoup, c'est parfait ✨")),
    Locale("ES", "es-ES", ("Europe/Madrid", "Atlantic/Canary"), "EUR",
           ("Sofía García", "Álvaro Núñez"),
           ("Necesito subtítulos en inglés y francés para un vídeo corporativo.",),
           ("Archivos SRT, por favor.",),
           ("¡Hola! ¿Cuándo estará listo?", "¡Muchas gracias!")),
    Locale("MX", "es-MX", ("America/Mexico_City", "America/Tijuana"), "MXN",
           ("José Hernández", "Guadalupe Ramírez"),
           ("Queremos mezclar y masterizar cuatro canciones de nuestro EP.",),
           ("Rock alternativo.",),
           ("¿Puedes subir un poco la voz en el coro?", "Quedó increíble 🔥")),
    Locale("BR", "pt-BR", ("America/Sao_Paulo", "America/Manaus"), "BRL",
           ("João Silva", "Ana Luíza Souza", "Thiago Conceição ⚽"),
           ("Preciso de uma auditoria de SEO para minha loja virtual. "
            "O acesso está no documento anexo.",),
           ("Brasil e Portugal.", "Sim, temos o Search Console."),
           ("Olá! Alguma novidade?", "Obrigado, ficou ótimo!",
            "Pode mandar os arquivos editáveis?")),
    Locale("CL", "es-CL", ("America/Santiago",), "CLP",
           ("Camila Muñoz", "Benjamín Rojas"),
           ("Necesito editar cuatro episodios de nuestro pódcast.",),
           ("Sí, tenemos intro.",),
           ("¿Recibiste los archivos?",)),
    Locale("US", "en-US", ("America/New_York", "America/Los_Angeles", "America/Chicago"), "USD",
           ("Emily Johnson", "Tyrone Jackson", "Mia 🌸", "Sam O'Connor"),
           ("Hi! I need this for our product launch next month 🚀 Brief and references attached.",
            "Please keep it friendly and simple. Our audience is small business owners."),
           ("Yes, see the attached brief.", "No hard deadline, but sooner is better."),
           ("Hi! Any update?", "Thanks, this looks great 🎉", "Could you tweak the colours a bit?",
            "Can we hop on a quick call?")),
    Locale("GB", "en-GB", ("Europe/London",), "GBP",
           ("Oliver Smith", "Amelia Clarke", "Siobhán Murphy"),
           ("We're rebranding our bakery 🥐 Colours: sage and cream. Moodboard attached.",),
           ("Sage green, cream, no purple.",),
           ("Cheers, lovely work!", "Would it be possible to have it by Friday?")),
    Locale("CH", "de-CH", ("Europe/Zurich",), "CHF",
           ("Noah Keller", "Léa Favre"),
           ("Bitte bereinigen Sie unsere Kundendaten und entfernen Sie Duplikate.",),
           ("Excel-Dateien.",),
           ("Merci vielmal!",)),
    Locale("IN", "hi-IN", ("Asia/Kolkata",), "INR",
           ("राहुल शर्मा", "प्रिया पटेल", "Arjun Nair"),
           ("हमें अपने ऐप के लिए UI डिज़ाइन चाहिए। वायरफ़्रेम संलग्न हैं।",),
           ("दोनों, iOS और Android।",),
           ("नमस्ते, काम कब तक पूरा होगा?", "बहुत बढ़िया, धन्यवाद! 🙏")),
    Locale("TH", "th-TH", ("Asia/Bangkok",), "THB",
           ("สมชาย ใจดี", "นภัสสร ศรีสุข"),
           ("ต้องการภาพประกอบสำหรับหนังสือเด็ก รายละเอียดอยู่ในไฟล์แนบครับ 🙏",),
           ("สไตล์สีน้ำครับ",),
           ("สวัสดีครับ งานเสร็จเมื่อไหร่ครับ", "ขอบคุณมากครับ 😊")),
    Locale("VN", "vi-VN", ("Asia/Ho_Chi_Minh",), "VND",
           ("Nguyễn Văn An", "Trần Thị Hương"),
           ("Tôi cần dịch trang web sang tiếng Anh, khoảng 3.000 từ.",),
           ("Tiếng Việt sang tiếng Anh.",),
           ("Chào bạn, khi nào xong ạ?", "Cảm ơn bạn nhiều!")),
    Locale("TR", "tr-TR", ("Europe/Istanbul",), "TRY",
           ("Ayşe Yılmaz", "Mehmet Öztürk"),
           ("Online mağazamız için ürün fotoğraflarının rötuşlanması gerekiyor.",),
           ("Beyaz arka plan lütfen.",),
           ("Merhaba, ne zaman teslim edebilirsiniz?", "Çok teşekkürler!")),
    Locale("PL", "pl-PL", ("Europe/Warsaw",), "PLN",
           ("Łukasz Wiśniewski", "Zofia Wójcik"),
           ("Potrzebuję naprawy błędu w sklepie na WordPressie — koszyk się nie ładuje.",),
           ("WooCommerce i Elementor.",),
           ("Dzień dobry, czy udało się coś znaleźć?", "Dziękuję bardzo!")),
    Locale("SE", "sv-SE", ("Europe/Stockholm",), "SEK",
           ("Åsa Lindqvist", "Erik Sjöberg"),
           ("Vi behöver en röstinspelning för vår reklamfilm, manus bifogat.",),
           ("Lugn och varm ton.",),
           ("Hej! Hur går det?", "Tack så mycket!")),
    Locale("AU", "en-AU", ("Australia/Sydney", "Australia/Perth"), "AUD",
           ("Jack Wilson 🏄", "Charlotte Nguyen"),
           ("G'day! After a logo for my surf school. Sketch attached.",),
           ("Ocean blues.",),
           ("Legend, thanks!", "Any chance of a quick turnaround?")),
    Locale("NZ", "en-NZ", ("Pacific/Auckland",), "NZD",
           ("Aroha Ngata", "Liam Taylor"),
           ("Kia ora! We need subtitles in English and te reo Māori for a short film.",),
           ("SRT files, please.",),
           ("Ka pai, thank you!",)),
    Locale("CA", "fr-CA", ("America/Toronto", "America/Vancouver"), "CAD",
           ("Gabriel Tremblay", "Olivia Roy 🍁"),
           ("Nous avons besoin d'un pack de contenu pour Instagram, 30 publications.",),
           ("Instagram et Facebook.",),
           ("Allô! Des nouvelles?", "Merci, c'est super 👍")),
    Locale("SG", "en-SG", ("Asia/Singapore",), "SGD",
           ("Tan Wei Ling", "Rajesh Kumar"),
           ("Need a data cleaning job on our CRM export before migration.",),
           ("CSV, about 8,000 rows.",),
           ("Hi, can share progress?", "Thanks ah, very helpful!")),
    Locale("OM", "ar-OM", ("Asia/Muscat",), "OMR",
           ("سالم البلوشي", "عائشة الحارثي"),
           ("نحتاج تعليقاً صوتياً لإعلان قصير باللغة العربية.",),
           ("نبرة هادئة.",),
           ("شكراً، بانتظار التسجيل.",)),
)

MERCHANT_REPLIES: tuple[str, ...] = (
    "Thank you for your order! I'm starting today.",
    "Could you share a bit more detail about the target audience?",
    "Here is the first draft — let me know what you think.",
    "Sure, happy to adjust that.",
    "The final files are uploaded. Thanks again!",
    "Quick question about the deadline: is Friday still fine?",
)

ATTACHMENTS: tuple[tuple[str, str, int], ...] = (
    ("brief.pdf", "application/pdf", 184_320),
    ("references.zip", "application/zip", 5_242_880),
    ("sketch.png", "image/png", 734_003),
    ("glossary.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 48_211),
    ("voice-sample.mp3", "audio/mpeg", 2_097_152),
    ("要件定義.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 96_512),
    ("référence-1.jpg", "image/jpeg", 412_876),
    ("ТЗ.pdf", "application/pdf", 221_004),
    ("شعار.svg", "image/svg+xml", 12_288),
)

REFUND_REASONS: tuple[str, ...] = (
    "The delivery does not match the brief.",
    "I no longer need this service.",
    "Files were incomplete.",
    "納期に間に合いませんでした。",
    "الخدمة لم تكن كما هو موصوف.",
)

EXTENSION_REASONS: tuple[str, ...] = (
    "I need more time to review the files with my team.",
    "Travelling this week, will check next week.",
    "確認にもう少し時間が必要です。",
    "Нужно больше времени на проверку.",
)
