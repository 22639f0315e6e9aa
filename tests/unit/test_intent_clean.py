"""The message cleaner in front of the intent classifier and KB retrieval (nlp/clean.py):
each kind of e-mail noise removed in English and Spanish, clean text unchanged, identifiers
masked, and adversarial 1 MB inputs handled in linear time and bounded memory."""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import pytest

from agentops_cli.nlp.clean import EMAIL, NUMBER, PHONE, URL, clean_message, strip_envelope, strip_markup
from agentops_cli.nlp.intent import char_words, normalize, word_ngrams, word_tokens
from tests.conftest import SHARED, needs_shared

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from intent_noise import ADVERSARIAL  # the bench times the same inputs

REQUEST = "I was charged twice for my order"
PETICION = "Me cobraron dos veces el pedido"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<script>alert(1)</script> I was charged twice", "I was charged twice"),
        (f"<p>{REQUEST}</p><style>p{{color:red}}</style><!-- tracking pixel -->", REQUEST),
        (f"<html><head><title>Re: order</title></head><body><div>{REQUEST}</div></body></html>", REQUEST),
        (f"<SCRIPT type='text/javascript'>var x = '<p>';</SCRIPT>{REQUEST}", REQUEST),
        (f"{REQUEST} &amp; I need a refund&nbsp;&#33;", f"{REQUEST} & I need a refund !"),
        (f"<p>{PETICION}</p><p>Gracias</p>", PETICION),
    ],
)
def test_markup_is_stripped(raw: str, expected: str) -> None:
    assert clean_message(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        f"{REQUEST}\n\nSent from my iPhone",
        f"{REQUEST}\n\nGet Outlook for Android",
        f"{REQUEST}\n--\nJohn Smith\nHead of Procurement, ACME\n+1 555 201 7788",
        f"{REQUEST}\n\nBest regards,\nJohn Smith\nACME Corp",
        f"{REQUEST}\n\nThis e-mail and any attachments are confidential and intended for the addressee.",
        f"{REQUEST}. CONFIDENTIALITY NOTICE: the information contained in this message is privileged.",
        f"{REQUEST}\n\nIf you are not the intended recipient, please delete this message.",
        f"{REQUEST}\n\nOn Mon, 3 Jun 2024 at 10:12, Support <help@example.com> wrote:\n> How can we help?",
        f"{REQUEST}\n\n-----Original Message-----\nFrom: Support\nSent: Monday\nSubject: your order",
        f"{REQUEST}\n\nFrom: Support <help@example.com>\nSent: Monday, June 3, 2024 10:12\nTo: me",
        f"> Earlier we said we would refund you.\n{REQUEST}",
        f"Hi team,\n{REQUEST}",
        f"{REQUEST}\n\n---------- Forwarded message ---------\nFrom: Shop <x@shop.example>\nReceipt",
        f"Dear Customer Support,\n\n{REQUEST}\n\nThanks,\nJohn Smith\nBuyer | ACME Corp\nTel. 555 201 7788",
    ],
)
def test_english_envelopes_are_dropped(raw: str) -> None:
    assert clean_message(raw).rstrip(".") == REQUEST


@pytest.mark.parametrize(
    "raw",
    [
        f"{PETICION}\n\nEnviado desde mi iPhone",
        f"{PETICION}\n\nObtener Outlook para Android",
        f"{PETICION}\n\nUn saludo,\nMaría López\nDepartamento de Compras",
        f"{PETICION}\n\nAtentamente,\nMaría López",
        f"{PETICION}\n\nEste correo electrónico y sus anexos son confidenciales, para el destinatario.",
        f"{PETICION}. AVISO DE CONFIDENCIALIDAD: la información contenida en este mensaje es reservada.",
        f"{PETICION}\n\nSi usted no es el destinatario indicado, le rogamos que lo elimine.",
        f"{PETICION}\n\nEl lun, 3 jun 2024 a las 10:12, Soporte <ayuda@x.es> escribió:\n> ¿Le ayudamos?",
        f"{PETICION}\n\n----- Mensaje original -----\nDe: Soporte\nEnviado: lunes",
        f"{PETICION}\n\nDe: Soporte <ayuda@example.com>\nFecha: lunes, 3 de junio\nPara: yo",
        f"Hola,\n{PETICION}\nSaludos,\nAna",
        f"Buenos días a todos:\n{PETICION}",
    ],
)
def test_spanish_envelopes_are_dropped(raw: str) -> None:
    assert clean_message(raw).rstrip(".") == PETICION


