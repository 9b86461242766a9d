#!/usr/bin/env python3
"""Generates a bilingual benchmark site for govsite, and an equivalent Hugo site.

    bench/gen_corpus.py [--page-section-cap K] [--hugo-build-key build|_build] N OUT_DIR
    bench/gen_corpus.py --set-hugo-build-key build|_build OUT_DIR

N is the number of items per language: every item exists in Azerbaijani and in English
(linked by a shared `translation` key), so the site has 2*N item pages, plus sections,
paginated lists, feeds and a sitemap.

OUT_DIR receives:
  site.toml, themes/, i18n/       copied from the govsite repository (this script's parent)
  content/az, content/en          govsite content (docs/content-format.md)
  hugo/                           the same pages as a Hugo site (config.toml, content/, layouts/,
                                  i18n/, static/), for `hugo -s OUT_DIR/hugo`

--page-section-cap K puts at most K items into each section of undated pages (types = ["page"]),
the rest into the dated sections (pages of small undated sections list all their siblings).

--hugo-build-key: the front-matter table that keeps the Hugo site's HTML site map and error pages
out of lists, feeds and sitemap.xml. Hugo 0.145+ (0.168) reads `build` and refuses `_build`;
Hugo 0.111 (Debian 12) reads only `_build`. Default `build`. `--set-hugo-build-key KEY OUT_DIR`
rewrites just those 8 files of an existing corpus, so one corpus serves both Hugos in one run
(bench/publish.sh switches before each Hugo).

The output is deterministic: the same N gives byte-identical files (fixed seed, no clock).
OUT_DIR must not exist or be empty.
"""

import json
import re
import random
import shutil
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = 20261122
PAGE_SIZE = 10  # site.toml [build] page_size; Hugo `paginate`
FEED_SIZE = 20  # site.toml [build] feed_size; Hugo `services.rss.limit`

# --------------------------------------------------------------------------------------------
# Sections: (az folder, en folder, key, types, menu, weight, share of items, az title, en title,
#            az description, en description)
SECTIONS = [
    ("xeberler", "news", "news", "news", True, 10, 0.28, "Xəbərlər", "News",
     "Agentliyin fəaliyyəti haqqında xəbərlər", "News about the Agency's work"),
    ("elanlar", "announcements", "announcements", "news", True, 20, 0.08, "Elanlar", "Announcements",
     "Müsabiqələr, qəbul və digər elanlar", "Competitions, admissions and other announcements"),
    ("senedler", "documents", "documents", "document", True, 30, 0.12, "Sənədlər", "Documents",
     "Hesabatlar, planlar və digər rəsmi sənədlər", "Reports, plans and other official documents"),
    ("qanunvericilik", "legislation", "legislation", "document", True, 40, 0.10, "Qanunvericilik",
     "Legislation", "Fəaliyyəti tənzimləyən normativ hüquqi aktlar",
     "Legal acts regulating the Agency's activity"),
    ("hesabatlar", "reports", "reports", "document", False, 50, 0.08, "Hesabatlar", "Reports",
     "İllik və rüblük hesabatlar", "Annual and quarterly reports"),
    ("tedbirler", "events", "events", "news", False, 60, 0.08, "Tədbirlər", "Events",
     "Seminarlar, konfranslar və təlimlər", "Seminars, conferences and trainings"),
    ("layiheler", "projects", "projects", "page", True, 70, 0.07, "Layihələr", "Projects",
     "Agentliyin həyata keçirdiyi layihələr", "Projects carried out by the Agency"),
    ("xidmetler", "services", "services", "page", True, 80, 0.07, "Elektron xidmətlər", "E-services",
     "Vətəndaşlar və təşkilatlar üçün elektron xidmətlər", "E-services for citizens and organisations"),
    ("haqqimizda", "about", "about", "page", True, 90, 0.04, "Haqqımızda", "About us",
     "Agentliyin strukturu, rəhbərliyi və tarixi", "The Agency's structure, management and history"),
    ("suallar", "faq", "faq", "page", False, 100, 0.08, "Tez-tez verilən suallar",
     "Frequently asked questions", "Vətəndaşların ən çox verdiyi suallar və cavablar",
     "The questions citizens ask most often, with answers"),
]

SITE_NAME = {"az": "Dövlət Açıq Məlumat Agentliyi", "en": "State Agency for Open Data"}

# --------------------------------------------------------------------------------------------
# Vocabularies. Azerbaijani: real words, grouped loosely so that the text reads like
# administrative prose (noun phrases, verbs at the end of the sentence).
AZ_NOUNS = """
agentlik nazirlik komitə xidmət portal məlumat sənəd hesabat qərar fərman sərəncam qanun
layihə proqram plan strategiya tədbir seminar konfrans təlim müşavirə iclas görüş sorğu
müraciət vətəndaş təşkilat qurum orqan idarə şöbə əməkdaş rəhbər nümayəndə mütəxəssis ekspert
tələbə müəllim universitet məktəb bələdiyyə rayon şəhər kənd region respublika ölkə dövlət
hökumət büdcə vəsait maliyyə xərc gəlir vergi statistika göstərici nəticə təhlil qiymətləndirmə
monitorinq nəzarət yoxlama tələb qayda standart format reyestr baza sistem platforma texnologiya
rəqəmsal xidmət elektron imza şəffaflıq hesabatlılıq əməkdaşlıq tərəfdaşlıq memorandum müqavilə
razılaşma sazişi təşəbbüs islahat inkişaf təkmilləşdirmə yenilik dəyişiklik əlavə düzəliş
müddət tarix il ay həftə gün mərhələ dövr rüb nəqliyyat səhiyyə təhsil kənd_təsərrüfatı
ekologiya hava keyfiyyət su enerji mənzil tikinti sahibkarlıq biznes iqtisadiyyat ticarət
ixrac idxal bazar qiymət əhali məşğulluq əmək pensiya sosial müdafiə mədəniyyət turizm idman
gənclər ailə uşaq qadın əlillik sağlamlıq xəstəxana poliklinika apteka dərman kitabxana muzey
arxiv kataloq siyahı cədvəl forma ərizə şikayət təklif rəy cavab sual izah tövsiyə təlimat
metodika göstəriş prosedur proses addım tələbat ehtiyac imkan üstünlük məqsəd vəzifə hədəf
""".split()

