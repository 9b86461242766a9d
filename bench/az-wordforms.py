#!/usr/bin/env python3
"""Writes the paradigm part of bench/az-wordforms.tsv: Azerbaijani word forms labelled with their
lemma and grammatical tags, for measuring the search stemmer (bench/ANALYZER.md); and, with
`pairs`, bench/az-unrelated-pairs.tsv, the over-merge check.

    python3 bench/az-wordforms.py > /tmp/paradigms.tsv
    python3 bench/az-wordforms.py pairs > bench/az-unrelated-pairs.tsv

The forms are spelled out from Azerbaijani grammar (harmony, buffer consonants, alternations,
syncope), one paradigm cell at a time, for hand-picked lemmas of the vocabulary of state bodies'
websites; they were then read through by hand. Irregular lemmas (`et`, `get`, `su`, syncope
nouns) have their stems given explicitly. The real-text part of the list (forms seen in
content/az, labelled by hand) is kept in the TSV below a marker line and is not generated.

The paradigm grammar here is deliberately written apart from src/search/stemmer.rs (explicit
per-cell spelling, no shared tables), so that it checks rather than mirrors it. The pair list, on
the contrary, mirrors src/search/lexicon.rs on purpose: it leaves out the headwords the lexicon
reads as inflected forms of others, which are not "unrelated".
"""

import sys

BACK = set("aıou")
VOWELS = set("aıoueəiöü")


def last_vowel(word):
    for letter in reversed(word):
        if letter in VOWELS:
            return letter
    return "ə"


def a2(word):
    """Two-way harmony vowel after `word`."""
    return "a" if last_vowel(word) in BACK else "ə"


def i4(word):
    """Four-way harmony vowel after `word`."""
    return {"a": "ı", "ı": "ı", "o": "u", "u": "u", "e": "i", "ə": "i", "i": "i", "ö": "ü", "ü": "ü"}[last_vowel(word)]


def ends_in_vowel(word):
    return word[-1] in VOWELS


def voiced(word):
    """The stem before a vowel-initial suffix: final k/q of polysyllables → y/ğ."""
    n_vowels = sum(1 for letter in word if letter in VOWELS)
    if n_vowels >= 2 and word.endswith("k"):
        return word[:-1] + "y"
    if n_vowels >= 2 and word.endswith("q"):
        return word[:-1] + "ğ"
    return word


# ---- Nouns ----

