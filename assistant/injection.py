"""Spotting prompt-injection attempts in buyer text. Buyer text is data, never instructions: a flagged
message is answered only by the extractive composer (which cannot follow instructions) or declined.

This guard is one defence among several, not the only one: the extractive default cannot obey anything,
an LLM gets buyer text and passages as data under a fixed system prompt, grounding drops every claim no
passage supports, and sensitive topics go to a person whatever the guard says. It aims at the phrasings
attacks use, after normalising the text (assistant/normalise.py: NFKC, no zero-width or bidi controls,
look-alike letters folded, no accents), in English, Spanish, French, German and a little Italian and
Portuguese, and in base64-encoded runs inside the message.
"""

from __future__ import annotations

import base64
import binascii
import re

from assistant.normalise import folded

# Patterns over the folded text (lower case, no accents: "précédentes" is matched as "precedentes").
_PATTERNS: dict[str, list[str]] = {
    "override": [
        r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules?|prompt|guidelines|polic(y|ies)|above|previous)\b",
        # es / it / pt: "ignora las instrucciones anteriores", "olvida tus reglas", "dimentica le istruzioni"
        r"\b(ignora\w*|olvida\w*|omite|omitir|descarta\w*|dimentica\w*|esquec[ae]\w*)\b.{0,40}"
        r"\b(instrucciones|instruccion|indicaciones|reglas|istruzioni|regole|instrucoes|regras|prompt)\b",
        # fr: "ignorez les instructions précédentes", "oublie tes consignes"
        r"\b(ignorez?|ignorer|oublie[rz]?|negliger?|neglige[z]?)\b.{0,40}\b(instructions?|consignes?|regles|directives|prompt)\b",
        # de: "ignoriere alle vorherigen Anweisungen", "vergiss deine Regeln"
        r"\b(ignorier\w*|vergiss\w*|vergesst|missacht\w*|ubergeh\w*)\b.{0,40}"
        r"\b(anweisung\w*|instruktion\w*|regeln|vorgaben|richtlinien|prompt)\b",
    ],
    "system_prompt": [
        r"\b(system|hidden|initial|original|developer)\s+(prompt|message|instructions?)\b",
        r"\bsystem-?(prompt|anweisung\w*|nachricht)\b",  # de: "Systemprompt", "Systemanweisungen"
        r"\b(prompt|instrucciones|instructions|consignes|invite|istruzioni|instrucoes) (del |du |de |di |do )?"
        r"(sistema|systeme|system)\b",
        r"\b(instrucciones|instructions|consignes|istruzioni|instrucoes) (ocultas|cachees|nascoste|secretas|secretes)\b",
        r"\b(versteckten?|geheimen?|ursprunglichen?) (anweisung\w*|prompt)\b",
    ],
    "reveal": [
        r"\b(print|reveal|show|repeat|output|leak|tell me)\b.{0,30}\b(prompt|instructions?|configuration|api key|secret)",
        r"\b(revela|muestra\w*|ensena\w*|repite|revele[rz]?|montre[rz]?|affiche[rz]?|repete[rz]?|zeig\w*|verrat\w*|"
        r"wiederhole\w*|gib \w+ aus|rivela|mostra\w*)\b.{0,30}\b(tus|tu|vos|votre|tes|ton|deine?n?|ihre?n?|le tue|i tuoi|"
        r"seu|suas|seus) (prompt|instrucciones|instructions|consignes|anweisungen|istruzioni|instrucoes|reglas|regeln)\b",
    ],
    "role": [
        r"\byou are (now|no longer)\b|\bfrom now on\b|\bact as\b|\bpretend (to be|you)\b|\broleplay\b",
        r"\b(ahora eres|ya no eres|a partir de ahora|finge (ser|que)|actua como|haz como si)\b",
        r"\b(tu es maintenant|vous etes maintenant|tu n'es plus|a partir de maintenant|des maintenant|"
        r"fais semblant|faites semblant|agis comme|agissez comme)\b",
        r"\b(du bist (jetzt|nun|ab jetzt|ab sofort|nicht mehr)|von nun an|ab jetzt|ab sofort bist du|"
        r"tu so,? als|tue so,? als|gib dich als)\b",
        r"\b(ora sei|d'ora in poi|fingi di|agora voce e|finja (ser|que))\b",
    ],
    "jailbreak": [
        r"\b(jailbreak|dan mode|developer mode|sudo mode|god mode|modo desarrollador|mode developpeur|entwicklermodus)\b"
    ],
    "dictated": [
        r"\b(say|write|respond|reply|answer)\b.{0,20}\b(exactly|only|verbatim)\b",
        r"\b(di|dime|responde|contesta|escribe)\b.{0,20}\b(exactamente|unicamente|textualmente|literalmente)\b",
        r"\b(dis|dites|reponds|repondez|ecris|ecrivez)\b.{0,20}\b(exactement|uniquement|mot pour mot|textuellement)\b",
        r"\b(sag|sage|antworte|schreib|schreibe)\b.{0,20}\b(genau|exakt|ausschliesslich|wortlich|wortwortlich)\b",
    ],
    "markup": [
        r"<\s*(script|iframe|img|svg|object|style)\b|javascript:|on(error|load)\s*=",
        r"\[(system|assistant|inst)\]|<\|?(im_start|system|endoftext)\|?>|###\s*(system|instruction)",
    ],
}
_COMPILED = {name: [re.compile(p, re.DOTALL) for p in patterns] for name, patterns in _PATTERNS.items()}

# A run of base64 long enough to hold an instruction ("ignore previous instructions" is 40 characters
# encoded); shorter runs are ids and hashes. Standard and URL-safe alphabets, padding optional.
_BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}")
MAX_ENCODED_RUNS = 8  # a message is at most 4,000 characters: a few runs are plenty, and the work is bounded
PRINTABLE_SHARE = 0.9  # decoded bytes that read as text (an id or a hash decodes to noise, well under this)


def injection_signals(text: str) -> list[str]:
    """The kinds of injection this text carries (empty when it looks like an ordinary question); a kind
    found inside a base64 run is named "base64:<kind>"."""
    found = _signals(folded(text))
    for decoded in _decoded_runs(text):
        found += [f"base64:{name}" for name in _signals(folded(decoded)) if f"base64:{name}" not in found]
    return found


def looks_like_injection(text: str) -> bool:
    return bool(injection_signals(text))


def _signals(plain: str) -> list[str]:
    return [name for name, patterns in _COMPILED.items() if any(p.search(plain) for p in patterns)]


def _decoded_runs(text: str) -> list[str]:
    """The base64 runs of `text` that decode to readable text."""
    readable = []
    for match in _BASE64_RUN.finditer(text):
        if len(readable) >= MAX_ENCODED_RUNS:
            break
        run = match.group(0).rstrip("=")
        url_safe = "-" in run or "_" in run
        try:
            data = base64.b64decode(run + "=" * (-len(run) % 4), altchars=b"-_" if url_safe else None)
            decoded = data.decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        printable = sum(ch.isprintable() or ch in "\n\t" for ch in decoded)
        if decoded and printable / len(decoded) >= PRINTABLE_SHARE and " " in decoded:
            readable.append(decoded)
    return readable