AZ_ADJ = """
açıq rəsmi dövlət yeni əsas ümumi illik rüblük aylıq milli regional yerli beynəlxalq elektron
rəqəmsal şəffaf əlçatan pulsuz maşınla_oxunan etibarlı tam müasir vacib zəruri əlavə ilkin
son növbəti cari əvvəlki müvafiq aidiyyəti səlahiyyətli müstəqil ictimai özəl sosial iqtisadi
hüquqi texniki metodiki statistik inzibati operativ strateji geniş ətraflı qısa uğurlu birgə
""".split()

AZ_VERBS = """
təsdiq_edilib dərc_olunub qəbul_edilib hazırlanıb təqdim_olunub keçirilib müzakirə_edilib
imzalanıb yenilənib genişləndirilib təşkil_olunub həyata_keçirilir davam_etdirilir
nəzərdə_tutulur tətbiq_edilir təmin_edilir yerləşdirilib açıqlanıb başa_çatıb başlayıb
qeydə_alınıb təhlil_edilib qiymətləndirilib araşdırılıb müəyyən_edilib göstərilib
elan_edilib artırılıb azaldılıb sadələşdirilib rəqəmsallaşdırılıb
""".split()

AZ_CONNECT = """
və həmçinin eyni_zamanda bununla_yanaşı xüsusilə o_cümlədən habelə lakin bundan_başqa
nəticədə beləliklə ilk_növbədə əsasən
""".split()

AZ_POSTP = ["üzrə", "haqqında", "ilə bağlı", "çərçivəsində", "üçün", "barədə", "əsasında", "sahəsində"]

AZ_MONTHS = ["yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust", "sentyabr",
             "oktyabr", "noyabr", "dekabr"]

AZ_HEADINGS = ["Əsas məqsədlər", "Görülən işlər", "Əsas nəticələr", "Növbəti addımlar",
               "Tələblər", "Müraciət qaydası", "Statistik göstəricilər", "Tərəfdaşlar",
               "Hüquqi əsas", "İcra müddətləri", "Maliyyələşmə", "Əlaqə məlumatları",
               "Ümumi məlumat", "Tövsiyələr", "Tətbiq sahəsi", "Məsul qurumlar"]

AZ_TABLE_HEAD = [("Göstərici", "Dəyər", "Dəyişiklik"), ("Mərhələ", "Müddət", "Məsul qurum"),
                 ("Sahə", "Məlumat dəstləri", "Yenilənmə"), ("Region", "İştirakçılar", "Tədbirlər")]

EN_NOUNS = """
agency ministry committee service portal data document report decision decree order law
project programme plan strategy event seminar conference training meeting session request
appeal citizen organisation institution body office department employee head representative
specialist expert student teacher university school municipality district city village region
republic country state government budget funds finance expense revenue tax statistics
indicator result analysis assessment monitoring oversight inspection requirement rule standard
format register database system platform technology service signature transparency
accountability cooperation partnership memorandum contract agreement initiative reform
development improvement innovation change annex correction term date year month week day stage
period quarter transport health education agriculture ecology air quality water energy housing
construction entrepreneurship business economy trade export import market price population
employment labour pension welfare culture tourism sport youth family child accessibility
hospital clinic pharmacy library museum archive catalogue list table form application
complaint proposal opinion answer question explanation recommendation guideline methodology
procedure process step need opportunity advantage goal task target dataset licence
""".split()

EN_ADJ = """
open official public new main general annual quarterly monthly national regional local
international electronic digital transparent accessible free machine-readable reliable complete
modern important necessary additional initial final next current previous relevant competent
independent private social economic legal technical methodological statistical administrative
operational strategic broad detailed brief successful joint
""".split()

EN_VERBS = """
was_approved was_published was_adopted was_prepared was_presented was_held was_discussed
was_signed was_updated was_extended was_organised is_being_implemented continues is_planned
is_applied is_ensured was_released was_announced was_completed has_started was_registered
was_analysed was_assessed was_reviewed was_defined was_increased was_reduced was_simplified
was_digitised
""".split()

EN_CONNECT = """
and also at_the_same_time in_addition in_particular including moreover however
furthermore as_a_result thus first_of_all mainly
""".split()

EN_PREP = ["on", "about", "regarding", "within", "for", "concerning", "based on", "in the field of"]

EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]

EN_HEADINGS = ["Main goals", "Work done", "Key results", "Next steps", "Requirements",
               "How to apply", "Statistics", "Partners", "Legal basis", "Deadlines", "Funding",
               "Contacts", "General information", "Recommendations", "Scope",
               "Responsible bodies"]

EN_TABLE_HEAD = [("Indicator", "Value", "Change"), ("Stage", "Term", "Responsible body"),
                 ("Area", "Datasets", "Update"), ("Region", "Participants", "Events")]

AZ_REGIONS = ["Bakı", "Gəncə", "Sumqayıt", "Mingəçevir", "Şəki", "Lənkəran", "Quba", "Şamaxı",
              "Naxçıvan", "Qəbələ", "Şirvan", "Xaçmaz"]
EN_REGIONS = ["Baku", "Ganja", "Sumgayit", "Mingachevir", "Shaki", "Lankaran", "Guba", "Shamakhi",
              "Nakhchivan", "Gabala", "Shirvan", "Khachmaz"]


def w(word):
    return word.replace("_", " ")


def slugify_az(text):
    """govsite's slug rule (src/slug.rs): Turkic lowercase, ə→e ı→i ö→o ü→u ğ→g ş→s ç→c."""
    table = {"ə": "e", "ı": "i", "ö": "o", "ü": "u", "ğ": "g", "ş": "s", "ç": "c"}
    out, dash = [], False
    for ch in text.replace("I", "ı").replace("İ", "i").lower():
        ch = table.get(ch, ch)
        if ("a" <= ch <= "z") or ("0" <= ch <= "9") or ch == "_":
            if dash and out:
                out.append("-")
            dash = False
            out.append(ch)
        else:
            dash = True
    return "".join(out)