def noun_forms(lemma, before_vowel=None):
    """Yields (form, tags). `before_vowel` is the stem before a vowel (syncope, su → suy)."""
    v = before_vowel or voiced(lemma)
    vf = ends_in_vowel(lemma)
    A, I = a2(lemma), i4(lemma)
    pl = lemma + "l" + A + "r"
    Apl, Ipl = a2(pl), i4(pl)
    def vowel_suffix(suffix_after_consonant, suffix_after_vowel):
        return lemma + suffix_after_vowel if vf else v + suffix_after_consonant

    if lemma == "su":
        gen, acc, p1, p2, p3 = "suyun", "suyu", "suyum", "suyun", "suyu"
        p1pl, p2pl = "suyumuz", "suyunuz"
    else:
        gen = vowel_suffix(I + "n", "n" + I + "n")
        acc = vowel_suffix(I, "n" + I)
        p1 = vowel_suffix(I + "m", "m")
        p2 = vowel_suffix(I + "n", "n")
        p3 = vowel_suffix(I, "s" + I)
        p1pl = vowel_suffix(I + "m" + I + "z", "m" + I + "z")
        p2pl = vowel_suffix(I + "n" + I + "z", "n" + I + "z")
    dat = vowel_suffix(A, "y" + A)
    loc = lemma + "d" + A
    abl = lemma + "d" + A + "n"
    ins = lemma + ("yl" if vf else "l") + A  # consonant-initial: no voicing (kitabla, ayaqla)
    P3I = i4(p3)  # the vowel after the 3rd-person possessive
    yield lemma, "N;NOM;SG"
    yield pl, "N;NOM;PL"
    yield gen, "N;GEN;SG"
    yield dat, "N;DAT;SG"
    yield acc, "N;ACC;SG"
    yield loc, "N;LOC;SG"
    yield abl, "N;ABL;SG"
    yield ins, "N;INS;SG"
    yield p1, "N;PSS1S"
    yield p2, "N;PSS2S"
    yield p3, "N;PSS3"
    yield p1pl, "N;PSS1P"
    yield p2pl, "N;PSS2P"
    yield pl + Ipl, "N;PL;PSS3P"
    yield p3 + "n" + P3I + "n", "N;PSS3;GEN"
    yield p3 + "n" + a2(p3), "N;PSS3;DAT"
    yield p3 + "n" + P3I, "N;PSS3;ACC"
    yield p3 + "nd" + a2(p3), "N;PSS3;LOC"
    yield p3 + "nd" + a2(p3) + "n", "N;PSS3;ABL"
    yield p1 + a2(p1), "N;PSS1S;DAT"
    yield p1pl + "d" + a2(p1pl), "N;PSS1P;LOC"
    yield p2pl + "d" + a2(p2pl) + "n", "N;PSS2P;ABL"
    yield pl + "d" + Apl, "N;PL;LOC"
    yield pl + Ipl + "n", "N;PL;GEN"
    yield pl + Ipl + "n" + Apl, "N;PL;PSS3P;DAT"
    yield pl + Ipl + "m" + Ipl + "zd" + Apl + "n", "N;PL;PSS1P;ABL"
    yield lemma + "d" + I + "r", "N;COP"
    yield pl + "d" + Ipl + "r", "N;PL;COP"
    yield loc + "k" + i4(loc), "N;LOC;KI"
    ki = loc + "k" + i4(loc)
    yield ki + "l" + a2(ki) + "r", "N;LOC;KI;PL"
    yield loc + "d" + i4(loc) + "r", "N;LOC;COP"


# ---- Verbs ----

