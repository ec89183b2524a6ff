"""Text as Lastmile's checks read it (the injection guard, the sensitive-topic rules): one normal form, so
that invisible characters, presentation forms, accents and look-alike letters hide no word from a check.

`folded` is for matching only: it is never stored or shown (the buyer's own text is). In order: NFKC
(fullwidth and mathematical letters become plain ones), format characters removed (zero-width spaces and
joiners, bidi embeddings, overrides and isolates, the BOM, soft hyphens, tag characters), common Cyrillic,
Greek and Armenian look-alikes folded to the Latin letters they imitate, accents removed, case folded,
spacing collapsed.
"""

from __future__ import annotations

import re
import unicodedata

# Latin letter: the Cyrillic, Greek and Armenian letters drawn like it (from Unicode's confusables.txt, the
# ones attacks on Latin text use). Upper and lower case are folded separately: Greek capital nu is an N, but
# its lower case is drawn like a v.
_FOLDS = {
    "A": "\u0410\u0391",
    "B": "\u0412\u0392",
    "C": "\u0421",
    "E": "\u0415\u0395",
    "H": "\u041d\u0397",
    "I": "\u0406\u04c0\u0399",
    "J": "\u0408",
    "K": "\u041a\u039a",
    "M": "\u041c\u039c",
    "N": "\u039d",
    "O": "\u041e\u039f",
    "P": "\u0420\u03a1",
    "S": "\u0405",
    "T": "\u0422\u03a4",
    "W": "\u051c",
    "X": "\u0425\u03a7",
    "Y": "\u0423\u04ae\u03a5",
    "Z": "\u0396",
    "a": "\u0430\u03b1",
    "c": "\u0441",
    "d": "\u0501",
    "e": "\u0435\u03b5",
    "h": "\u04bb\u0570",
    "i": "\u0456\u03b9",
    "j": "\u0458",
    "k": "\u043a\u03ba",
    "l": "\u04cf",
    "o": "\u043e\u03bf\u0585",
    "p": "\u0440\u03c1",
    "q": "\u051b",
    "s": "\u0455",
    "t": "\u03c4",
    "u": "\u03c5\u057d",
    "v": "\u03bd",
    "w": "\u051d",
    "x": "\u0445\u03c7",
    "y": "\u0443",
}
_LOOKALIKES = str.maketrans({source: latin for latin, sources in _FOLDS.items() for source in sources})
_SPACES = re.compile(r"\s+")


def folded(text: str) -> str:
    """`text` in the form the checks match against (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.translate(_LOOKALIKES)
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )  # é → e, ö → o: one spelling for "précédentes" and "precedentes"
    text = text.casefold().replace("\u2019", "'")
    return _SPACES.sub(" ", text).strip()