def cap(text):
    if text.startswith("i"):  # Azerbaijani dotted capital İ
        return "İ" + text[1:]
    return text[:1].upper() + text[1:]


def toml_str(text):
    return json.dumps(text, ensure_ascii=False)


class Lang:
    def __init__(self, code):
        self.code = code
        if code == "az":
            self.nouns, self.adj, self.verbs, self.conn = AZ_NOUNS, AZ_ADJ, AZ_VERBS, AZ_CONNECT
            self.post, self.months, self.headings = AZ_POSTP, AZ_MONTHS, AZ_HEADINGS
            self.table_heads, self.regions = AZ_TABLE_HEAD, AZ_REGIONS
        else:
            self.nouns, self.adj, self.verbs, self.conn = EN_NOUNS, EN_ADJ, EN_VERBS, EN_CONNECT
            self.post, self.months, self.headings = EN_PREP, EN_MONTHS, EN_HEADINGS
            self.table_heads, self.regions = EN_TABLE_HEAD, EN_REGIONS

    def phrase(self, rng):
        if self.code == "az":  # adjective noun noun postposition
            return f"{w(rng.choice(self.adj))} {w(rng.choice(self.nouns))} {w(rng.choice(self.nouns))} {rng.choice(self.post)}"
        return f"{rng.choice(self.post)} the {w(rng.choice(self.adj))} {w(rng.choice(self.nouns))} {w(rng.choice(self.nouns))}"

    def sentence(self, rng):
        """A sentence of ~8-18 words."""
        parts = []
        if self.code == "az":
            parts.append(cap(w(rng.choice(self.adj))))
            for _ in range(rng.randint(2, 5)):
                parts.append(w(rng.choice(self.nouns)))
            if rng.random() < 0.5:
                parts.append(rng.choice(self.post) + ",")
                parts.append(w(rng.choice(self.conn)))
                for _ in range(rng.randint(1, 3)):
                    parts.append(w(rng.choice(self.nouns)))
            if rng.random() < 0.3:
                parts.append(f"{rng.randint(1, 28)} {rng.choice(self.months)} {rng.randint(2015, 2026)}-ci il tarixində")
            parts.append(w(rng.choice(self.verbs)))
        else:
            parts.append("The")
            parts.append(w(rng.choice(self.adj)))
            for _ in range(rng.randint(1, 3)):
                parts.append(w(rng.choice(self.nouns)))
            if rng.random() < 0.5:
                parts.append(rng.choice(self.post))
                parts.append("the")
                parts.append(w(rng.choice(self.nouns)))
                parts.append(w(rng.choice(self.nouns)) + ",")
                parts.append(w(rng.choice(self.conn)))
                parts.append(w(rng.choice(self.adj)))
                parts.append(w(rng.choice(self.nouns)))
            parts.append(w(rng.choice(self.verbs)))
            if rng.random() < 0.3:
                parts.append(f"on {rng.randint(1, 28)} {rng.choice(self.months)} {rng.randint(2015, 2026)}")
            else:
                parts.append(rng.choice(self.post))
                parts.append(w(rng.choice(self.nouns)))
        return " ".join(parts) + "."

    def paragraph(self, rng, sentences):
        return " ".join(self.sentence(rng) for _ in range(sentences))

    def title(self, rng):
        words = [w(rng.choice(self.adj)), w(rng.choice(self.nouns)), w(rng.choice(self.nouns))]
        if self.code == "az":
            words += [rng.choice(self.post), w(rng.choice(self.verbs))]
        else:
            words = [cap(words[0])] + words[1:] + [rng.choice(self.post), w(rng.choice(self.nouns))]
            return " ".join(words)
        return cap(" ".join(words))


def count_words(text):
    return len(text.split())


def body(lang, rng, links, target_words):
    """Markdown body: paragraphs, two or three headings, a bullet list, a numbered list, a table,
    and inline links. `links` is a list of (text, target) already in the side's link syntax."""
    blocks = []
    blocks.append(lang.paragraph(rng, rng.randint(3, 4)))
    heads = rng.sample(lang.headings, 3)
    blocks.append(f"## {heads[0]}")
    blocks.append(lang.paragraph(rng, rng.randint(2, 3)))
    blocks.append("\n".join(f"- {lang.phrase(rng)} {w(rng.choice(lang.nouns))};" for _ in range(rng.randint(3, 6))))
    blocks.append(f"## {heads[1]}")
    th = rng.choice(lang.table_heads)
    rows = [f"| {th[0]} | {th[1]} | {th[2]} |", "|---|---|---|"]
    for _ in range(rng.randint(3, 6)):
        rows.append(f"| {rng.choice(lang.regions)} | {rng.randint(10, 9999)} | {rng.randint(-30, 60)}% |")
    blocks.append(lang.paragraph(rng, 2))
    blocks.append("\n".join(rows))
    link_text = []
    for text, target in links:
        link_text.append(f"[{text}]({target})")
    if lang.code == "az":
        see = "Ətraflı məlumat üçün baxın: " + ", ".join(link_text) + "."
    else:
        see = "For more information see: " + ", ".join(link_text) + "."
    blocks.append(lang.paragraph(rng, 2) + " " + see)
    blocks.append(f"### {heads[2]}")
    blocks.append("\n".join(f"{k}. {lang.sentence(rng)}" for k in range(1, rng.randint(3, 5) + 1)))
    while count_words("\n\n".join(blocks)) < target_words:
        blocks.append(lang.paragraph(rng, rng.randint(2, 4)))
    return "\n\n".join(blocks) + "\n"