def verb_forms(stem, before_vowel=None):
    """Yields (form, tags) for the verb `stem` (`gəl`); `before_vowel` for et/get (`ed`)."""
    bv = before_vowel or stem
    vf = ends_in_vowel(stem)
    A, I = a2(stem), i4(stem)

    def vow(suffix):
        """Stem + a vowel-initial suffix (buffer y after a vowel-final stem)."""
        return (stem + "y" + suffix) if vf else (bv + suffix)

    neg = stem + "m" + A  # gəlmə, alma
    nA = a2(neg)
    nI = i4(neg)
    inf = stem + "m" + A + ("q" if A == "a" else "k")
    inf_v = stem + "m" + A + ("ğ" if A == "a" else "y")
    k = "q" if A == "a" else "k"
    kv = "ğ" if A == "a" else "y"

    pres = vow(I + "r")
    fut = vow(A + "c" + A + k)
    fut_v = vow(A + "c" + A + kv)
    aor = vow(A + "r")
    past = stem + "d" + I
    evid = stem + "m" + I + "ş"
    perf = vow(I + "b")
    nec = stem + "m" + A + "l" + i4(stem + "m" + A)
    cond = stem + "s" + A
    dik = stem + "d" + I + k
    dik_v = stem + "d" + I + kv

    yield inf, "V;NFIN"
    yield inf_v + A, "V;NFIN;DAT"
    yield inf + "d" + A, "V;NFIN;LOC"
    yield inf + "d" + A + "n", "V;NFIN;ABL"
    yield neg + "m" + A + k, "V;NFIN;NEG"
    # present: -(y)Ir + the predicative persons
    pA, pI = a2(pres), i4(pres)
    yield pres + pA + "m", "V;PRS;1;SG"
    yield pres + "s" + pA + "n", "V;PRS;2;SG"
    yield pres, "V;PRS;3;SG"
    yield pres + pI + ("q" if pA == "a" else "k"), "V;PRS;1;PL"
    yield pres + "s" + pI + "n" + pI + "z", "V;PRS;2;PL"
    yield pres + "l" + pA + "r", "V;PRS;3;PL"
    negpres = stem + "m" + I + "r"
    yield negpres, "V;PRS;NEG;3;SG"
    yield negpres + a2(negpres) + "m", "V;PRS;NEG;1;SG"
    yield negpres + "l" + a2(negpres) + "r", "V;PRS;NEG;3;PL"
    yield pres + "d" + i4(pres), "V;PRS;PST;3;SG"
    yield pres + "m" + i4(pres), "V;PRS;Q"
    # past
    pI = i4(past)
    for ending, tag in (("m", "1;SG"), ("n", "2;SG"), ("", "3;SG"), ("q" if pI in "ıu" else "k", "1;PL"),
                        ("n" + pI + "z", "2;PL"), ("l" + a2(past) + "r", "3;PL")):
        yield past + ending, "V;PST;" + tag
    yield neg + "d" + nI, "V;PST;NEG;3;SG"
    yield neg + "d" + nI + "m", "V;PST;NEG;1;SG"
    # evidential / perfect
    eI = i4(evid)
    yield evid, "V;PRF;EVID;3;SG"
    yield evid + a2(evid) + "m", "V;PRF;EVID;1;SG"
    yield evid + "d" + eI + "r", "V;PRF;EVID;3;SG;COP"
    yield evid + "l" + a2(evid) + "r", "V;PRF;EVID;3;PL"
    yield evid + "d" + eI, "V;PST;PRF;3;SG"
    yield neg + "m" + i4(neg) + "ş", "V;PRF;EVID;NEG;3;SG"
    bI = i4(perf)
    yield perf, "V;PRF;3;SG"
    yield perf + "d" + bI + "r", "V;PRF;3;SG;COP"
    yield perf + "l" + a2(perf) + "r", "V;PRF;3;PL"
    yield perf + "s" + a2(perf) + "n", "V;PRF;2;SG"
    yield neg + "y" + nI + "b", "V;PRF;NEG;3;SG"
    # future
    yield fut, "V;FUT;3;SG"
    yield fut_v + A + "m", "V;FUT;1;SG"
    yield fut + "s" + A + "n", "V;FUT;2;SG"
    yield fut_v + i4(fut) + k, "V;FUT;1;PL"
    yield fut + "l" + A + "r", "V;FUT;3;PL"
    yield fut + "d" + i4(fut) + "r", "V;FUT;3;SG;COP"
    yield fut + "d" + i4(fut), "V;FUT;PST;3;SG"
    nfut = neg + "y" + nA + "c" + nA + ("q" if nA == "a" else "k")
    yield nfut, "V;FUT;NEG;3;SG"
    # aorist
    yield aor, "V;AOR;3;SG"
    yield aor + A + "m", "V;AOR;1;SG"
    yield aor + "s" + i4(aor) + "n" + i4(aor) + "z", "V;AOR;2;PL"
    yield aor + "l" + A + "r", "V;AOR;3;PL"
    yield aor + "d" + i4(aor), "V;AOR;PST;3;SG"
    yield neg + "z", "V;AOR;NEG;3;SG"
    yield neg + "r" + nA + "m", "V;AOR;NEG;1;SG"
    # necessitative
    nd = i4(nec)
    yield nec + "d" + nd + "r", "V;NEC;3;SG"
    yield nec + "y" + a2(nec) + "m", "V;NEC;1;SG"
    yield nec + "y" + nd + ("q" if nd == "ı" else "k"), "V;NEC;1;PL"
    yield nec, "V;NEC"
    yield neg + "m" + nA + "l" + nI + "d" + nI + "r", "V;NEC;NEG;3;SG"
    # conditional
    cA = a2(cond)
    yield cond, "V;COND;3;SG"
    yield cond + "m", "V;COND;1;SG"
    yield cond + ("q" if cA == "a" else "k"), "V;COND;1;PL"
    yield cond + "n" + i4(cond) + "z", "V;COND;2;PL"
    yield neg + "s" + nA, "V;COND;NEG;3;SG"
    yield pres + "s" + a2(pres), "V;PRS;COND;3;SG"
    # optative / imperative
    opt = vow(A)
    yield opt, "V;OPT;3;SG"
    yield opt + ("q" if A == "a" else "k"), "V;OPT;1;PL"
    yield opt + "s" + A + "n", "V;OPT;2;SG"
    yield stem, "V;IMP;2;SG"
    yield vow(I + "n"), "V;IMP;2;PL"
    yield vow(I + "n" + I + "z"), "V;IMP;2;PL;FORM"
    yield stem + "s" + I + "n", "V;IMP;3;SG"
    yield stem + "s" + I + "nl" + A + "r", "V;IMP;3;PL"
    yield vow(I + "m"), "V;IMP;1;SG"
    yield neg + "s" + nI + "n", "V;IMP;NEG;3;SG"
    # participles
    ptcp = vow(A + "n")
    yield ptcp, "V.PTCP;PRS"
    yield ptcp + "l" + A + "r", "V.PTCP;PRS;PL"
    yield ptcp + "l" + A + "r" + i4(ptcp + "l" + A + "r") + "n", "V.PTCP;PRS;PL;GEN"
    yield ptcp + i4(ptcp) + "n", "V.PTCP;PRS;GEN"
    yield neg + "y" + nA + "n", "V.PTCP;PRS;NEG"
    yield dik_v + I, "V.PTCP;PST;PSS3"
    yield dik_v + I + "m", "V.PTCP;PST;PSS1S"
    yield dik_v + I + "m" + I + "z", "V.PTCP;PST;PSS1P"
    yield dik + "l" + A + "r" + i4(dik + "l" + A + "r"), "V.PTCP;PST;PSS3P"
    yield dik_v + I + "n" + A, "V.PTCP;PST;PSS3;DAT"
    yield dik_v + I + "n" + I, "V.PTCP;PST;PSS3;ACC"
    yield neg + "d" + nI + ("ğ" if nA == "a" else "y") + nI, "V.PTCP;PST;NEG;PSS3"
    yield fut_v + i4(fut), "V.PTCP;FUT;PSS3"
    yield fut + "l" + A + "r" + i4(fut + "l" + A + "r"), "V.PTCP;FUT;PSS3P"
    # converbs
    yield vow(A + "r" + A + k), "V.CVB;MANN"
    yield vow(A + "nd" + A), "V.CVB;WHEN"
    yield vow(I + "nc" + A), "V.CVB;UNTIL"
    yield dik + "d" + A, "V.CVB;WHEN;COND"
    yield dik + "c" + A, "V.CVB;AS"
    yield neg + "d" + nA + "n", "V.CVB;NEG;WITHOUT"
    yield vow(A + "l" + ("ı" if A == "a" else "i")), "V.CVB;SINCE"
    yield aor + "kən", "V.CVB;WHILE"
    # verbal noun (masdar -mA)
    yield neg + "s" + nI, "V.MSDR;PSS3"
    yield neg + "s" + nI + "n" + nA, "V.MSDR;PSS3;DAT"
    yield neg + "s" + nI + "n" + nI, "V.MSDR;PSS3;ACC"
    yield neg + "l" + nA + "r" + i4(neg + "l" + nA + "r"), "V.MSDR;PSS3P"