def test_identifiers_become_one_placeholder_token_each() -> None:
    raw = (
        "charged twice, see https://shop.example.com/orders/123?x=1&y=2 or www.example.es/ayuda, "
        "write to john.doe+billing@mail.example.co.uk, call +1 (555) 123-4567 or +34 612 345 678, "
        "order 8412345678 and ORD-20240611"
    )
    cleaned = clean_message(raw)
    assert cleaned.split().count(URL.strip()) == 2
    assert cleaned.split().count(EMAIL.strip()) == 1
    assert cleaned.split().count(PHONE.strip()) == 2
    assert cleaned.split().count(NUMBER.strip()) == 2
    assert "example" not in cleaned and "555" not in cleaned and "8412" not in cleaned
    # Short numbers and amounts are words of the request, not identifiers.
    assert clean_message("refund $49.99 for order #58213 placed 2024-06-11") == (
        "refund $49.99 for order #58213 placed 2024-06-11"
    )


@pytest.mark.parametrize(
    "text",
    [
        "order 1234 5678 90 never arrived",
        "el pedido 1234-5678-90 no ha llegado",
        "invoice 2024 0012 34 is wrong",
        "factura 2024-0012-345 duplicada",
        "I paid 1 234 567 890 € twice",
        "me cobraron 1 234 567,89 € y 123 456 789 €",
        "1.234.567.890 euros were charged",
        "from 2024 11 30 2024 12 05",
        "del 30.11.2024-05.12.2024",
        "sku 123-456-789 is out of stock",
        "tracking 1Z 999 AA1 0123 4567 84",
        "ip 192.168.100.200 is blocked",
        "I called about order 1234 5678 90",
        "call me back later, the order is 1234 5678 90",
        "order number 1234 5678 90 never arrived",
        "el pedido número 1234 5678 90 no ha llegado",
        "el número de pedido 1234 5678 90 no ha llegado",
        "order 12 612 345 678 is late",
        "pedido 34 612 345 678 retrasado",
    ],
)
def test_grouped_digits_that_are_not_shaped_like_a_phone_stay_as_written(text: str) -> None:
    """9+ grouped digits are no phone by themselves: order numbers, amounts, dates and SKUs keep
    their digits for the classifier as for the KB retrieval."""
    assert clean_message(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call me at +34 612 345 678", "call me at _phone_"),
        ("call me at (555) 123-4567", "call me at _phone_"),
        ("my number is 555-123-4567", "my number is _phone_"),
        ("phone: 555.123.4567", "phone: _phone_"),
        ("call 1 800 555 0199 today", "call _phone_ today"),
        ("llámame al 612 34 56 78", "llámame al _phone_"),
        ("mi móvil es 612 345 678", "mi móvil es _phone_"),
        ("tel 91 234 56 78", "tel _phone_"),
        ("rappelez 01 23 45 67 89", "rappelez _phone_"),
        ("ring 020 7946 0958", "ring _phone_"),
        ("+44 20 7946 0958", "_phone_"),
        # No national shape, but a phone word right before it.
        ("my phone number is 1234 5678 90", "my phone number is _phone_"),
        ("mi número de teléfono es el 1234 56 78 90", "mi número de teléfono es el _phone_"),
        # The UK's 5-6 grouping (the last group has 6 digits).
        ("07700 900123", "_phone_"),
        ("call me on 07700 900123", "call me on _phone_"),
        ("+44 7700 900123", "_phone_"),
        # A 00+country or a bare 2-digit country code before a national shape.
        ("my number: 0034 612 34 56 78", "my number: _phone_"),
        ("escríbeme al 34 612 345 678", "escríbeme al _phone_"),
        # More phone words ("cel", "number" with no id noun before it) and up to 4 symbols after one.
        ("mi cel es 55 1234 5678", "mi cel es _phone_"),
        ("number 9 1234 5678", "number _phone_"),
        ("my number is 1234 5678 90", "my number is _phone_"),
        ("mi número es 1234 5678 90", "mi número es _phone_"),
        ("cell #: 1234 5678 90", "cell #: _phone_"),
        # Two phones in a row are two placeholders.
        ("my new numbers are 612 345 678 612 345 679", "my new numbers are _phone_ _phone_"),
        ("mis números son 612 345 678 699 111 222", "mis números son _phone_ _phone_"),
        # A card or an IBAN is an id, not a phone.
        ("card 4111 1111 1111 1111 was declined", "card _number_ was declined"),
        ("tarjeta 4111-1111-1111-1111 rechazada", "tarjeta _number_ rechazada"),
        ("IBAN ES91 2100 0418 4502 0005 1332", "IBAN ES91 _number_"),
    ],
)
def test_phones_are_masked_by_their_shape_or_a_phone_word(text: str, masked: str) -> None:
    assert clean_message(text) == masked
    assert clean_message(text, keep_identifiers=True) == text