def make_items(n, page_section_cap=None):
    """Every item's metadata in both languages; shared by the two generators.

    With `page_section_cap`, a section of undated pages takes at most that many items; the
    rest go to the dated sections."""
    rng = random.Random(SEED)
    shares = [s[6] for s in SECTIONS]
    dated = [i for i, s in enumerate(SECTIONS) if s[3] != "page"]
    counts = [0] * len(SECTIONS)
    langs = {"az": Lang("az"), "en": Lang("en")}
    start = datetime(2015, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=4)))
    span = int((datetime(2026, 11, 1, tzinfo=timezone.utc) - datetime(2015, 1, 1, tzinfo=timezone.utc)).total_seconds())
    items = []
    for i in range(1, n + 1):
        section = rng.choices(range(len(SECTIONS)), weights=shares)[0]
        if page_section_cap is not None and SECTIONS[section][3] == "page" and counts[section] >= page_section_cap:
            section = rng.choices(dated, weights=[shares[i] for i in dated])[0]
        counts[section] += 1
        issued = start + timedelta(seconds=rng.randrange(0, span, 60))
        item = {"i": i, "section": section, "key": f"item-{i:06d}", "issued": issued.isoformat()}
        for code, lang in langs.items():
            title = lang.title(rng)
            slug = slugify_az(title)
            slug = "-".join(slug.split("-")[:5]) + f"-{i}"
            item[code] = {
                "title": title,
                "slug": slug,
                "description": lang.sentence(rng),
                "keywords": sorted({w(rng.choice(lang.nouns)) for _ in range(3)}),
                "summary": lang.sentence(rng),
            }
        items.append(item)
    return items


def section_folder(section, code):
    return SECTIONS[section][0] if code == "az" else SECTIONS[section][1]


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


FOOTER = {
    "az": [("Haqqımızda", "haqqimizda"), ("Tez-tez verilən suallar", "suallar")],
    "en": [("About us", "about"), ("Frequently asked questions", "faq")],
}


def generate(n, out, page_section_cap=None, hugo_build_key="build"):
    items = make_items(n, page_section_cap)
    langs = {"az": Lang("az"), "en": Lang("en")}
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        sys.exit(f"{out} is not empty")
    shutil.copy(REPO / "site.toml", out / "site.toml")
    shutil.copytree(REPO / "themes", out / "themes")
    shutil.copytree(REPO / "i18n", out / "i18n")
    hugo = out / "hugo"

    # ---- sections and home pages, both sides
    for code, lang in langs.items():
        rng = random.Random(f"{SEED}-home-{code}")
        home_title = SITE_NAME[code]
        home_desc = "Dövlət Açıq Məlumat Agentliyinin rəsmi internet saytı" if code == "az" else "Official website of the State Agency for Open Data"
        intro = lang.paragraph(rng, 3) + "\n"
        write(out / "content" / code / "_section.md",
              f"+++\ntitle = {toml_str(home_title)}\ndescription = {toml_str(home_desc)}\n"
              f"translation = \"home\"\ntypes = [\"page\"]\n+++\n{intro}")
        write(hugo / "content" / code / "_index.md",
              f"+++\ntitle = {toml_str(home_title)}\ndescription = {toml_str(home_desc)}\n"
              f"translationKey = \"home\"\n+++\n{intro}")
        menus = "".join(f"[[footer]]\ntitle = {toml_str(t)}\nlink = \"@/{code}/{f}/_section.md\"\n\n" for t, f in FOOTER[code])
        write(out / "content" / code / "_menus.toml", menus.rstrip("\n") + "\n")
        for index, s in enumerate(SECTIONS):
            folder = section_folder(index, code)
            title = s[7] if code == "az" else s[8]
            desc = s[9] if code == "az" else s[10]
            text = lang.paragraph(rng, 2) + "\n"
            govsite_front = (f"+++\ntitle = {toml_str(title)}\ndescription = {toml_str(desc)}\n"
                             f"translation = \"{s[2]}\"\ntypes = [\"{s[3]}\"]\nweight = {s[5]}\n")
            if s[4]:
                govsite_front += "menu = true\n"
            write(out / "content" / code / folder / "_section.md", govsite_front + "+++\n" + text)
            hugo_front = (f"+++\ntitle = {toml_str(title)}\ndescription = {toml_str(desc)}\n"
                          f"translationKey = \"{s[2]}\"\nweight = {s[5]}\n")
            if s[3] == "page":  # govsite writes feeds only for sections of dated types
                hugo_front += "outputs = [\"html\", \"textonly\"]\n"
            if s[4]:
                hugo_front += f"[menu.main]\nweight = {s[5]}\n"
            write(hugo / "content" / code / folder / "_index.md", hugo_front + "+++\n" + text)

    # ---- items
    for item in items:
        s = SECTIONS[item["section"]]
        rng = random.Random(f"{SEED}-item-{item['i']}")
        targets = rng.sample(range(n), min(3, n - 1)) if n > 1 else []
        targets = [t for t in targets if t != item["i"] - 1][:2]
        target_words = rng.randint(300, 600)
        for code, lang in langs.items():
            meta = item[code]
            folder = section_folder(item["section"], code)
            g_links, h_links = [], []
            for t in targets:
                other = items[t]
                of = section_folder(other["section"], code)
                g_links.append((other[code]["title"], f"@/{code}/{of}/{other[code]['slug']}.md"))
                h_links.append((other[code]["title"], f"/{code}/{of}/{other[code]['slug']}/"))
            sec_title = s[7] if code == "az" else s[8]
            g_links.append((sec_title, f"@/{code}/{folder}/_section.md"))
            h_links.append((sec_title, f"/{code}/{folder}/"))
            state = rng.getstate()
            g_body = body(lang, rng, g_links, target_words)
            rng.setstate(state)
            h_body = body(lang, rng, h_links, target_words)
            keywords = ", ".join(toml_str(k) for k in meta["keywords"])
            write(out / "content" / code / folder / f"{meta['slug']}.md",
                  f"+++\ntitle = {toml_str(meta['title'])}\ndescription = {toml_str(meta['description'])}\n"
                  f"keywords = [{keywords}]\ntype = \"{s[3]}\"\nstatus = \"published\"\n"
                  f"translation = \"{item['key']}\"\nissued = {item['issued']}\n"
                  f"summary = {toml_str(meta['summary'])}\n+++\n{g_body}")
            write(hugo / "content" / code / folder / f"{meta['slug']}.md",
                  f"+++\ntitle = {toml_str(meta['title'])}\ndescription = {toml_str(meta['description'])}\n"
                  f"keywords = [{keywords}]\ndoctype = \"{s[3]}\"\n"
                  f"translationKey = \"{item['key']}\"\ndate = {item['issued']}\n"
                  f"summary = {toml_str(meta['summary'])}\n+++\n{h_body}")

    write_hugo_site(hugo, hugo_build_key)
    cap = "" if page_section_cap is None else f", at most {page_section_cap} per section of pages"
    print(f"generated {n} items x 2 languages into {out}{cap}")