NOUNS = """
kitab qanun xidmət məlumat dövlət agentlik sorğu dəst portal şəhər ayaq çörək göz yol ev ata qayda
müraciət vətəndaş təşkilat orqan sənəd qərar nazirlik şəxs hüquq layihə proqram hesabat ünvan
səhifə komitə iş gün il ay büdcə sual cavab tələb plan qrup nömrə uşaq bilik ölkə üzv müdir idarə
rəhbər standart forma informasiya ərizə tarix otaq dil söz ürək torpaq məktəb universitet
respublika prezident nazir qurum sahə mərkəz
""".split()

SYNCOPE = {"fəsil": "fəsl", "oğul": "oğl", "ağız": "ağz", "sinif": "sinf", "şəkil": "şəkl", "fikir": "fikr"}

VERBS = """
gəl ol yaz oxu ver al bil gör istə başla işlə göndər təsdiqlə yoxla aç bağla qoru tanı gözlə seç
tap qal düşün ödə yaşa çıx keç saxla hazırla dəyiş göstər yarat qur dur soruş danış öyrən anla
edil olun veril göstəril yenilən
""".split()

IRREGULAR_VERBS = {"et": "ed", "get": "ged"}


def infinitive(stem):
    return stem + "m" + a2(stem) + ("q" if a2(stem) == "a" else "k")