def test_casing_emoji_zero_width_control_characters_and_repeated_punctuation() -> None:
    assert clean_message("I WAS CHAR\u200bGED TWICE \U0001f621\U0001f621!!!???") == "I WAS CHARGED TWICE !?"
    assert clean_message("charged\x07 twice\r\n\ttoday\u2028now") == "charged twice today now"
    # Casing and accents are the tokenisers' job (fold): shouting tokenises like the request.
    assert word_tokens("I WAS CHARGED TWICE \U0001f621!!!") == word_tokens("i was charged twice")
    assert char_words("ME COBRARON DOS VECES 🙏") == char_words("me cobraron dos veces")


@pytest.mark.parametrize(
    "text",
    [
        "what's the best crypto to buy in 2019",
        "check my reservation at gusto handcrafted pasta & pizza at 6:30 pm",
        "when should i pay my pg&e bill",
        "how do i write c++",
        "what is 80980 + 098098 + 80980 + 1243",
        "¿Dónde está mi pedido? Lo pedí hace 5 días, ¡gracias!",
        "I was charged twice. Can you help?",
        "on march 1-2 i want a pto request made for me",
        "i need ten dollars sent from b of a to washington mutual",
        "Thanks for the quick reply, my card still does not work",
    ],
)
def test_clean_text_is_returned_unchanged(text: str) -> None:
    assert clean_message(text) == text


def test_the_tokenisers_see_the_cleaned_text_at_training_and_inference_alike() -> None:
    noisy = "<div>I was charged twice</div><br>Sent from my iPhone"
    assert word_ngrams(noisy) == word_ngrams("I was charged twice")
    assert char_words(noisy) == char_words("I was charged twice")
    assert normalize(noisy) == "i was charged twice"


def test_the_classifier_skips_the_placeholders() -> None:
    """A link or an order id is a word no training row used: as a token it would lower the scope
    score's word coverage (bench/intent_noise.py measured the cost); skipped, it costs nothing."""
    noisy = "I was charged twice, see https://shop.example.com/o/1 or call +1 555 201 7788 re 123456789"
    assert normalize(noisy).split().count("_url_") == 1
    assert word_ngrams(noisy) == word_ngrams("I was charged twice, see or call re")
    assert char_words(noisy) == char_words("I was charged twice, see or call re")