# --------------------------------------------------------------------------------------------
# The Hugo side: config, UI strings, static files, layouts comparable to themes/default.

HUGO_CONFIG = f"""baseURL = "https://opendata.gov.az/"
defaultContentLanguage = "az"
defaultContentLanguageInSubdir = true
disableKinds = ["taxonomy", "term"]
paginate = {PAGE_SIZE}
enableRobotsTXT = false
timeZone = "Asia/Baku"

[services.rss]
limit = {FEED_SIZE}

[mediaTypes."application/atom+xml"]
suffixes = ["xml"]

[outputFormats.RSS]
baseName = "rss"

[outputFormats.Atom]
mediaType = "application/atom+xml"
baseName = "atom"
rel = "alternate"
isPlainText = false
noUgly = true

# The text-only twin of every HTML page (govsite writes them under /text/).
[outputFormats.TextOnly]
mediaType = "text/html"
baseName = "index"
path = "text"
isHTML = true
permalinkable = false

[outputs]
home = ["HTML", "TextOnly", "RSS", "Atom"]
section = ["HTML", "TextOnly", "RSS", "Atom"]
page = ["HTML", "TextOnly"]

[params]
email = "info@opendata.gov.az"
phone = "+994 12 555 01 00"

[languages.az]
languageName = "Azərbaycanca"
weight = 1
contentDir = "content/az"
title = "Dövlət Açıq Məlumat Agentliyi"
paginatePath = "sehife"
[languages.az.params]
sitemap_url = "/az/sayt-xeritesi/"
address = "AZ1000, Bakı şəhəri, Nəsimi rayonu, Azadlıq prospekti 45"
rights = "© Dövlət Açıq Məlumat Agentliyi. Materiallardan istinadla istifadə edilə bilər."
coverage = "Azərbaycan Respublikası"
[[languages.az.menus.footer]]
name = "Haqqımızda"
url = "/az/haqqimizda/"
weight = 1
[[languages.az.menus.footer]]
name = "Tez-tez verilən suallar"
url = "/az/suallar/"
weight = 2

[languages.en]
languageName = "English"
weight = 2
contentDir = "content/en"
title = "State Agency for Open Data"
paginatePath = "page"
[languages.en.params]
sitemap_url = "/en/sitemap/"
address = "45 Azadliq Avenue, Nasimi district, Baku AZ1000, Azerbaijan"
rights = "© State Agency for Open Data. Materials may be reused with attribution."
coverage = "Republic of Azerbaijan"
[[languages.en.menus.footer]]
name = "About us"
url = "/en/about/"
weight = 1
[[languages.en.menus.footer]]
name = "Frequently asked questions"
url = "/en/faq/"
weight = 2
"""

# Templates are written twice: the normal version and the text-only twin (output format
# `textonly`), like govsite's /text/… pages. In the strings below `@TEXT@` becomes `false` or
# `true`, `@U(X)@` the URL of page X in the current version, `@ITEM@` the list item partial of
# the version (see `variant`).
def variant(template, text):
    def url(match):
        page = "" if match.group(1) == "." else match.group(1)
        if text:
            return '{{ with %s.OutputFormats.Get "textonly" }}{{ .RelPermalink }}{{ end }}' % page
        return "{{ %s.RelPermalink }}" % page
    def set_url(match):
        page = "" if match.group(1) == "." else match.group(1)
        if text:
            return '{{ with %s.OutputFormats.Get "textonly" }}{{ $url = .RelPermalink }}{{ end }}' % page
        return "{{ $url = %s.RelPermalink }}" % page
    template = re.sub(r"@U\(([^)]*)\)@", url, template)
    template = re.sub(r"@SETURL\(([^)]*)\)@", set_url, template)
    template = template.replace("@ITEM@", "item-text.html" if text else "item.html")
    return template.replace("@TEXT@", "true" if text else "false")


# Dublin Core on every page, as govsite does (RDFa `dcterms:` properties).
DUBLIN_CORE = """<meta property="dcterms:title" content="{{ .Title }}">
<meta property="dcterms:creator" content="{{ site.Title }}">
<meta property="dcterms:subject" content="{{ with .Keywords }}{{ delimit . ", " }}{{ else }}{{ $.Title }}{{ end }}">
<meta property="dcterms:description" content="{{ with .Description }}{{ . }}{{ else }}{{ $.Title }}{{ end }}">
<meta property="dcterms:publisher" content="{{ site.Title }}">
<meta property="dcterms:contributor" content="{{ site.Title }}">
{{ if not .Date.IsZero }}<meta property="dcterms:date" content="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">
{{ end }}<meta property="dcterms:type" content="Text">
<meta property="dcterms:format" content="text/html">
<meta property="dcterms:identifier" content="{{ .Permalink }}">
<meta property="dcterms:source" content="{{ .Permalink }}">
<meta property="dcterms:language" content="{{ site.Language.Lang }}">
<meta property="dcterms:relation" content="{{ site.Home.Permalink }}">
<meta property="dcterms:coverage" content="{{ site.Params.coverage }}">
<meta property="dcterms:rights" content="{{ site.Params.rights }}">
{{ if and .IsPage (not .Date.IsZero) }}<meta property="dcterms:issued" content="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">
{{ end }}"""