def main():
    out = sys.stdout
    seen = set()

    def emit(form, lemma, tag):
        if (form, lemma) in seen:
            return
        seen.add((form, lemma))
        out.write(f"{form}\t{lemma}\t{tag}\n")

    for lemma in NOUNS:
        for form, tag in noun_forms(lemma):
            emit(form, lemma, tag)
    for lemma, before_vowel in SYNCOPE.items():
        for form, tag in noun_forms(lemma, before_vowel):
            emit(form, lemma, tag)
    for form, tag in noun_forms("su", "suy"):
        emit(form, "su", tag)
    for stem in VERBS:
        for form, tag in verb_forms(stem):
            emit(form, infinitive(stem), tag)
    for stem, before_vowel in IRREGULAR_VERBS.items():
        for form, tag in verb_forms(stem, before_vowel):
            emit(form, infinitive(stem), tag)


# ---- Unrelated pairs ----

# Endings that make a headword look like an inflected form of a shorter headword.
TRAP_ENDINGS = """
a ə ı i u ü n ın in un ün m ım im um üm da də dan dən la lə lar lər sı si su sü nı ni nu nü ya yə
maq mək ma mə an ən dı di du dü ır ir ur ür ar ər mış miş muş müş ıb ib ub üb dır dir dur dür
ıq ik uq ük acaq əcək sa sə ki
""".split()


def lowercase(word):
    return "".join("ı" if c == "I" else "i" if c == "İ" else c.lower() for c in word)


def read_dictionary(path):
    """Headword → set of part-of-speech letters, as src/search/lexicon.rs reads az.dic."""
    kinds = {}
    with open(path, encoding="utf-8") as dic:
        for line in dic:
            word, _, flags = line.strip().partition("/")
            if not flags or not flags.isascii() or any(c in word for c in " -'"):
                continue
            kinds.setdefault(lowercase(word), set()).update(f for f in flags if f.isalpha())
    return kinds


def realize(template, stem):
    """A suffix template of src/search/stemmer.rs (`(y)AcAK`, `dIKI`) after `stem`."""
    out = ""
    current = stem
    letters = list(template)
    index = 0
    while index < len(letters):
        letter = letters[index]
        if letter == "(":
            inner = letters[index + 1]
            index += 3
            if (inner in "AI") == ends_in_vowel(current + out if not out else out):
                continue
            letter = inner
        else:
            index += 1
        context = stem + out
        if letter == "A":
            out += a2(context)
        elif letter == "I":
            out += i4(context)
        elif letter == "T":
            before_vowel = index < len(letters) and (letters[index] in "AI" or letters[index] in VOWELS)
            out += "d" if before_vowel else "t"
        elif letter == "K":
            back = a2(context) == "a"
            before_vowel = index < len(letters) and (letters[index] in "AI" or letters[index] in VOWELS)
            out += ("ğ" if back else "y") if before_vowel else ("q" if back else "k")
        else:
            out += letter
    return out


NOMINAL_ENDINGS = ["lAr", "lArI", "dA", "dAn", "(y)lA", "(s)I"]
VERB_ENDINGS = ["mA", "(y)An", "mAyAn", "(y)ArAK", "dIKcA", "(y)AcAK", "mIş", "mAmIş", "mAlI", "mAz",
                "dIKI", "mAdIKI", "(y)AcAKI", "(y)IncA", "(y)AndA", "mAdAn"]