def test_nothing_left_keeps_the_message_rather_than_an_empty_query() -> None:
    only_quote = "> please refund my order"
    assert clean_message(only_quote) == only_quote
    assert clean_message("Sent from my iPhone") == "Sent from my iPhone"
    forward = "---------- Forwarded message ---------\nFrom: Shop\nYour parcel is late"
    assert clean_message(forward) == forward.replace("\n", " ")
    assert strip_envelope("Thanks,\nJohn") == "Thanks,\nJohn"


def test_a_closing_word_before_the_request_is_not_a_signature() -> None:
    """Only the greeting line goes: a "thanks" above the request does not end the message."""
    assert clean_message("Hi,\nthanks\nI was charged twice for the same order\nJohn") == (
        "thanks I was charged twice for the same order John"
    )
    assert clean_message("Hi, I was charged twice\nThanks") == "Hi, I was charged twice"
    assert clean_message("Hi,\nThanks!\nMy card is blocked\nJohn") == "Thanks! My card is blocked John"
    # A greeting with nothing else is the request (CLINC has a greeting intent)...
    assert clean_message("hello how are you") == "hello how are you"
    assert clean_message("hello how are you\n") == "hello how are you"
    assert clean_message("hey\n\nBest regards,\nJohn Smith") == "hey"  # a bare "hey" line is one too
    # ...but a closing after a salutation ("Hey,") is taken for an opening thanks: the signature stays.
    assert clean_message("Hey,\n\nBest regards,\nJohn Smith") == "Best regards, John Smith"
    assert strip_markup("price < 5 and > 3") == "price < 5 and > 3"


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_megabyte_inputs_come_back_shorter(name: str) -> None:
    """Every pattern is linear: bench/intent_noise.py ``adversarial`` times each case (well under
    a second of CPU). A quadratic pattern would make this test run for minutes rather than fail
    an arbitrary clock."""
    text = ADVERSARIAL[name]
    assert len(text.encode()) >= 1_000_000  # 1 MB as sent (emoji are 4 bytes each)
    assert len(clean_message(text)) <= len(text)


@pytest.mark.parametrize("name", ["unclosed tags", "at signs", "quote lines"])
def test_adversarial_inputs_use_a_few_copies_of_the_input_at_most(name: str) -> None:
    text = ADVERSARIAL[name]
    tracemalloc.start()
    try:
        clean_message(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * len(text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # An element is matched by its whole name: <header> is not <head>, <title-bar> not <title>.
        (
            "<html><body><header>Logo</header><p>I was charged twice</p></body></html>",
            "Logo I was charged twice",
        ),
        ("<p>I was charged twice</p><title-bar>x</title-bar>", "I was charged twice x"),
        # An opening with no closing drops only the tag; the customer's sentence stays.
        (
            "I typed <script> in the name field and now I can't log in",
            "I typed in the name field and now I can't log in",
        ),
        (f"{REQUEST} <!-- an unclosed comment", f"{REQUEST} an unclosed comment"),
        # Nothing visible left: the tag-stripped text rather than an empty query.
        ("<script>refund my order</script>", "refund my order"),
        ("<!DOCTYPE html><?xml version='1.0'?><p>I was charged twice</p>", "I was charged twice"),
        # Not tags: comparisons, placeholders a customer typed, an address in brackets.
        ("I need model x<y and y>z", "I need model x<y and y>z"),
        ("my username is <john> and I can't log in", "my username is <john> and I can't log in"),
        ("Page says <Error: card declined> what now", "Page says <Error: card declined> what now"),
        # A quoted reply in HTML, with or without an attribution line.
        (f"<p>{REQUEST}</p><blockquote>please ignore this older mail</blockquote>", REQUEST),
    ],
)
def test_markup_that_is_the_customer_s_text_stays(raw: str, expected: str) -> None:
    assert clean_message(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Still no refund.\nOn Monday your agent wrote: the refund is coming. I was charged twice",
        "On Monday you wrote: a refund is coming.\nIt never came.",
        "I need help with billing.\nSent from my laptop the payment failed twice",
        "Order status?\nFrom: your warehouse\nSent: nothing yet, where is it",
        "Please help.\nEl lunes me escribió: que ya estaba enviado, pero no llega",
        "Sent from my iPhone is printed on every receipt, how do I remove it",
    ],
)
def test_a_customer_sentence_is_not_taken_for_a_reply_header(text: str) -> None:
    """A reply header needs header evidence (an address, a clock time, a year, a date, or only
    quoted lines after it); a device line must be a short line of its own."""
    assert clean_message(text) == text.replace("\n", " ")


