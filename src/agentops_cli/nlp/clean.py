"""What a customer's message says, without the e-mail around it: the text the intent
classifier and the KB retrieval read.

Why: real support messages are not CLINC sentences. They arrive with HTML, quoted replies,
signatures, legal footers, links, phone numbers and emoji, and every word the pack never saw
lowers the scope score's word coverage — an HTML-wrapped "I was charged twice" with top-1
``billing`` at 0.97 used to be rejected as out of scope. The cleaner keeps the request and
drops the envelope; it is applied to training rows and queries alike (inside the intent
tokenisers), so the model never sees two spellings of the same input. Text that carries none of
that noise comes back unchanged (the same object), so a clean pack trains exactly as before.

Bounded by construction: markup bodies are cut with ``str.find`` (no ``.*?`` across the text),
and every regex repeat is either anchored on a literal (``http``, ``@``) or capped, so a 1 MB
adversarial message costs time linear in its length (bench/intent_noise.py measures it).
Customer-facing output and the safety signals still read the message as received.
"""

from __future__ import annotations

import html
import re
import sys
import threading
from collections import OrderedDict

from agentops_cli.nlp.text import ZERO_WIDTH

# Placeholders: one token each, spelt so they never collide with a word a customer types
# ("url", "email", "phone" are real words with their own meaning in a pack).
URL, EMAIL, PHONE, NUMBER = " _url_ ", " _email_ ", " _phone_ ", " _number_ "
PLACEHOLDERS = frozenset(p.strip() for p in (URL, EMAIL, PHONE, NUMBER))

# Anything that could need work. Text holding none of it is returned as it came. Split into
# simple searches (a character class, a digit pattern, a repeat) because one alternation of them
# all measured ~3x slower per sentence: this runs on every training row and query.
_TRIGGER_CHARS = re.compile(
    r"[<>&@\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff"
    r"\u2600-\u27bf\ufe0f\U0001f000-\U0001faff]"
)
_TRIGGER_DIGITS = re.compile(r"\d(?:\d{6}|[ .\-]\d)")
_TRIGGER_REPEAT = re.compile(r"([!?.,;:*~])\1")
_TRIGGER_WORDS = (
    "www.",
    "sent from",
    "enviado desde",
    "outlook",
    "confidential",
    "confidencial",
    "recipient",
    "destinatario",
    "disclaimer",
    "aviso legal",
)

_CONTROL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F], " ")
_SPACES = str.maketrans({"\t": " ", "\xa0": " ", "\u2028": "\n", "\u2029": "\n", "\r": "\n"} | _CONTROL)
_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2061\u2062\u2063\u2064"), None)

# -- markup ---------------------------------------------------------------------------------------
# Elements whose body is not the customer's text: not visible (script, style, head, title) or a
# quote of an earlier mail (blockquote: Gmail's and Apple Mail's quoted reply, with or without an
# attribution line). Matched as a whole name ("<header>" is not "<head", "<title-bar>" not
# "<title"); an opening with no closing after it drops only the tag ("I typed <script> in the
# name field" is a sentence, not a script).
_DROPPED_ELEMENTS = ("script", "style", "head", "title", "blockquote")
_DROPPED_OPEN = re.compile(rf"<({'|'.join(_DROPPED_ELEMENTS)})(?=[\s/>])", re.IGNORECASE)
_DROPPED_CLOSE = {name: re.compile(rf"</{name}\s{{0,20}}>", re.IGNORECASE) for name in _DROPPED_ELEMENTS}
# A tag: "<", a name, then whitespace, "/" or ">" — checked against the HTML element names (plus
# namespaced "o:p" and custom "x-foo" elements) so "my username is <john>", "x<y and y>z",
# "<Error: card declined>" and "<support@acme.com>" stay text.
_TAG_CANDIDATE = re.compile(r"<(/?)([a-zA-Z][\w:\-]{0,30})(?=[\s/>])[^<>]{0,2000}>|<[!?][^<>]{0,2000}>")
_HTML_ELEMENT_NAMES = (
    "a abbr address area article aside audio b base bdi bdo big blockquote body br button canvas caption "
    "center cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset "
    "figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i "
    "iframe img input ins kbd label legend li link main map mark meta meter nav noscript object ol "
    "optgroup option output p param picture pre progress q rp rt ruby s samp script section select small "
    "source span strike strong style sub summary sup svg table tbody td template textarea tfoot th thead "
    "time title tr track tt u ul var video wbr"
)
_HTML_ELEMENTS = frozenset(_HTML_ELEMENT_NAMES.split())
# Block elements become a line break, so quoted-reply and signature lines stay lines.
_BLOCK_ELEMENT_NAMES = "p div br li ul ol tr td table h1 h2 h3 h4 h5 h6 blockquote hr pre"
_BLOCK_ELEMENTS = frozenset(_BLOCK_ELEMENT_NAMES.split())
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _is_element(name: str) -> bool:
    if name in _HTML_ELEMENTS:
        return True
    prefix, sep, rest = name.partition(":") if ":" in name else name.partition("-")
    return bool(sep and prefix.isalpha() and rest)