def stem_forms(kinds, syncope):
    """Written stem form → [(headword, kind, needs a vowel after)], as lexicon.rs builds them."""
    forms = {}
    for word, letters in kinds.items():
        for kind in ("N", "V"):
            if kind == "N" and not letters & set("NOAJPRUMDB") or kind == "V" and not letters & set("VE"):
                continue
            forms.setdefault(word, []).append((word, kind, False))
            n_vowels = sum(1 for c in word if c in VOWELS)
            if kind == "N" and n_vowels >= 2 and word[-1] in "qk":
                forms.setdefault(word[:-1] + ("ğ" if word[-1] == "q" else "y"), []).append((word, kind, True))
            if kind == "V" and word in ("et", "get"):
                forms.setdefault(word[:-1] + "d", []).append((word, kind, True))
            if kind == "N" and word in syncope:
                forms.setdefault(syncope[word], []).append((word, kind, True))
    # Voice forms of listed verbs count as verbs (lexicon.rs does the same).
    for verb in [w for w, entries in forms.items() if any(k == "V" and not nv for _, k, nv in entries)]:
        for ending in ("(I)l", "(I)n", "dIr", "(T)", "(I)ş"):
            derived = verb + realize(ending, verb)
            if derived != verb and derived not in forms:
                forms[derived] = [(derived, "V", False)]
    return forms


def inflection_base(word, forms):
    """The headword `word` is an inflected form of, as src/search/lexicon.rs `inflection_base`."""
    for split in range(1, len(word)):
        stem, rest = word[:split], word[split:]
        for kind, endings in (("V", VERB_ENDINGS), ("N", NOMINAL_ENDINGS)):
            for headword, stem_kind, needs_vowel in forms.get(stem, []):
                if stem_kind != kind or headword == word or (needs_vowel and rest[0] not in VOWELS):
                    continue
                if any(realize(ending, stem) == rest for ending in endings):
                    return headword
    return None


def read_fixes(path):
    """`keep` words and `alt` forms of src/search/data/fixes.txt."""
    kept, syncope = set(), {}
    with open(path, encoding="utf-8") as fixes:
        for line in fixes:
            fields = line.split("#")[0].split()
            if fields[:1] == ["keep"]:
                kept.update(fields[1:])
            if fields[:1] == ["alt"]:
                syncope[fields[1]] = fields[2]
    return kept, syncope


def pairs(dictionary_path):
    """Pairs of distinct headwords `long`, `short` where `long` is `short` plus a trap ending and is
    not itself an inflected form of some headword (as the stemmer's lexicon reads them); each with
    `long` bare and inflected, against bare `short`."""
    kinds = read_dictionary(dictionary_path)
    kept, syncope = read_fixes("src/search/data/fixes.txt")
    forms = stem_forms(kinds, syncope)
    out = sys.stdout
    out.write("# Unrelated headword pairs for the over-merge check (bench/ANALYZER.md), generated by\n")
    out.write("# `python3 bench/az-wordforms.py pairs` from vendor/hunspell-az/az.dic: word<TAB>word<TAB>note.\n")
    out.write("# Every line is two forms of two different headwords; the analyzer must give them\n")
    out.write("# different terms.\n")
    for long in sorted(kinds):
        if not kinds[long] & set("NOAJ"):
            continue
        if long not in kept and inflection_base(long, forms) is not None:
            continue
        for ending in TRAP_ENDINGS:
            short = long[: -len(ending)]
            if not long.endswith(ending) or len(short) < 2 or short not in kinds:
                continue
            if kinds[short] & set("VE") and ending == realize("mAK", short):
                continue  # a verb's term is its infinitive: `aparmaq` is the verb `apar`
            out.write(f"{long}\t{short}\t{ending}\n")
            for form, tag in noun_forms(long):
                if tag in ("N;ACC;SG", "N;LOC;SG", "N;NOM;PL", "N;GEN;SG"):
                    out.write(f"{form}\t{short}\t{ending};{tag}\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["pairs"]:
        pairs("vendor/hunspell-az/az.dic")
    else:
        main()