BASEOF = """{{ $text := @TEXT@ }}<!DOCTYPE html>
<html lang="{{ site.Language.Lang }}" prefix="dcterms: http://purl.org/dc/terms/">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Title }}{{ end }} — {{ site.Title }}</title>
{{ with .Description }}<meta name="description" content="{{ . }}">
{{ end }}{{ with .Keywords }}<meta name="keywords" content="{{ delimit . ", " }}">
{{ end }}""" + DUBLIN_CORE + """<link rel="canonical" href="{{ .Permalink }}">
{{ range .AllTranslations }}<link rel="alternate" hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">
{{ end }}<link rel="alternate" type="application/atom+xml" title="{{ site.Title }} — {{ i18n "feed_atom" }}" href="{{ site.Home.RelPermalink }}atom.xml">
<link rel="alternate" type="application/rss+xml" title="{{ site.Title }} — {{ i18n "feed_rss" }}" href="{{ site.Home.RelPermalink }}rss.xml">
{{ if and .IsSection (.OutputFormats.Get "atom") }}{{ with .OutputFormats.Get "atom" }}<link rel="alternate" type="application/atom+xml" title="{{ $.Title }} — {{ i18n "feed_atom" }}" href="{{ .RelPermalink }}">
{{ end }}{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" title="{{ $.Title }} — {{ i18n "feed_rss" }}" href="{{ .RelPermalink }}">
{{ end }}{{ end }}{{ if $text }}<link rel="stylesheet" href="/static/css/text.css">
{{ else }}<link rel="stylesheet" href="/static/css/base.css">
<link rel="stylesheet" href="/static/css/layout.css">
<link rel="stylesheet" href="/static/css/navigation.css">
<link rel="stylesheet" href="/static/css/content.css">
<link rel="stylesheet" href="/static/css/print.css" media="print">
{{ end }}
</head>
<body>
<a class="skip-link" href="#content">{{ i18n "skip_to_content" }}</a>
<header class="site-header">
  <div class="wrap header-row">
    <a class="identity" href="@U(site.Home)@">
      {{ if $text }}<span class="alt">[{{ i18n "state_flag_alt" }}]</span>{{ else }}<img class="flag" src="/static/img/flag-az.svg" alt="{{ i18n "state_flag_alt" }}" width="48" height="24">{{ end }}
      <span class="site-name">{{ site.Title }}</span>
    </a>
    <nav class="language-switch" aria-label="{{ i18n "language_switch" }}">
      <ul>
      {{ $page := . }}{{ range site.Languages }}{{ $lang := .Lang }}<li>{{ if eq $lang site.Language.Lang }}<span aria-current="true" lang="{{ $lang }}">{{ .LanguageName }}</span>{{ else }}{{ $url := printf "/%s/" $lang }}{{ range $page.Translations }}{{ if eq .Language.Lang $lang }}@SETURL(.)@{{ end }}{{ end }}<a href="{{ $url }}" hreflang="{{ $lang }}" lang="{{ $lang }}">{{ .LanguageName }}</a>{{ end }}</li>
      {{ end }}<li class="version-switch">{{ if $text }}<a href="{{ .RelPermalink }}">{{ i18n "normal_version" }}</a>{{ else }}<a href="{{ with .OutputFormats.Get "textonly" }}{{ .RelPermalink }}{{ end }}">{{ i18n "text_version" }}</a>{{ end }}</li>
      </ul>
    </nav>
  </div>
  <nav class="main-menu" aria-label="{{ i18n "main_menu" }}">
    <ul class="wrap">
    {{ range site.Menus.main }}<li><a href="@U(.Page)@">{{ .Name }}</a></li>
    {{ end }}</ul>
  </nav>
</header>
{{ if not .IsHome }}<nav class="breadcrumbs wrap" aria-label="{{ i18n "breadcrumbs" }}">
  <ol>
  {{ range .Ancestors.Reverse }}<li><a href="@U(.)@">{{ .Title }}</a></li>
  {{ end }}<li><span aria-current="page">{{ .Title }}</span></li>
  </ol>
</nav>{{ end }}
<main id="content" class="wrap">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer">
  <div class="wrap footer-grid">
    <nav aria-label="{{ i18n "footer_links" }}">
      <h2>{{ i18n "footer_links" }}</h2>
      <ul>
      {{ range site.Menus.main }}<li><a href="@U(.Page)@">{{ .Name }}</a></li>
      {{ end }}{{ range site.Menus.footer }}<li><a href="{{ printf "%s%s" (cond $text "/text" "") .URL }}">{{ .Name }}</a></li>
      {{ end }}<li><a href="{{ printf "%s%s" (cond $text "/text" "") site.Params.sitemap_url }}">{{ i18n "sitemap" }}</a></li>
      </ul>
    </nav>
    <div>
      <h2>{{ i18n "contacts" }}</h2>
      <p>{{ i18n "address" }}: {{ site.Params.address }}<br>
      {{ i18n "phone" }}: <a href="tel:{{ replace site.Params.phone " " "" }}">{{ site.Params.phone }}</a><br>
      {{ i18n "email" }}: <a href="mailto:{{ site.Params.email }}">{{ site.Params.email }}</a></p>
      <p>{{ i18n "feeds" }}: <a href="{{ site.Home.RelPermalink }}atom.xml">{{ i18n "feed_atom" }}</a>, <a href="{{ site.Home.RelPermalink }}rss.xml">{{ i18n "feed_rss" }}</a></p>
    </div>
  </div>
  <p class="wrap copyright">© {{ site.Title }}. {{ i18n "copyright" }}</p>
</footer>
</body>
</html>
"""

ITEM = """<li class="item">
  <h3><a href="@U(.)@">{{ .Title }}</a></h3>
  {{ if ne .Params.doctype "page" }}<p class="meta"><span class="type">{{ i18n (printf "type_%s" .Params.doctype) }}</span> · <time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "02.01.2006" }}</time></p>{{ end }}
  {{ with .Params.summary }}<p>{{ . }}</p>{{ end }}
</li>
"""