@pytest.mark.parametrize(
    "raw",
    [
        f"{REQUEST}\n\nOn Mon, Jun 3, 2024 at 10:12 AM Acme <support@acme.com>\nwrote:\n\n> How can we help?",
        f"{REQUEST}\n\nOn Monday, Support wrote:\n> How can we help?",
        f"{REQUEST}\n\n*From:* Acme Support <s@acme.com>\n*Sent:* Monday, June 3, 2024 10:12\n*To:* me\n\nHi",
        f"--\n{REQUEST}\n\nOn Mon, 3 Jun 2024 at 10:12, Support <help@example.com> wrote:\nHow can we help?",
    ],
)
def test_reply_headers_wrapped_starred_or_after_a_leading_delimiter_are_cut(raw: str) -> None:
    assert clean_message(raw).strip("- ") == REQUEST


def test_a_greeting_above_a_quote_keeps_the_whole_message() -> None:
    """Nothing but a greeting or a closing is not the request: the message as sent is classified."""
    assert clean_message("Hi,\n> track my parcel delivery") == "Hi, > track my parcel delivery"
    assert clean_message("Thanks!\n\nSent from my iPhone") == "Thanks! Sent from my iPhone"
    # A bare greeting word on its own line is kept: "hello how are you" is CLINC's greeting intent.
    assert clean_message("hello\nhow are you") == "hello how are you"


def test_a_plus_prefixed_number_is_one_placeholder() -> None:
    assert clean_message("call +34612345678") == f"call {NUMBER.strip()}"


def test_retrieval_text_keeps_identifiers_but_not_the_envelope() -> None:
    raw = "<p>error 80070005 when paying, see https://x.example/o/1</p>\n\nSent from my iPhone"
    assert clean_message(raw) == f"error {NUMBER.strip()} when paying, see {URL.strip()}"
    assert (
        clean_message(raw, keep_identifiers=True) == "error 80070005 when paying, see https://x.example/o/1"
    )


@needs_shared("datasets/clinc150/data_full.json")
def test_clinc150_texts_are_unchanged_by_cleaning() -> None:
    """CLINC150's train/val/oos rows are clean sentences: the cleaner must return every one as is,
    so a clean pack trains exactly as it would without it."""
    import json

    data = json.loads((SHARED / "datasets" / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    rows = [text for split in ("train", "val", "oos_train", "oos_val") for text, _ in data[split]]
    assert len(rows) == 18_200
    assert [text for text in rows if clean_message(text) != text] == []


def test_the_message_cache_is_bounded_by_bytes_not_entries() -> None:
    """16,384 cached 2,000-character messages of 4-byte characters grew a worker by 253 MB: the
    bound is on the bytes the cached strings hold, the least recently used going first."""
    from agentops_cli.nlp.clean import MAX_CACHED_BYTES, _clean_cached, _MessageCache

    assert _clean_cached.max_bytes == MAX_CACHED_BYTES <= 32 * 2**20
    cache = _MessageCache(max_bytes=200_000)
    messages = [f"{i:06d} <b>" + "\U0001d400" * 1_980 for i in range(200)]
    for message in messages:
        assert cache(message, False) == clean_message(message)
    assert 0 < cache.bytes <= 200_000 and len(cache) < 30  # ~8 KB per text, ~16 KB per entry
    assert (messages[-1], False) in cache._entries and (messages[0], False) not in cache._entries
    clean = "where is my parcel"
    assert cache(clean, True) is clean  # clean text: one string stored, counted once
    cache.cache_clear()
    assert (len(cache), cache.bytes) == (0, 0)