def _tag(match: re.Match[str]) -> str:
    name = match.group(2)
    if name is None:  # <!doctype …>, <!-- … -->, <?xml …?>
        return " "
    name = name.lower()
    if not _is_element(name):
        return match.group(0)
    return "\n" if name in _BLOCK_ELEMENTS else " "


def _drop_comments(text: str) -> str:
    """Every ``<!-- … -->`` removed; an unclosed ``<!--`` only itself (a browser would hide the
    rest, but a customer's text after a stray marker is still the customer's). ``str.find``
    keeps it linear where a lazy regex would rescan per opening."""
    out: list[str] = []
    pos = 0
    while (begin := text.find("<!--", pos)) != -1:
        stop = text.find("-->", begin + 4)
        if stop == -1:  # no closing after this one, so none after any later one either
            break
        out.append(text[pos:begin] + " ")
        pos = stop + 3
    out.append(text[pos:].replace("<!--", " "))
    return "".join(out)


def _drop_element_bodies(text: str) -> str:
    """Every ``<script …>…</script>`` (``_DROPPED_ELEMENTS``) span removed. Linear: a closing
    search that fails is not repeated for that element, a successful one moves past its span."""
    out: list[str] = []
    pos = 0
    unclosed: set[str] = set()
    while opening := _DROPPED_OPEN.search(text, pos):
        name = opening.group(1).lower()
        closing = None if name in unclosed else _DROPPED_CLOSE[name].search(text, opening.end())
        if closing is None:
            unclosed.add(name)
            out.append(text[pos : opening.end()])  # the tag itself goes with the other tags
            pos = opening.end()
            continue
        out.append(text[pos : opening.start()] + " ")
        pos = closing.end()
    out.append(text[pos:])
    return "".join(out)


def strip_markup(text: str) -> str:
    """HTML → its visible text: comments and ``_DROPPED_ELEMENTS`` bodies removed, block tags
    become line breaks, other tags a space, entities decoded (only the ``&name;`` form: "pasta &
    pizza", "pg&e" are left as written). If nothing visible remains, the text with only its tags
    removed: better a script's words than an empty query."""
    if "<" in text:
        visible = _TAG_CANDIDATE.sub(_tag, _drop_element_bodies(_drop_comments(text)))
        text = visible if visible.strip() else _TAG_CANDIDATE.sub(_tag, text.replace("<!--", " "))
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    return text