# A section's items in list order: dated types newest first, pages by weight and title.
LISTED = """{{ $pages := .RegularPages.ByWeight }}{{ with .RegularPages }}{{ if ne (index . 0).Params.doctype "page" }}{{ $pages = $.RegularPages.ByDate.Reverse }}{{ end }}{{ end }}{{ return $pages }}
"""

PAGER = """{{ $p := .Paginator }}{{ if gt $p.TotalPages 1 }}<nav class="pager" aria-label="{{ i18n "pagination" }}">
  <p>{{ i18n "pagination" }} {{ $p.PageNumber }} / {{ $p.TotalPages }}</p>
  <ul>
  {{ if $p.HasPrev }}<li><a href="{{ $p.Prev.URL }}" rel="prev">{{ i18n "previous" }}</a></li>{{ end }}
  {{ range $p.Pagers }}<li>{{ if eq . $p }}<span aria-current="page">{{ .PageNumber }}</span>{{ else }}<a href="{{ .URL }}">{{ .PageNumber }}</a>{{ end }}</li>
  {{ end }}{{ if $p.HasNext }}<li><a href="{{ $p.Next.URL }}" rel="next">{{ i18n "next" }}</a></li>{{ end }}
  </ul>
</nav>{{ end }}
"""

# In the text-only twin, links in the body point to the twins (govsite rewrites them too).
CONTENT = """{{ if @TEXT@ }}{{ replace (replace .Content "href=\\"/az/" "href=\\"/az/text/") "href=\\"/en/" "href=\\"/en/text/" | safeHTML }}{{ else }}{{ .Content }}{{ end }}"""

# The second-level menu of govsite's page.html (D189 §7.4): on pages of undated sections of at
# most SECTION_MENU_PAGES pages (src/render/view.rs), every page of the section.
SECTION_MENU = """{{ if eq .Params.doctype "page" }}{{ $current := . }}{{ with .Parent }}{{ $siblings := partialCached "listed.html" . .RelPermalink }}{{ if and (gt (len $siblings) 1) (le (len $siblings) 30) }}<nav class="section-menu" aria-label="{{ i18n "section_menu" }}">
  <h2>{{ i18n "section_menu" }}: <a href="@U(.)@">{{ .Title }}</a></h2>
  <ul>
  {{ range $siblings }}<li>{{ if eq . $current }}<span aria-current="page">{{ .Title }}</span>{{ else }}<a href="@U(.)@">{{ .Title }}</a>{{ end }}</li>
  {{ end }}</ul>
</nav>{{ end }}{{ end }}{{ end }}
"""

SINGLE = """{{ define "main" }}{{ $text := @TEXT@ }}<article class="page">
  <h1>{{ .Title }}</h1>
  <p class="meta">
    {{ i18n "published" }}: <time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "02.01.2006" }}</time>
  </p>
  <div class="body">
""" + CONTENT + """
  </div>
</article>
""" + SECTION_MENU + """{{ end }}
"""

LIST = """{{ define "title" }}{{ $p := .Paginate (partialCached "listed.html" . .RelPermalink) }}{{ .Title }}{{ if gt $p.PageNumber 1 }} — {{ i18n "pagination" }} {{ $p.PageNumber }} / {{ $p.TotalPages }}{{ end }}{{ end }}{{ define "main" }}{{ $text := @TEXT@ }}<h1>{{ .Title }}</h1>
{{ with .Content }}<div class="intro">
{{ . }}
</div>{{ end }}
{{ with .Sections }}<nav class="subsections" aria-label="{{ i18n "subsections" }}">
  <h2>{{ i18n "subsections" }}</h2>
  <ul>
  {{ range . }}<li><a href="@U(.)@">{{ .Title }}</a></li>
  {{ end }}</ul>
</nav>{{ end }}
{{ $paginator := .Paginate (partialCached "listed.html" . .RelPermalink) }}{{ with $paginator.Pages }}<ul class="items">
{{ range . }}{{ partial "@ITEM@" . }}{{ end }}</ul>
{{ else }}<p>{{ i18n "no_items" }}</p>
{{ end }}
{{ partial "pager.html" . }}
{{ end }}
"""

HOME = """{{ define "main" }}{{ $text := @TEXT@ }}<h1>{{ .Title }}</h1>
{{ with .Content }}<div class="intro">
{{ . }}
</div>{{ end }}
{{ $latest := first 6 (where site.RegularPages "Params.doctype" "ne" "page").ByDate.Reverse }}{{ with $latest }}<section class="latest">
  <h2>{{ i18n "latest" }}</h2>
  <ul class="items">
  {{ range . }}{{ partial "@ITEM@" . }}{{ end }}</ul>
</section>{{ end }}
{{ with .Sections.ByWeight }}<nav class="subsections" aria-label="{{ i18n "subsections" }}">
  <h2>{{ i18n "subsections" }}</h2>
  <ul>
  {{ range . }}<li><a href="@U(.)@">{{ .Title }}</a></li>
  {{ end }}</ul>
</nav>{{ end }}
{{ end }}
"""

# The HTML site map: every section with its pages, like govsite's sitemap.html (D189 §4.9.3).
SITEMAP_HTML = """{{ define "main" }}{{ $text := @TEXT@ }}<h1>{{ .Title }}</h1>
<ul class="sitemap">
<li><a href="@U(site.Home)@">{{ site.Home.Title }}</a>
<ul>
{{ range site.Home.Sections.ByWeight }}<li><a href="@U(.)@">{{ .Title }}</a>
<ul>
{{ range partialCached "listed.html" . .RelPermalink }}<li><a href="@U(.)@">{{ .Title }}</a></li>
{{ end }}</ul></li>
{{ end }}</ul></li>
</ul>
{{ end }}
"""

ERROR = """{{ define "main" }}<h1>{{ i18n (printf "error_%v_title" .Params.status) }}</h1>
<p>{{ i18n (printf "error_%v_text" .Params.status) }}</p>
<ul class="next-steps">
<li><a href="{{ site.Home.RelPermalink }}">{{ i18n "back_home" }}</a></li>
<li><a href="{{ site.Params.sitemap_url }}">{{ i18n "sitemap" }}</a></li>
<li><a href="mailto:{{ site.Params.email }}">{{ site.Params.email }}</a></li>
</ul>
<p class="error-code">{{ i18n "error_code" }}: {{ .Params.status }}</p>
{{ end }}
"""

