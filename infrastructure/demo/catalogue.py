"""What the demo company is made of: regions and their people, products, survey comments,
ticket topics. Plain data, so the generator's choices stay readable and a seed reproduces them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Region:
    """A market: its segment code, currency, languages, names, cities and phone prefix."""

    code: str
    weight: int
    currency: str
    country: str
    languages: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]
    """(city, postal code)."""
    phone_prefix: str


REGIONS: tuple[Region, ...] = (
    Region(
        "EU-WEST",
        30,
        "EUR",
        "FR",
        ("fr", "en", "nl"),
        ("Camille", "Léa", "Hugo", "Louis", "Chloé", "Sophie", "Lucas", "Emma", "Noah", "Inès"),
        ("Martin", "Bernard", "Dubois", "Janssens", "Lefèvre", "Moreau", "De Vries", "Laurent"),
        (("Paris", "75011"), ("Lyon", "69002"), ("Bruxelles", "1000"), ("Amsterdam", "1012")),
        "+33",
    ),
    Region(
        "EU-CENTRAL",
        22,
        "EUR",
        "DE",
        ("de", "en", "it"),
        ("Lukas", "Anna", "Jonas", "Marie", "Giulia", "Marco", "Felix", "Lena", "Paul", "Sara"),
        ("Müller", "Schmidt", "Weber", "Rossi", "Bianchi", "Fischer", "Wagner", "Ricci"),
        (("Berlin", "10115"), ("München", "80331"), ("Milano", "20121"), ("Wien", "1010")),
        "+49",
    ),
    Region(
        "NORDICS",
        10,
        "EUR",
        "SE",
        ("sv", "en", "fi"),
        ("Elsa", "Oskar", "Maja", "Liam", "Aino", "Eero", "Freja", "William", "Alma", "Nils"),
        ("Andersson", "Johansson", "Virtanen", "Nielsen", "Korhonen", "Lindqvist", "Berg"),
        (("Stockholm", "111 52"), ("Helsinki", "00100"), ("Göteborg", "411 03")),
        "+46",
    ),
    Region(
        "UK",
        18,
        "GBP",
        "GB",
        ("en",),
        ("Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Freya", "Arthur", "Mia"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Patel"),
        (("London", "EC1A 1BB"), ("Manchester", "M1 1AE"), ("Leeds", "LS1 4AP")),
        "+44",
    ),
    Region(
        "NA",
        15,
        "USD",
        "US",
        ("en", "es"),
        ("James", "Olivia", "Mateo", "Sofia", "Ethan", "Harper", "Daniel", "Camila", "Ryan"),
        ("Johnson", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Lee", "Walker"),
        (("New York", "10001"), ("Austin", "73301"), ("Seattle", "98101"), ("Chicago", "60601")),
        "+1",
    ),
    Region(
        "LATAM",
        5,
        "USD",
        "BR",
        ("pt-BR", "es"),
        ("Gabriel", "Beatriz", "Rafael", "Valentina", "Thiago", "Larissa", "Diego", "Lucía"),
        ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Gómez", "Fernández", "Costa"),
        (("São Paulo", "01000-000"), ("Rio de Janeiro", "20000-000"), ("Buenos Aires", "C1000")),
        "+55",
    ),
)

EMAIL_DOMAINS = ("example.org", "example.com", "example.net", "mail.example", "inbox.example")

# (category, sku prefix, typical price in the currency's major unit, products)
PRODUCTS: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    ("apparel", "APP", 45.0, ("Merino sweater", "Rain jacket", "Linen shirt", "Trail socks")),
    ("electronics", "ELE", 180.0, ("Wireless earbuds", "Smart speaker", "E-reader", "Webcam")),
    ("home", "HOM", 60.0, ("Ceramic mug set", "Desk lamp", "Throw blanket", "Chef's knife")),
    ("beauty", "BEA", 28.0, ("Face serum", "Hand cream", "Shampoo bar", "Sun cream SPF 50")),
    ("grocery", "GRO", 18.0, ("Coffee beans", "Olive oil", "Green tea", "Dark chocolate")),
)

PURCHASE_CHANNELS = (("web", 45), ("app", 30), ("store", 20), ("phone", 5))

AGENTS = ("agent-anna", "agent-ben", "agent-chiara", "agent-dev", "agent-emil", "agent-fatima")

# Survey comments by the score's mood; placeholders filled from the customer's purchases.
PRAISE = (
    "Delivery was fast and the {product} is exactly as described.",
    "Really happy with the {product}, great quality for the price.",
    "The new app makes reordering so easy, love it.",
    "Friendly support, they sorted my question in minutes.",
    "Checkout was quick and the tracking updates were spot on.",
    "Best {category} shop I know, I recommend it to all my friends.",
    "Packaging was plastic-free and the {product} arrived a day early.",
    "Loyalty points add up quickly, the vouchers are a nice touch.",
    "The store staff in {city} were lovely and knew their {category}.",
    "Ordered on Sunday, had my {product} on Monday. Brilliant.",
    "I compared prices everywhere and you were the cheapest, and faster too.",
    "Great service when my parcel went missing, a new one came the next day.",
    "The {product} is even better than the reviews said.",
)
NEUTRAL = (
    "Good products but delivery took longer than promised.",
    "The {product} is fine, a bit pricey compared to other shops.",
    "App works but search could be better.",
    "Okay overall, returns could be simpler.",
    "Decent choice of {category}, not much else to say.",
    "Prices went up lately, quality is still good though.",
    "Nothing special, the {product} does what it should.",
    "Delivery slot options are limited where I live in {city}.",
    "The website is fine but the app feels slow on my old phone.",
    "Good value, but I had to wait a week for the {product}.",
)
COMPLAINTS = (
    "The courier was late and the box was damaged.",
    "My {product} stopped working after two weeks and the refund took ages.",
    "The app keeps logging me out during checkout.",
    "Support never answered my email about the missing {product}.",
    "Delivery fees are too high and the tracking was wrong.",
    "I was charged twice for one order, very frustrating.",
    "Returns are a hassle, I had to call three times.",
    "The {product} looked nothing like the photos, disappointing.",
    "Waited 40 minutes on the phone and nobody could help me.",
    "Points expired without any warning, not happy about that.",
    "Checkout failed twice and then my voucher was gone.",
    "Terrible packaging, the {product} arrived broken.",
)

# (category, subject, description)
TICKET_TOPICS: tuple[tuple[str, str, str], ...] = (
    (
        "delivery",
        "Parcel not arrived",
        "My order was due three days ago and tracking has not moved.",
    ),
    ("delivery", "Damaged box", "The parcel arrived crushed and the {product} is scratched."),
    ("billing", "Charged twice", "I see two payments for the same order on my card statement."),
    (
        "billing",
        "Voucher not applied",
        "My loyalty voucher was not taken off the total at checkout.",
    ),
    ("returns", "Return label", "How do I get a return label for the {product}?"),
    ("returns", "Refund not received", "I sent the {product} back two weeks ago, no refund yet."),
    ("account", "Cannot log in", "The app says my password is wrong right after I reset it."),
    (
        "product",
        "Question about the {product}",
        "Is the {product} compatible with last year's model?",
    ),
    ("app", "App crashes", "The app closes when I open my order history on my phone."),
)
TICKET_CHANNELS = (("email", 35), ("web", 25), ("phone", 15), ("chat", 15), ("app", 10))

AGENT_REPLIES = (
    "Thanks for reaching out, I am looking into this now.",
    "Sorry about that. Could you send a photo of the parcel?",
    "I have asked the warehouse and will get back to you today.",
    "I have issued a replacement; you will get a tracking number by email.",
)
RESOLUTIONS = (
    "Refund issued to the original payment method.",
    "Replacement shipped with express delivery.",
    "Explained the steps; the customer confirmed it works now.",
    "Voucher re-applied and the difference refunded.",
)

STREETS = (
    "Station Road", "Rue de la République", "Hauptstraße", "Via Roma", "Main Street",
    "Kungsgatan", "Rua das Flores", "Church Lane", "Market Square", "Calle Mayor",
)  # fmt: skip