# -- e-mail envelope --------------------------------------------------------------------------------
# A line from which the rest is boilerplate or someone else's text, whatever follows: forward and
# original-message separators, the "--" signature delimiter, an underscore rule, and a device line
# ("Sent from my iPhone") that is a short line of its own — "Sent from my laptop the payment
# failed twice" is a sentence.
_TAIL_START = re.compile(
    r"^[ \t]{0,20}(?:"
    r"-{2,}[ \t]{0,5}(?:original message|mensaje original|forwarded message|mensaje reenviado)"
    r"|--[ \t]{0,3}$|_{5,}[ \t]{0,3}$"
    r"|(?:sent from my|sent from (?:mail|outlook|yahoo|gmail)|get outlook for"
    r"|enviado desde mi|enviado desde (?:outlook|yahoo|gmail)|obtener outlook para)\b"
    r"(?:[ \t]{1,3}\S{1,30}){0,4}[ \t]{0,5}$"
    r")",
    re.IGNORECASE | re.MULTILINE,
)
# A reply header: "On <date>, <name> <address> wrote:" (Gmail may wrap it onto two lines), "El …
# escribió:", an Outlook "From: … / Sent: …" block (plain or ``*From:*``). A customer writes those
# words too ("On Monday your agent wrote: …", "From: your warehouse\nSent: nothing yet"), so a
# match counts only with header evidence (:func:`_is_reply_header`).
_REPLY_HEADER = re.compile(
    r"^[ \t]{0,20}(?:"
    r"(on|el)\b[^\n]{0,200}(?:\n[^\n]{0,80})?\b(?:wrote|escribi[oó])[ \t]{0,3}:"
    r"|\*{0,2}(?:from|de):\*{0,2}[^\n]{0,200}\n"
    r"[ \t]{0,20}\*{0,2}(?:sent|date|enviado|fecha|to|para):[^\n]{0,200}"
    r")",
    re.IGNORECASE | re.MULTILINE,
)
# An address, an angle bracket, a clock time, a year or a numeric date: what a mail client writes
# in a header and a customer rarely does in a sentence about what someone wrote.
_HEADER_EVIDENCE = re.compile(r"@|<|_email_|\d:\d\d|\b(?:19|20)\d\d\b|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}")
# After "… wrote:": only quoted lines or nothing (no customer text on the same line).
_QUOTE_OR_END = re.compile(r"[ \t]*(?:\n[ \t]*)*(?:>|\Z)")
# Legal footers start a sentence; they may share a line with the request once HTML is flattened.
_FOOTER_START = re.compile(
    r"(?:^|(?<=[.!?])[ \t]{1,5})(?:"
    r"this (?:e-?mail|message|communication)\b[^\n.]{0,120}\bconfidential"
    r"|(?:confidentiality notice|disclaimer|legal notice)\b"
    r"|the information (?:contained )?in this (?:e-?mail|message)"
    r"|if you (?:are not|have received this)\b[^\n.]{0,60}\b(?:intended recipient|in error)"
    r"|please consider the environment before printing"
    r"|este (?:correo|mensaje|e-?mail)\b[^\n.]{0,120}\bconfidencial"
    r"|(?:aviso de confidencialidad|aviso legal|cl[aá]usula de confidencialidad)\b"
    r"|la informaci[oó]n contenida en este (?:correo|mensaje)"
    r"|si (?:usted )?(?:no es|ha recibido)\b[^\n.]{0,60}\b(?:destinatario|por error)"
    r"|antes de imprimir este (?:correo|mensaje)"
    r")",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTED_LINE = re.compile(r"^[ \t]{0,20}>[^\n]*(?:\n|$)", re.MULTILINE)
# The first line of the customer's own text: not blank, not quoted, not a bare delimiter. A cut
# applies only after it, so a message opening with "--" still has its later reply header cut.
_OWN_TEXT = re.compile(r"^[ \t]{0,20}(?![>\s]|-{2,}[ \t]*$|_{5,}[ \t]*$)", re.MULTILINE)
# A closing line ("Best regards,", "Un saludo") with nothing but a short name/contact block after it.
_CLOSING = re.compile(
    r"^[ \t]{0,20}(?:best|kind|warm)?[ \t]{0,3}(?:regards|wishes|cheers|sincerely|thanks|thank you"
    r"|many thanks|saludos|un saludo|atentamente|cordialmente|gracias|muchas gracias|best)"
    r"[ \t,.!]{0,5}$",
    re.IGNORECASE | re.MULTILINE,
)
_SIGNATURE_LINES = 6
_SIGNATURE_LINE_WORDS = 6
# An opening line of its own ("Hi team,", "Dear Support,", "Hola,", "Buenos días:"): a greeting,
# not the request. Only a whole line: the greeting, up to three more words, and a "," ":" or "!"
# after a bare greeting word — "Hi, I was charged twice" and "hello\nhow are you" (CLINC's
# greeting intent, typed on two lines) are requests in their own right.
_GREETING_WORD = (
    r"(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings|hola"
    r"|buen(?:os|as) (?:d[ií]as|tardes|noches)|estimad[oa]s?|querid[oa]s?)\b"
)
_GREETING_LINE = re.compile(
    rf"^[ \t]{{0,20}}{_GREETING_WORD}"
    r"(?:(?:[ \t]{1,3}[\w.'\-]{1,30}){1,3}[ \t]{0,3}[,:!.]?|[ \t]{0,3}[,:!])[ \t]{0,5}$",
    re.IGNORECASE | re.MULTILINE,
)


def _is_reply_header(text: str, match: re.Match[str]) -> bool:
    if _HEADER_EVIDENCE.search(match.group(0)):
        return True
    return match.group(1) is not None and _QUOTE_OR_END.match(text, match.end()) is not None


def _first_cut(text: str, after: int) -> int | None:
    """Where the envelope starts: the earliest tail line, evidenced reply header or legal footer
    after position ``after`` (one search each, plus one per unevidenced header candidate)."""
    starts = []
    for pattern in (_TAIL_START, _FOOTER_START):
        if match := pattern.search(text, after + 1):
            starts.append(match.start())
    pos = after + 1
    while header := _REPLY_HEADER.search(text, pos):
        if _is_reply_header(text, header):
            starts.append(header.start())
            break
        pos = header.start() + 1
    return min(starts, default=None)


def strip_envelope(text: str) -> str:
    """The customer's own new text: quoted ``>`` lines, everything from a reply header, a
    signature delimiter, a "sent from my phone" line or a legal footer on, a closing ("Best
    regards,") followed by a short name block, and a greeting on a line of its own are dropped.
    Whatever is cut, something besides a greeting or a closing must remain: a message that is
    only a quote ("Hi,\n> track my parcel") is kept whole (better than classifying nothing)."""
    own = _OWN_TEXT.search(text)
    kept = text
    if own is not None and (cut := _first_cut(text, own.start())) is not None:
        kept = text[:cut]
    kept = _QUOTED_LINE.sub("", kept)
    closings = list(_CLOSING.finditer(kept))
    if closings:
        last = closings[-1]
        head, tail = kept[: last.start()], kept[last.end() :].strip().splitlines()
        # A name/title/contact block: a few short lines (identifiers are placeholders by now), after
        # something besides a greeting: in "Hi,\nThanks!\nMy card is blocked" the thanks opens.
        if (
            _GREETING_LINE.sub("", head).strip()
            and len(tail) <= _SIGNATURE_LINES
            and all(len(line.split()) <= _SIGNATURE_LINE_WORDS for line in tail)
        ):
            kept = head
    without_greeting = _GREETING_LINE.sub("", kept)
    if not _CLOSING.sub("", without_greeting).strip():
        return text  # a greeting or a closing alone is not the request; the whole message is
    return without_greeting


# -- identifiers and symbols -------------------------------------------------------------------------
_URL = re.compile(r"\b(?:https?://|ftp://|www\.)[^\s<>\"']{1,2000}", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,8}")
# Grouped digits: optional +country, digit groups each ended by one separator (one way to split a
# digit run: no backtracking blow-up), the last group up to 6 digits (the UK's 5-6). A candidate
# only: :func:`_phone` decides what it is.
_PHONE = re.compile(r"(?<![\w+])\+?(?:\(\d{1,5}\)[ .\-]?|\d{1,5}[ .\-]){1,6}\d{2,6}(?!\w)")
# Why structure and not a digit count: "order 1234 5678 90", "invoice 2024 0012 34", "sku
# 123-456-789", "from 2024 11 30 2024 12 05" and "1.234.567.890 euros" hold 9+ grouped digits and
# are not phones. A phone has a + country code, an (area code), or the groups of a national plan:
# NANP 3-3-4 (also after a 1), Spain 3-3-3 / 3-2-2-2 / 2-3-2-2 starting 6-9, France 2-2-2-2-2 and
# the UK 3-4-4 / 4-3-4 / 5-6 / 5-3-3 starting 0, also after a 00+country or a bare 2-digit country
# code ("0034 612 34 56 78", "34 612 345 678"), two such in a row ("612 345 678 612 345 679") — or
# a phone word just before it.
_PHONE_GROUPS = {
    (3, 3, 4): "",
    (1, 3, 3, 4): "1",
    (3, 3, 3): "6789",
    (3, 2, 2, 2): "6789",
    (2, 3, 2, 2): "6789",
    (2, 2, 2, 2, 2): "0",
    (3, 4, 4): "0",
    (4, 3, 4): "0",
    (5, 6): "0",
    (5, 3, 3): "0",
}
# "call me at", "my phone number is", "llámame al", "mi teléfono es el": a phone word, then only
# linking words ("I called about order 1234 5678 90" is an order). Matched on the reversed text
# before the digits, anchored at its start: one try per candidate, not a search of the window.
_PHONE_WORDS = (
    "phone telephone tel mobile cell cellphone call ring fax whatsapp sms contact number numbers "
    "teléfono telefono tfno tlf móvil movil celular cel llama llámame llamame llámanos "
    "llamanos llamar contacto fijo número numero números numeros"
)
# "number" is a phone word unless an id noun precedes it ("order number 1234 5678 90", "pedido
# número …"): checked on the reversed text, so the noun comes right after the reversed word.
_ID_NOUNS = (
    "order invoice account tracking reference ref case ticket customer member policy serial "
    "model part item sku booking reservation confirmation transaction card iban "
    "pedido factura cuenta referencia caso cliente socio póliza poliza serie modelo artículo "
    "articulo reserva transacción transaccion tarjeta seguimiento envío envio"
)
_PHONE_LINK_WORDS = "me us at on is my our number no nr es el al mi de número numero"


def _reversed_words(words: str) -> str:
    return "|".join(sorted((word[::-1] for word in words.split()), key=len, reverse=True))


_PHONE_WORD_REVERSED = re.compile(
    rf"\W{{0,4}}(?:(?:{_reversed_words(_PHONE_LINK_WORDS)})\W{{1,4}}){{0,3}}"
    rf"(?:{_reversed_words(_PHONE_WORDS)})\b"
    rf"(?!\W{{1,4}}(?:{_reversed_words(_ID_NOUNS)})\b)",
    re.IGNORECASE,
)
# An id noun right before the digits ("order 12 612 345 678"): a bare 2-digit code is then not one.
_ID_NOUN_REVERSED = re.compile(
    rf"\W{{0,4}}(?:(?:on|rn|rebmun|oremun|oremún)\W{{1,4}})?(?:{_reversed_words(_ID_NOUNS)})\b",
    re.IGNORECASE,
)
_PHONE_WORD_WINDOW = 60
_DIGIT_GROUP = re.compile(r"\d+")
# A card or an IBAN: 13+ digits in groups of four (the last may be shorter) — longer than any
# national number. Other long runs ("2024 11 30 2024 12 05", a date range) stay as written.
_CARD = re.compile(r"\d{4}(?:[ .\-]\d{4}){2,5}[ .\-]\d{1,4}")
# An order/account/card id: any token holding 7 or more digits in a row.
_LONG_NUMBER = re.compile(r"(?<![\w\-+])(?:\+|[A-Za-z#\-]{0,10})\d{7,64}[\w\-]{0,30}")
_SYMBOLS = re.compile(r"[\u2600-\u27bf\ufe0f\u200d\U0001f000-\U0001faff]+")
# "!!!", "???", "...." → one ("c++" is a word, not emphasis: "+" is not in the set).
_REPEATED = re.compile(r"([!?.,;:*~])\1{1,100}")
_BLANK_RUN = re.compile(r"[ \t]{2,}")


def _national(lengths: tuple[int, ...], first_digit: str) -> bool:
    """Groups of these lengths in one of the national shapes of ``_PHONE_GROUPS``, starting with a
    digit it allows."""
    first_digits = _PHONE_GROUPS.get(lengths)
    return first_digits is not None and (not first_digits or first_digit in first_digits)


def _is_country_code(group: str) -> bool:
    """``0034``-style (00 + 1-3 digits) or a bare 2-digit code (``34``, ``44``; not ``0x``)."""
    return (group.startswith("00") and 3 <= len(group) <= 5) or (len(group) == 2 and group[0] != "0")


def _after_id_noun(reversed_before: str) -> bool:
    """ "order 12 612 345 678", "pedido nº 34 612 345 678": a leading 2-digit group is part of an id."""
    return bool(_ID_NOUN_REVERSED.match(reversed_before))


def _two_phones(groups: list[str], lengths: tuple[int, ...]) -> bool:
    """Two national shapes back to back ("612 345 678 612 345 679"): a candidate takes both."""
    cuts = (cut for cut in range(2, len(groups) - 1) if lengths[cut:] in _PHONE_GROUPS)
    return any(
        _national(lengths[:cut], groups[0][0]) and _national(lengths[cut:], groups[cut][0]) for cut in cuts
    )


def _phone(match: re.Match[str]) -> str:
    """A phone placeholder for 9+ grouped digits shaped or introduced like a phone, a number
    placeholder for a card-length group run, anything else as written (an amount, a date, an
    order number the KB retrieval also keeps)."""
    found = match.group(0)
    groups = _DIGIT_GROUP.findall(found)
    lengths = tuple(map(len, groups))
    digits = sum(lengths)
    if digits < 9:
        return found
    if found[0] == "+" or "(" in found or _national(lengths, found[0]):
        return PHONE
    start = match.start()
    before = match.string[max(0, start - _PHONE_WORD_WINDOW) : start][::-1]
    if _national(lengths[1:], groups[1][0]) and _is_country_code(groups[0]) and not _after_id_noun(before):
        return PHONE
    if digits >= 13 and _CARD.fullmatch(found):
        return NUMBER
    if 18 <= digits <= 22 and _two_phones(groups, lengths):  # a national shape holds 9-11 digits
        return PHONE + PHONE
    return PHONE if _PHONE_WORD_REVERSED.match(before) else found


def mask_identifiers(text: str) -> str:
    """URLs, e-mail addresses, phone numbers and long digit runs → one placeholder token each:
    a pasted link is one unknown "word", not a dozen (``https``, ``shop``, ``com``, …)."""
    if "://" in text or "www." in text.lower():
        text = _URL.sub(URL, text)
    if "@" in text:
        text = _EMAIL.sub(EMAIL, text)
    text = _PHONE.sub(_phone, text)
    return _LONG_NUMBER.sub(NUMBER, text)


def _needs_cleaning(text: str) -> bool:
    if _TRIGGER_CHARS.search(text) or "://" in text or _TRIGGER_DIGITS.search(text):
        return True
    # map(str.__contains__): ~2x faster than a generator expression, on every training row.
    return bool(_TRIGGER_REPEAT.search(text)) or any(map(text.lower().__contains__, _TRIGGER_WORDS))


# Only messages up to this long are cached, and the cache is bounded by the bytes its strings
# hold, not by entries: 16,384 entries of 2,000 4-byte characters grew a serve worker by 253 MB.
# 32 MB keeps every row of a 10,000-row pack between the word and the character tokenising passes
# at training (an entries bound of 2,048 made that 1.5-1.9x slower on e-mail-like rows).
MAX_CACHED_CHARS = 2_000
MAX_CACHED_BYTES = 32 * 2**20


class _MessageCache:
    """Least-recently-used ``(text, keep_identifiers) → cleaned`` map bounded by string bytes
    (``sys.getsizeof``: a 4-byte-character text counts four times an ASCII one). Locked: serve
    workers clean in threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[tuple[str, bool], tuple[str, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, text: str, keep_identifiers: bool) -> str:
        key = (text, keep_identifiers)
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                return hit[0]
        cleaned = _clean(text, keep_identifiers)
        size = sys.getsizeof(text) + (0 if cleaned is text else sys.getsizeof(cleaned))
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (cleaned, size)
                self.bytes += size
            while self.bytes > self.max_bytes:
                self.bytes -= self._entries.popitem(last=False)[1][1]
        return cleaned

    def __len__(self) -> int:
        return len(self._entries)

    def cache_clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0


_clean_cached = _MessageCache(MAX_CACHED_BYTES)


def clean_message(text: str, *, keep_identifiers: bool = False) -> str:
    """The request inside a raw message (see the module docstring); clean text unchanged.

    ``keep_identifiers``: links, addresses and numbers stay as written — for KB retrieval, where
    an error code or a SKU is the very word an article is found by ("error 80070005"); the
    classifier reads them as placeholders (words no training row used).

    Cached (short messages): the word and the character tokenisers both call it on the same text."""
    if len(text) <= MAX_CACHED_CHARS:
        return _clean_cached(text, keep_identifiers)
    return _clean(text, keep_identifiers)


def _clean(text: str, keep_identifiers: bool = False) -> str:
    if not _needs_cleaning(text):
        return text
    text = strip_markup(text.translate(ZERO_WIDTH).translate(_BIDI)).translate(_SPACES)
    text = strip_envelope(text if keep_identifiers else mask_identifiers(text))
    text = _REPEATED.sub(r"\1", _SYMBOLS.sub(" ", text))
    lines = (_BLANK_RUN.sub(" ", line).strip() for line in text.split("\n"))
    return " ".join(line for line in lines if line)