NOT_FOUND = ERROR.replace("{{ i18n (printf \"error_%v_title\" .Params.status) }}", "{{ i18n \"error_404_title\" }}").replace(
    "{{ i18n (printf \"error_%v_text\" .Params.status) }}", "{{ i18n \"error_404_text\" }}").replace("{{ .Params.status }}", "404")

# The feeds list dated items only, newest first, at most FEED_SIZE, with the summary: like
# govsite's (src/render/feeds.rs). Home feeds: the newest dated items of the language.
FEED_PAGES = """{{ $pages := where .RegularPages "Params.doctype" "ne" "page" }}{{ if .IsHome }}{{ $pages = where site.RegularPages "Params.doctype" "ne" "page" }}{{ end }}{{ $pages = first site.Config.Services.RSS.Limit $pages.ByDate.Reverse }}"""

RSS = FEED_PAGES + """{{ printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} — {{ site.Title }}{{ end }}</title>
<link>{{ .Permalink }}</link>
<description>{{ .Title }}</description>
<language>{{ site.Language.Lang }}</language>
{{ with .OutputFormats.Get "rss" }}<atom:link href="{{ .Permalink }}" rel="self" type="application/rss+xml"/>{{ end }}
{{ range $pages }}<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<guid>{{ .Permalink }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<description>{{ .Params.summary }}</description>
</item>
{{ end }}</channel>
</rss>
"""

ATOM = FEED_PAGES + """{{ printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{{ site.Language.Lang }}">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} — {{ site.Title }}{{ end }}</title>
<id>{{ .Permalink }}</id>
<link href="{{ .Permalink }}"/>
{{ with .OutputFormats.Get "atom" }}<link rel="self" href="{{ .Permalink }}"/>{{ end }}
<updated>{{ (index $pages 0).Date.Format "2006-01-02T15:04:05-07:00" | safeHTML }}</updated>
{{ range $pages }}<entry>
<title>{{ .Title }}</title>
<link href="{{ .Permalink }}"/>
<id>{{ .Permalink }}</id>
<published>{{ .Date.Format "2006-01-02T15:04:05-07:00" | safeHTML }}</published>
<updated>{{ .Date.Format "2006-01-02T15:04:05-07:00" | safeHTML }}</updated>
<summary>{{ .Params.summary }}</summary>
</entry>
{{ end }}</feed>
"""


def write_hugo_special_pages(hugo, build_key):
    """The HTML site map and error pages of each language, outside lists, feeds and sitemap.xml
    (`[build] list = "never"`; Hugo before 0.145 spells the table `_build`)."""
    assert build_key in ("build", "_build"), build_key
    for code, sitemap_slug, sitemap_title in (("az", "sayt-xeritesi", "Saytın xəritəsi"), ("en", "sitemap", "Site map")):
        write(hugo / "content" / code / f"{sitemap_slug}.md",
              f"+++\ntitle = \"{sitemap_title}\"\nlayout = \"sitemaphtml\"\ntranslationKey = \"sitemap\"\n"
              f"doctype = \"page\"\n[{build_key}]\nlist = \"never\"\n+++\n")
        for status in (401, 403, 500):
            write(hugo / "content" / code / f"error-{status}.md",
                  f"+++\ntitle = \"{status}\"\nlayout = \"error\"\nurl = \"/{code}/{status}.html\"\nstatus = {status}\n"
                  f"doctype = \"page\"\noutputs = [\"html\"]\n[{build_key}]\nlist = \"never\"\n+++\n")


def write_hugo_site(hugo, build_key="build"):
    write(hugo / "config.toml", HUGO_CONFIG)
    layouts = hugo / "layouts"
    for text, suffix in ((False, ""), (True, ".textonly")):
        write(layouts / "_default" / f"baseof{suffix}.html", variant(BASEOF, text))
        write(layouts / "_default" / f"single{suffix}.html", variant(SINGLE, text))
        write(layouts / "_default" / f"list{suffix}.html", variant(LIST, text))
        write(layouts / f"index{suffix}.html", variant(HOME, text))
        write(layouts / "_default" / f"sitemaphtml{suffix}.html", variant(SITEMAP_HTML, text))
        write(layouts / "partials" / ("item-text.html" if text else "item.html"), variant(ITEM, text))
    write(layouts / "_default" / "error.html", ERROR)
    write(layouts / "404.html", NOT_FOUND)
    write(layouts / "partials" / "pager.html", PAGER)
    write(layouts / "partials" / "listed.html", LISTED)
    write(layouts / "_default" / "rss.xml", RSS)
    write(layouts / "_default" / "list.atom.xml", ATOM)
    # The same UI strings as govsite (flat `key = "value"` tables are valid Hugo i18n files).
    shutil.copytree(REPO / "i18n", hugo / "i18n")
    # Theme assets at the same URLs as govsite's (/static/css/base.css ...).
    shutil.copytree(REPO / "themes" / "default" / "static", hugo / "static" / "static")
    # Error pages and the HTML site map of each language, outside lists, feeds and sitemap.xml.
    write_hugo_special_pages(hugo, build_key)


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--set-hugo-build-key":
        if args[1] not in ("build", "_build") or not (Path(args[2]) / "hugo" / "content").is_dir():
            sys.exit(__doc__)
        write_hugo_special_pages(Path(args[2]) / "hugo", args[1])
        return
    cap = None
    build_key = "build"
    while len(args) > 2:
        if args[0] == "--page-section-cap" and args[1].isdigit():
            cap = int(args[1])
        elif args[0] == "--hugo-build-key" and args[1] in ("build", "_build"):
            build_key = args[1]
        else:
            sys.exit(__doc__)
        args = args[2:]
    if len(args) != 2 or not args[0].isdigit():
        sys.exit(__doc__)
    generate(int(args[0]), Path(args[1]), cap, build_key)


if __name__ == "__main__":
    main()
