#!/usr/bin/env python3
"""Generate the files attached to the demo site's document pages (PDF, DOCX, XLSX).

The demo site in `content/` describes a fictional body, the State Agency for Open Data
(opendata.gov.az). Its document pages list attached files in their front matter
(`files = [...]`); this script writes those files beside the pages:

    content/az/senedler/      Azerbaijani versions (illik-hesabat-2025.pdf, ...)
    content/en/documents/     English versions (annual-report-2025.pdf, ...)

Every file holds real (fictional) text or tables, not placeholders, and stays below 60 KB.
All names, numbers and acts in them are invented.

Requirements:
    pip install reportlab python-docx openpyxl
    apt-get install -y fonts-dejavu-core   # DejaVuSans has all Azerbaijani letters (ə ğ ı ö ü ş ç)

Usage:
    python3 tools/make_demo_files.py [--content PATH] [--font-dir PATH]

The output is deterministic: reportlab runs in invariant mode and DOCX/XLSX archives are
rewritten with fixed timestamps, so running the script again leaves the files unchanged.
The script is the only source of these files; edit the data below and re-run it rather
than editing the generated files.
"""

import argparse
import datetime as dt
import io
import os
import re
import sys
import zipfile
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer,
                                Table, TableStyle)

import docx
from docx.shared import Pt
import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

rl_config.invariant = 1  # no creation date or random document id in PDFs

MAX_SIZE = 60 * 1024
AGENCY = {"az": "Dövlət Açıq Məlumat Agentliyi", "en": "State Agency for Open Data"}
FOOTER = "opendata.gov.az · +994 12 555 01 00 · info@opendata.gov.az"
FOLDER = {"az": "az/senedler", "en": "en/documents"}


# ---------------------------------------------------------------------------------------
# Document model shared by the PDF and DOCX writers: a list of (kind, payload) blocks.
#   ("h1", text) ("h2", text) ("p", text) ("ul", [items]) ("ol", [items])
#   ("table", [header, row, ...]) ("sign", text)
# ---------------------------------------------------------------------------------------

def annual_report(lang):
    if lang == "az":
        return "2025-ci il üzrə illik fəaliyyət hesabatı", [
            ("h1", "Dövlət Açıq Məlumat Agentliyinin 2025-ci il üzrə illik fəaliyyət hesabatı"),
            ("p", "Bakı, fevral 2026-cı il"),
            ("h2", "Giriş"),
            ("p", "2025-ci il açıq məlumatların inkişafına dair 2025–2027-ci illər üçün Dövlət Proqramının "
                  "birinci ili olmuşdur. İl ərzində Açıq Məlumat Portalında 354 yeni məlumat dəsti dərc "
                  "edilmiş, dəstlərin ümumi sayı 1 214-ə çatmışdır. Portala 9 yeni dövlət orqanı qoşulmuş, "
                  "API xidməti istifadəyə verilmişdir."),
            ("h2", "1. Dövlət Proqramının icrası"),
            ("table", [["İstiqamət", "2025-ci il üçün tədbirlər", "İcra olunub", "Davam edir"],
                       ["Açıq məlumatların həcminin artırılması", "6", "5", "1"],
                       ["Məlumatların keyfiyyəti və aktuallığı", "4", "3", "1"],
                       ["Texnoloji infrastrukturun inkişafı", "4", "4", "0"],
                       ["İstifadənin təşviqi", "5", "5", "0"],
                       ["Cəmi", "19", "17", "2"]]),
            ("h2", "2. Açıq Məlumat Portalı və API xidməti"),
            ("p", "İyul ayında istifadəyə verilən API xidməti vasitəsilə dekabr ayında 1,4 milyon sorğu "
                  "daxil olmuşdur. Portalın orta aylıq istifadəçilərinin sayı 164 min nəfər olmuşdur "
                  "(2024-cü ildə 132 min). Portalın illik əlçatanlığı 99,91% təşkil etmişdir."),
            ("h2", "3. Dövlət orqanları ilə əməkdaşlıq"),
            ("p", "Məcburi dərc olunmalı dəstlərin 87 faizi qrafikdə nəzərdə tutulmuş müddətdə dərc "
                  "edilmişdir. Gecikmələrin əsas səbəbləri məlumatların hazırlanması üçün texniki "
                  "imkanların məhdudluğu və metaməlumatların natamam doldurulmasıdır."),
            ("h2", "4. Maarifləndirmə və beynəlxalq əməkdaşlıq"),
            ("ul", ["24 seminar və təlim keçirilmiş, onlarda 860 nəfər iştirak etmişdir;",
                    "ilk \"Açıq Məlumat Hakatonu\"nda 34 komanda iştirak etmişdir;",
                    "\"Bakı Açıq Məlumat Forumu\"nda 12 ölkədən 200-dən çox nümayəndə iştirak etmişdir;",
                    "iki xarici qurumla anlaşma memorandumu imzalanmışdır."]),
            ("h2", "5. Vətəndaş müraciətləri"),
            ("table", [["Müraciətin növü", "Sayı", "Payı"],
                       ["Məlumat dəstinə dair sorğu", "612", "41,2%"],
                       ["API və texniki məsələlər", "398", "26,8%"],
                       ["Təklif", "271", "18,2%"],
                       ["Şikayət", "86", "5,8%"],
                       ["Digər", "120", "8,0%"],
                       ["Cəmi", "1 487", "100%"]]),
            ("h2", "6. Büdcənin icrası"),
            ("p", "2025-ci il üçün Agentliyə 5 000,0 min manat vəsait ayrılmış, faktiki xərclər 4 812,6 min "
                  "manat (96,3%) təşkil etmişdir. Ətraflı məlumat hesabatın rəqəmsal əlavəsində verilir."),
            ("h2", "Nəticə"),
            ("p", "2026-cı ildə Agentlik portalın 3.0 versiyasını istifadəyə verməyi, dövlət orqanlarının "
                  "məlumat keyfiyyəti reytinqini ilk dəfə dərc etməyi və dəstlərin sayını 1 500-ə "
                  "çatdırmağı qarşısına məqsəd qoyur."),
        ]
    return "Annual activity report for 2025", [
        ("h1", "State Agency for Open Data: annual activity report for 2025"),
        ("p", "Baku, February 2026"),
        ("h2", "Introduction"),
        ("p", "2025 was the first year of the State Programme for the Development of Open Data for "
              "2025–2027. During the year 354 new datasets were published on the Open Data Portal, "
              "bringing the total to 1,214. Nine more state bodies joined the portal, and the API "
              "service was launched."),
        ("h2", "1. Implementation of the State Programme"),
        ("table", [["Area", "Measures for 2025", "Completed", "Ongoing"],
                   ["Increasing the volume of open data", "6", "5", "1"],
                   ["Quality and timeliness of data", "4", "3", "1"],
                   ["Technology infrastructure", "4", "4", "0"],
                   ["Promoting use", "5", "5", "0"],
                   ["Total", "19", "17", "2"]]),
        ("h2", "2. The Open Data Portal and the API service"),
        ("p", "The API service launched in July received 1.4 million requests in December. The portal "
              "had 164,000 users a month on average (132,000 in 2024). The portal's availability over "
              "the year was 99.91%."),
        ("h2", "3. Cooperation with state bodies"),
        ("p", "87 per cent of the mandatory datasets were published within the deadlines in the "
              "schedules. The main reasons for delays were limited technical capacity to prepare data "
              "and incomplete metadata."),
        ("h2", "4. Awareness-raising and international cooperation"),
        ("ul", ["24 seminars and training courses were held, attended by 860 people;",
                "34 teams took part in the first Open Data Hackathon;",
                "more than 200 delegates from 12 countries attended the Baku Open Data Forum;",
                "memorandums of understanding were signed with two foreign institutions."]),
        ("h2", "5. Citizens' appeals"),
        ("table", [["Type of appeal", "Number", "Share"],
                   ["Dataset request", "612", "41.2%"],
                   ["API and technical questions", "398", "26.8%"],
                   ["Proposal", "271", "18.2%"],
                   ["Complaint", "86", "5.8%"],
                   ["Other", "120", "8.0%"],
                   ["Total", "1,487", "100%"]]),
        ("h2", "6. Budget execution"),
        ("p", "The Agency was allocated 5,000.0 thousand manat for 2025; actual expenditure was 4,812.6 "
              "thousand manat (96.3%). Details are given in the data annex of the report."),
        ("h2", "Conclusion"),
        ("p", "In 2026 the Agency aims to launch version 3.0 of the portal, to publish the data quality "
              "ranking of state bodies for the first time and to bring the number of datasets to 1,500."),
    ]


def action_plan(lang):
    if lang == "az":
        rows = [["№", "Tədbir", "Məsul bölmə", "Müddət"],
                ["1.1", "Məcburi dəstlərin siyahısının 2027-ci il üçün layihəsinin hazırlanması", "Siyasət şöbəsi", "IV rüb"],
                ["1.2", "Əsasnaməyə dəstlərin yenilənmə qaydalarına dair dəyişikliklərin hazırlanması", "Hüquq şöbəsi", "III rüb"],
                ["2.1", "Büdcə icrasına dair aylıq dəstlərin dərci", "Siyasət şöbəsi", "II rüb"],
                ["2.2", "Kənd təsərrüfatı üzrə dəstlərin genişləndirilməsi", "Siyasət şöbəsi", "I rüb"],
                ["2.3", "Geoməkan məlumat dəstlərinin dərci", "Standartlar şöbəsi", "IV rüb"],
                ["3.1", "Dövlət orqanlarının məlumat keyfiyyəti reytinqinin dərci", "Standartlar şöbəsi", "II rüb"],
                ["3.2", "Yenilənmə müddətlərinə avtomatik nəzarət sisteminin tətbiqi", "Texnoloji şöbə", "III rüb"],
                ["4.1", "Portalın 3.0 versiyasının istifadəyə verilməsi", "Texnoloji şöbə", "III rüb"],
                ["4.2", "Portalın mobil tətbiqinin hazırlanması", "Texnoloji şöbə", "II rüb"],
                ["5.1", "Regionlarda ən azı 10 seminarın keçirilməsi", "İctimaiyyətlə əlaqələr şöbəsi", "il ərzində"],
                ["5.2", "\"Açıq Məlumat Hakatonu 2026\"-nın təşkili", "İctimaiyyətlə əlaqələr şöbəsi", "III rüb"],
                ["5.3", "Məktəblilər üçün maarifləndirici dərslər", "İctimaiyyətlə əlaqələr şöbəsi", "IV rüb"],
                ["6.1", "Universitetlərlə anlaşma memorandumunun imzalanması", "Hüquq şöbəsi", "III rüb"],
                ["6.2", "Regional ekspert görüşünün təşkili", "Hüquq şöbəsi", "III rüb"]]
        return "2026-cı il üçün fəaliyyət planı", [
            ("h1", "Dövlət Açıq Məlumat Agentliyinin 2026-cı il üçün fəaliyyət planı"),
            ("p", "Agentliyin kollegiyasının 15 yanvar 2026-cı il tarixli iclasında təsdiq edilib."),
            ("h2", "Ümumi müddəalar"),
            ("p", "Plan açıq məlumatların inkişafına dair 2025–2027-ci illər üçün Dövlət Proqramının ikinci "
                  "ilinin tədbirlərini konkretləşdirir və 6 istiqamət üzrə 42 tədbirdən ibarətdir. Aşağıda "
                  "əsas tədbirlər göstərilir; tam siyahı Agentliyin daxili sənədlərində saxlanılır."),
            ("h2", "Əsas tədbirlər"),
            ("table", rows),
            ("h2", "Hesabatlılıq"),
            ("p", "Məsul bölmələr hər rübün sonunda tədbirlərin icrası barədə Aparata məlumat təqdim edir. "
                  "Ümumiləşdirilmiş məlumat kollegiyada müzakirə olunur və illik hesabata daxil edilir."),
        ]
    rows = [["No.", "Measure", "Responsible unit", "Deadline"],
            ["1.1", "Draft the list of mandatory datasets for 2027", "Policy Department", "Q4"],
            ["1.2", "Draft amendments to the Regulation on the rules for updating datasets", "Legal Department", "Q3"],
            ["2.1", "Publish monthly datasets on budget execution", "Policy Department", "Q2"],
            ["2.2", "Extend the datasets on agriculture", "Policy Department", "Q1"],
            ["2.3", "Publish geospatial datasets", "Standards Department", "Q4"],
            ["3.1", "Publish the data quality ranking of state bodies", "Standards Department", "Q2"],
            ["3.2", "Introduce automatic monitoring of update deadlines", "Technology Department", "Q3"],
            ["4.1", "Launch version 3.0 of the portal", "Technology Department", "Q3"],
            ["4.2", "Develop the portal's mobile app", "Technology Department", "Q2"],
            ["5.1", "Hold at least 10 seminars in the regions", "Public Relations Department", "during the year"],
            ["5.2", "Organise the Open Data Hackathon 2026", "Public Relations Department", "Q3"],
            ["5.3", "Awareness lessons for schoolchildren", "Public Relations Department", "Q4"],
            ["6.1", "Sign a memorandum of understanding with universities", "Legal Department", "Q3"],
            ["6.2", "Organise a regional expert meeting", "Legal Department", "Q3"]]
    return "Action plan for 2026", [
        ("h1", "State Agency for Open Data: action plan for 2026"),
        ("p", "Approved at the meeting of the Agency's board on 15 January 2026."),
        ("h2", "General provisions"),
        ("p", "The plan sets out in detail the measures for the second year of the State Programme for "
              "the Development of Open Data for 2025–2027 and consists of 42 measures in 6 areas. The main "
              "measures are shown below; the full list is kept in the Agency's internal records."),
        ("h2", "Main measures"),
        ("table", rows),
        ("h2", "Reporting"),
        ("p", "At the end of each quarter the responsible units report on the measures to the Chief of "
              "Staff. The summary is discussed by the board and included in the annual report."),
    ]


DC_FIELDS = {
    "az": [("title", "Dəstin adı"), ("creator", "Məlumatın yaradıcısı"), ("subject", "Açar sözlər"),
           ("description", "Təsvir"), ("publisher", "Dəsti təqdim edən orqan"),
           ("contributor", "İştirakçı"), ("date", "Dərc tarixi"), ("type", "Növ"),
           ("format", "Format"), ("identifier", "İdentifikator"), ("source", "Mənbə"),
           ("language", "Dil"), ("relation", "Əlaqəli dəstlər"), ("coverage", "Əhatə dövrü və ərazi"),
           ("rights", "Lisenziya")],
    "en": [("title", "Dataset title"), ("creator", "Creator of the data"), ("subject", "Keywords"),
           ("description", "Description"), ("publisher", "Providing body"),
           ("contributor", "Contributor"), ("date", "Date of publication"), ("type", "Type"),
           ("format", "Format"), ("identifier", "Identifier"), ("source", "Source"),
           ("language", "Language"), ("relation", "Related datasets"), ("coverage", "Period and area covered"),
           ("rights", "Licence")],
}


def standard(lang):
    if lang == "az":
        fields = [["№", "Sahə", "Dublin Core elementi"]] + [
            [str(i + 1), label, el] for i, (el, label) in enumerate(DC_FIELDS["az"])]
        return "Açıq məlumatların dərci standartı", [
            ("h1", "Açıq məlumatların dərci standartı"),
            ("p", "Dövlət Açıq Məlumat Agentliyinin direktorunun 18 mart 2024-cü il tarixli 27 nömrəli "
                  "əmri ilə təsdiq edilib."),
            ("h2", "1. Ümumi müddəalar"),
            ("p", "1.1. Standart Açıq Məlumat Portalında dərc olunan məlumat dəstlərinin formatına, "
                  "strukturuna, metaməlumatlarına və keyfiyyətinə dair tələbləri müəyyən edir. "
                  "1.2. Standart bütün dövlət orqanlarına, bələdiyyələrə və publik hüquqi şəxslərə şamil edilir."),
            ("h2", "2. Formatlar"),
            ("ul", ["cədvəl məlumatları — CSV, UTF-8 kodlaşdırması, ayırıcı kimi vergül;",
                    "iyerarxik məlumatlar — JSON və ya XML;",
                    "geoməkan məlumatları — GeoJSON (WGS 84 koordinat sistemi);",
                    "XLSX formatı yalnız CSV ilə birlikdə əlavə format kimi istifadə oluna bilər."]),
            ("h2", "3. Struktur tələbləri"),
            ("ol", ["birinci sətirdə sütun adları verilir, sütun adları təkrarlanmır;",
                    "hər sütunda yalnız bir növ məlumat olur;",
                    "tarixlər İL-AY-GÜN (ISO 8601) formatında yazılır;",
                    "onluq kəsrlərdə ayırıcı kimi nöqtə istifadə olunur;",
                    "birləşdirilmiş xanalara, şərhlərə və formatlaşdırmaya yol verilmir."]),
            ("h2", "4. Metaməlumatlar"),
            ("p", "Hər bir dəst üçün aşağıdakı 15 sahə məcburi doldurulur. Bundan əlavə, yenilənmə tezliyi "
                  "və növbəti yenilənmə tarixi göstərilir."),
            ("table", fields),
            ("h2", "5. Keyfiyyət meyarları"),
            ("table", [["Meyar", "Maksimal bal"], ["Tamlıq", "20"], ["Dəqiqlik", "20"], ["Aktuallıq", "20"],
                       ["Maşınla oxunma", "20"], ["Metaməlumatların tamlığı", "20"]]),
            ("h2", "6. Fərdi məlumatların qorunması"),
            ("p", "Dəstlərdə fiziki şəxsləri birbaşa və ya dolayı yolla müəyyənləşdirməyə imkan verən "
                  "məlumatların olması yolverilməzdir. 5 nəfərdən az olan qruplar üzrə statistik "
                  "göstəricilər ümumiləşdirilməli və ya gizlədilməlidir."),
        ]
    fields = [["No.", "Field", "Dublin Core element"]] + [
        [str(i + 1), label, el] for i, (el, label) in enumerate(DC_FIELDS["en"])]
    return "Open Data Publication Standard", [
        ("h1", "Open Data Publication Standard"),
        ("p", "Approved by Order No. 27 of the Director of the State Agency for Open Data of 18 March 2024. "
              "Unofficial translation."),
        ("h2", "1. General provisions"),
        ("p", "1.1. The standard sets the requirements for the format, structure, metadata and quality of "
              "datasets published on the Open Data Portal. 1.2. The standard applies to all state bodies, "
              "municipalities and public legal entities."),
        ("h2", "2. Formats"),
        ("ul", ["tabular data — CSV, UTF-8 encoding, comma as separator;",
                "hierarchical data — JSON or XML;",
                "geospatial data — GeoJSON (WGS 84 coordinate system);",
                "XLSX may be used only as an additional format alongside CSV."]),
        ("h2", "3. Structure"),
        ("ol", ["column names are given in the first row and are not repeated;",
                "each column holds only one kind of data;",
                "dates are written as YEAR-MONTH-DAY (ISO 8601);",
                "a point is used as the decimal separator;",
                "merged cells, comments and formatting are not allowed."]),
        ("h2", "4. Metadata"),
        ("p", "The following 15 fields are mandatory for every dataset. In addition, the update frequency "
              "and the date of the next update are given."),
        ("table", fields),
        ("h2", "5. Quality criteria"),
        ("table", [["Criterion", "Maximum score"], ["Completeness", "20"], ["Accuracy", "20"],
                   ["Timeliness", "20"], ["Machine readability", "20"], ["Completeness of metadata", "20"]]),
        ("h2", "6. Protection of personal data"),
        ("p", "Datasets must not contain information that allows individuals to be identified directly or "
              "indirectly. Statistics on groups of fewer than 5 people must be aggregated or suppressed."),
    ]


def guidelines(lang):
    if lang == "az":
        return "Metaməlumatlar üzrə tövsiyələr", [
            ("h1", "Məlumat dəstlərinin metaməlumatları üzrə tövsiyələr"),
            ("p", "2025-ci il redaksiyası. Dövlət orqanlarında açıq məlumatlar üzrə məsul şəxslər üçün."),
            ("h2", "1. Niyə metaməlumatlar vacibdir"),
            ("p", "Metaməlumatlar istifadəçiyə dəstin nə haqqında olduğunu, kim tərəfindən və nə vaxt "
                  "hazırlandığını, hansı dövrü əhatə etdiyini və ondan necə istifadə oluna biləcəyini "
                  "bildirir. Yaxşı metaməlumat olmadan ən dəyərli dəst də axtarışda tapılmır."),
            ("h2", "2. Sahələrin doldurulmasına nümunələr"),
            ("table", [["Sahə", "Düzgün", "Səhv"],
                       ["Dəstin adı", "Ümumtəhsil məktəblərinin siyahısı, 2025/2026-cı tədris ili", "Məktəblər"],
                       ["Təsvir", "Məktəblərin adı, ünvanı, koordinatları və tədris dili", "Siyahı"],
                       ["Açar sözlər", "təhsil; məktəblər; ünvanlar", "məlumat; cədvəl"],
                       ["Əhatə", "Azərbaycan Respublikası, 2025-ci il", "hamısı"],
                       ["Yenilənmə tezliyi", "ildə bir dəfə (sentyabr)", "lazım olduqda"]]),
            ("h2", "3. Açar sözlər"),
            ("p", "Açar sözlər kiçik hərflə, adlıq halda və təkdə yazılır. Hər dəst üçün 3–7 açar "
                  "söz seçilməsi tövsiyə olunur. Tövsiyə olunan lüğətin bəzi sözləri:"),
            ("ul", ["büdcə, vergi, satınalma, qiymət;", "məktəb, universitet, şagird, müəllim;",
                    "xəstəxana, aptek, peyvənd;", "marşrut, dayanacaq, yol;", "hava keyfiyyəti, su, meşə."]),
            ("h2", "4. İngilis dilində metaməlumatlar"),
            ("p", "Dəstin adı, təsviri və açar sözləri ingilis dilində də doldurulur. Tərcümə hərfi deyil, "
                  "məzmuna uyğun olmalıdır; xüsusi adlar rəsmi transliterasiya ilə yazılır."),
        ]
    return "Guidelines on dataset metadata", [
        ("h1", "Guidelines on dataset metadata"),
        ("p", "2025 edition. For open data officers of state bodies."),
        ("h2", "1. Why metadata matters"),
        ("p", "Metadata tells users what a dataset is about, who prepared it and when, what period it "
              "covers and how it may be used. Without good metadata even the most valuable dataset cannot "
              "be found by search."),
        ("h2", "2. Examples of filling in the fields"),
        ("table", [["Field", "Correct", "Wrong"],
                   ["Dataset title", "List of general education schools, 2025/2026 school year", "Schools"],
                   ["Description", "Name, address, coordinates and language of instruction of each school", "A list"],
                   ["Keywords", "education; schools; addresses", "data; table"],
                   ["Coverage", "Republic of Azerbaijan, 2025", "all"],
                   ["Update frequency", "once a year (September)", "when needed"]]),
        ("h2", "3. Keywords"),
        ("p", "Keywords are written in lower case, in the basic form and in the singular. We recommend "
              "choosing 3–7 keywords for each dataset. Some words from the recommended vocabulary:"),
        ("ul", ["budget, tax, procurement, price;", "school, university, pupil, teacher;",
                "hospital, pharmacy, vaccination;", "route, stop, road;", "air quality, water, forest."]),
        ("h2", "4. Metadata in English"),
        ("p", "The title, description and keywords of a dataset are also given in English. The translation "
              "should follow the meaning rather than the words; proper names use the official "
              "transliteration."),
    ]


def request_form(lang):
    if lang == "az":
        return "Məlumat dəstinə dair sorğu forması", [
            ("h1", "Məlumat dəstinə dair sorğu forması"),
            ("p", "Dövlət Açıq Məlumat Agentliyinə. Formanı doldurub info@opendata.gov.az ünvanına "
                  "göndərin və ya AZ1000, Bakı şəhəri, Nəsimi rayonu, Azadlıq prospekti 45 ünvanına təqdim edin."),
            ("h2", "1. Sorğu edən haqqında məlumat"),
            ("table", [["Sahə", "Doldurulur"], ["Ad, soyad (və ya təşkilatın adı)", ""],
                       ["Poçt ünvanı", ""], ["E-poçt ünvanı", ""], ["Telefon", ""]]),
            ("h2", "2. Tələb olunan məlumat"),
            ("table", [["Sahə", "Doldurulur"], ["Məlumatın təsviri (mövzu)", ""], ["Dövr", ""],
                       ["Coğrafi əhatə", ""], ["Məlumatın olduğu dövlət orqanı (məlumdursa)", ""]]),
            ("h2", "3. Üstünlük verilən format"),
            ("p", "☐ CSV    ☐ JSON    ☐ XML    ☐ XLSX    ☐ digər: ____________"),
            ("h2", "4. İstifadə məqsədi (məcburi deyil)"),
            ("p", "__________________________________________________________________"),
            ("p", "Formada göstərilən fərdi məlumatlar yalnız sorğuya baxılması üçün \"Fərdi məlumatlar "
                  "haqqında\" Azərbaycan Respublikasının Qanununa uyğun olaraq işlənir."),
            ("sign", "Tarix: ____ . ____ . 20____          İmza: ____________________"),
        ]
    return "Dataset request form", [
        ("h1", "Dataset request form"),
        ("p", "To the State Agency for Open Data. Fill in the form and send it to info@opendata.gov.az or "
              "deliver it to 45 Azadliq Avenue, Nasimi district, Baku AZ1000."),
        ("h2", "1. About the requester"),
        ("table", [["Field", "To be filled in"], ["First name, surname (or name of organisation)", ""],
                   ["Postal address", ""], ["E-mail address", ""], ["Telephone", ""]]),
        ("h2", "2. Data requested"),
        ("table", [["Field", "To be filled in"], ["Description of the data (subject)", ""], ["Period", ""],
                   ["Geographical coverage", ""], ["State body holding the data (if known)", ""]]),
        ("h2", "3. Preferred format"),
        ("p", "☐ CSV    ☐ JSON    ☐ XML    ☐ XLSX    ☐ other: ____________"),
        ("h2", "4. Purpose of use (optional)"),
        ("p", "__________________________________________________________________"),
        ("p", "The personal data given in this form is processed only to consider the request, in "
              "accordance with the Law of the Republic of Azerbaijan \"On Personal Data\"."),
        ("sign", "Date: ____ / ____ / 20____          Signature: ____________________"),
    ]


def memorandum(lang):
    if lang == "az":
        return "Anlaşma memorandumunun nümunəvi mətni", [
            ("h1", "Dövlət Açıq Məlumat Agentliyi ilə [Tərəfdaş təşkilatın adı] arasında açıq məlumatlar "
                   "sahəsində əməkdaşlıq haqqında Anlaşma Memorandumu"),
            ("p", "Bakı şəhəri                                                  \"___\" __________ 20___-ci il"),
            ("p", "Dövlət Açıq Məlumat Agentliyi (bundan sonra — \"Agentlik\") və [Tərəfdaş təşkilatın adı] "
                  "(bundan sonra — \"Tərəfdaş\"), birlikdə \"Tərəflər\" adlandırılmaqla, aşağıdakılar barədə "
                  "razılığa gəldilər:"),
            ("h2", "1. Memorandumun məqsədi"),
            ("p", "Memorandumun məqsədi açıq məlumatların dərci, təhlili və istifadəsi sahəsində Tərəflər "
                  "arasında əməkdaşlığın əsaslarını müəyyən etməkdir."),
            ("h2", "2. Əməkdaşlıq istiqamətləri"),
            ("ul", ["birgə tədqiqatlar və analitik materialların hazırlanması;",
                    "təlim, seminar, hakaton və digər tədbirlərin birgə təşkili;",
                    "tələbələrin və gənc mütəxəssislərin təcrübə proqramları;",
                    "məlumat standartları və metodologiyalar üzrə təcrübə mübadiləsi."]),
            ("h2", "3. Tərəflərin öhdəlikləri"),
            ("p", "Tərəflər hər il birgə iş planı hazırlayır, onun icrasına məsul şəxslər təyin edir və ilin "
                  "sonunda görülən işlər barədə bir-birini məlumatlandırırlar."),
            ("h2", "4. Məlumat mübadiləsi və məxfilik"),
            ("p", "Tərəflər yalnız açıq məlumatlar mübadiləsi aparır. Fərdi məlumatlar və qanunla qorunan "
                  "digər məlumatlar bu Memorandum çərçivəsində ötürülmür."),
            ("h2", "5. Maliyyə məsələləri"),
            ("p", "Memorandum Tərəflər üçün maliyyə öhdəlikləri yaratmır. Konkret layihələr üzrə maliyyə "
                  "məsələləri ayrıca razılaşmalarla tənzimlənir."),
            ("h2", "6. Qüvvədə olma müddəti və xitam"),
            ("p", "Memorandum imzalandığı gündən qüvvəyə minir və üç il müddətində qüvvədə olur. Tərəflərdən "
                  "biri digərini ən azı bir ay əvvəl yazılı xəbərdar etməklə Memoranduma xitam verə bilər."),
            ("sign", "Agentlik adından: ____________________          Tərəfdaş adından: ____________________"),
        ]
    return "Model memorandum of understanding", [
        ("h1", "Memorandum of Understanding between the State Agency for Open Data and [Name of partner "
               "organisation] on cooperation in the field of open data"),
        ("p", "Baku                                                  ___ __________ 20___"),
        ("p", "The State Agency for Open Data (hereinafter \"the Agency\") and [Name of partner organisation] "
              "(hereinafter \"the Partner\"), together referred to as \"the Parties\", have agreed as follows:"),
        ("h2", "1. Purpose"),
        ("p", "The purpose of this Memorandum is to set the basis for cooperation between the Parties in "
              "publishing, analysing and using open data."),
        ("h2", "2. Areas of cooperation"),
        ("ul", ["joint research and the preparation of analytical materials;",
                "jointly organising training courses, seminars, hackathons and other events;",
                "internship programmes for students and young professionals;",
                "exchange of experience on data standards and methodologies."]),
        ("h2", "3. Commitments of the Parties"),
        ("p", "Every year the Parties prepare a joint work plan, appoint persons responsible for it and, at "
              "the end of the year, inform each other of the work done."),
        ("h2", "4. Exchange of information and confidentiality"),
        ("p", "The Parties exchange only open data. Personal data and other information protected by law is "
              "not transferred under this Memorandum."),
        ("h2", "5. Financial matters"),
        ("p", "This Memorandum creates no financial obligations for the Parties. Financial matters of "
              "specific projects are governed by separate agreements."),
        ("h2", "6. Term and termination"),
        ("p", "This Memorandum enters into force on the day it is signed and remains in force for three years. "
              "Either Party may terminate it by giving the other at least one month's written notice."),
        ("sign", "For the Agency: ____________________          For the Partner: ____________________"),
    ]


def metadata_form(lang):
    hints = {
        "az": {"title": "qısa və dəqiq, 150 simvoldan çox olmayaraq", "creator": "məlumatı toplayan və ya yaradan qurum",
               "subject": "3–7 açar söz, nöqtəli vergüllə", "description": "dəstin məzmunu, 2–5 cümlə",
               "publisher": "dəsti təqdim edən dövlət orqanı", "contributor": "məlumatın hazırlanmasında iştirak edənlər",
               "date": "İL-AY-GÜN", "type": "məsələn: statistika, reyestr, xəritə", "format": "CSV, JSON, XML, GeoJSON",
               "identifier": "Agentlik tərəfindən verilir", "source": "ilkin mənbə (informasiya sistemi, hesabat)",
               "language": "az, en", "relation": "əlaqəli dəstlərin adları", "coverage": "dövr və ərazi",
               "rights": "CC BY 4.0 və ya digər açıq lisenziya"},
        "en": {"title": "short and precise, no more than 150 characters", "creator": "institution that collected or created the data",
               "subject": "3–7 keywords separated by semicolons", "description": "content of the dataset, 2–5 sentences",
               "publisher": "state body providing the dataset", "contributor": "those who took part in preparing the data",
               "date": "YEAR-MONTH-DAY", "type": "e.g. statistics, register, map", "format": "CSV, JSON, XML, GeoJSON",
               "identifier": "assigned by the Agency", "source": "original source (information system, report)",
               "language": "az, en", "relation": "titles of related datasets", "coverage": "period and area",
               "rights": "CC BY 4.0 or another open licence"},
    }[lang]
    if lang == "az":
        rows = [["№", "Sahə", "Doldurulma qaydası", "Dəyər"]]
        rows += [[str(i + 1), label, hints[el], ""] for i, (el, label) in enumerate(DC_FIELDS["az"])]
        rows += [["16", "Yenilənmə tezliyi", "gündəlik, aylıq, rüblük, illik", ""],
                 ["17", "Növbəti yenilənmə tarixi", "İL-AY-GÜN", ""]]
        return "Məlumat dəstinin metaməlumat forması", [
            ("h1", "Məlumat dəstinin metaməlumat forması"),
            ("p", "Forma \"Açıq məlumatların dərci standartı\"na uyğun doldurulur və dərcə təqdim olunan "
                  "dəstə əlavə edilir. 1–15-ci sahələr Dublin Core elementlərinə uyğundur."),
            ("table", rows),
            ("p", "Məsul şəxs: ______________________   Telefon: ______________   E-poçt: ______________"),
            ("sign", "Tarix: ____ . ____ . 20____          İmza: ____________________"),
        ]
    rows = [["No.", "Field", "How to fill in", "Value"]]
    rows += [[str(i + 1), label, hints[el], ""] for i, (el, label) in enumerate(DC_FIELDS["en"])]
    rows += [["16", "Update frequency", "daily, monthly, quarterly, yearly", ""],
             ["17", "Date of next update", "YEAR-MONTH-DAY", ""]]
    return "Dataset metadata form", [
        ("h1", "Dataset metadata form"),
        ("p", "The form is filled in according to the Open Data Publication Standard and attached to a "
              "dataset submitted for publication. Fields 1–15 correspond to the Dublin Core elements."),
        ("table", rows),
        ("p", "Responsible person: ____________________   Telephone: ______________   E-mail: ______________"),
        ("sign", "Date: ____ / ____ / 20____          Signature: ____________________"),
    ]


# ---------------------------------------------------------------------------------------
# Spreadsheets: a list of sheets (name, header, rows, column widths).
# ---------------------------------------------------------------------------------------

MONTHS = {"az": ["yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust", "sentyabr",
                 "oktyabr", "noyabr", "dekabr"],
          "en": ["January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"]}

SECTORS = {  # az, en, datasets end of 2025, datasets 1 Nov 2026, machine-readable %, quality score
    "economy": ("İqtisadiyyat və maliyyə", "Economy and finance", 188, 212, 94, 78),
    "education": ("Təhsil və elm", "Education and science", 170, 186, 96, 81),
    "health": ("Səhiyyə", "Health", 142, 154, 93, 74),
    "social": ("Sosial müdafiə və məşğulluq", "Social protection and employment", 85, 98, 88, 69),
    "transport": ("Nəqliyyat və rabitə", "Transport and communications", 108, 121, 97, 83),
    "environment": ("Ətraf mühit", "Environment", 96, 107, 92, 76),
    "agriculture": ("Kənd təsərrüfatı", "Agriculture", 82, 132, 86, 67),
    "culture": ("Mədəniyyət və turizm", "Culture and tourism", 55, 64, 84, 64),
    "justice": ("Ədliyyə və hüquq", "Justice and law", 52, 58, 81, 62),
    "regions": ("Regional inkişaf və bələdiyyələr", "Regional development and municipalities", 80, 96, 83, 60),
    "geo": ("Geoməkan məlumatları", "Geospatial data", 0, 42, 100, 85),
    "population": ("Əhali və demoqrafiya", "Population and demography", 156, 166, 95, 79),
}


def annex_2025(lang):
    az = lang == "az"
    new = [18, 22, 58, 20, 41, 19, 24, 83, 16, 14, 27, 12]
    users = [140, 145, 152, 150, 158, 149, 160, 172, 178, 190, 185, 189]
    visits = [189, 196, 205, 203, 213, 201, 216, 232, 245, 257, 250, 255]
    downloads = [41, 42, 46, 44, 47, 43, 46, 50, 53, 55, 54, 52]
    api = [0, 0, 0, 0, 0, 0, 20, 850, 1050, 1180, 1310, 1400]
    appeals = [110, 105, 128, 119, 124, 112, 121, 118, 131, 142, 139, 138]
    total = 860
    rows = []
    for i in range(12):
        total += new[i]
        rows.append([MONTHS[lang][i], new[i], total, visits[i] * 1000, users[i] * 1000,
                     downloads[i] * 1000, api[i] * 1000, appeals[i]])
    rows.append(["Cəmi" if az else "Total", sum(new), total, sum(visits) * 1000, None,
                 sum(downloads) * 1000, sum(api) * 1000, sum(appeals)])
    head = (["Ay", "Yeni dəstlər", "Dəstlər (ayın sonuna)", "Ziyarətlər", "Unikal istifadəçilər",
             "Fayl yükləmələri", "API sorğuları", "Müraciətlər"] if az else
            ["Month", "New datasets", "Datasets (end of month)", "Visits", "Unique users",
             "File downloads", "API requests", "Appeals"])
    sec = [[v[0] if az else v[1], v[2]] for v in SECTORS.values() if v[2]]
    sec.append(["Cəmi" if az else "Total", sum(r[1] for r in sec)])
    return [("Aylar üzrə" if az else "By month", head, rows, [12, 13, 20, 13, 18, 16, 15, 12]),
            ("Sahələr üzrə" if az else "By sector", ["Sahə" if az else "Sector",
             "Dəstlər, 31.12.2025" if az else "Datasets, 31.12.2025"], sec, [40, 22])]


def dataset_register(lang):
    az = lang == "az"
    head = (["Sahə", "Dəstlərin sayı", "Maşınla oxunan, %", "Orta keyfiyyət balı"] if az else
            ["Sector", "Datasets", "Machine-readable, %", "Average quality score"])
    rows = [[v[0] if az else v[1], v[3], v[4], v[5]] for v in SECTORS.values()]
    n = sum(r[1] for r in rows)
    rows.append(["Cəmi" if az else "Total", n,
                 round(sum(r[1] * r[2] for r in rows) / n), round(sum(r[1] * r[3] for r in rows) / n)])
    samples_az = [
        ("AMP-000112", "Dövlət büdcəsinin aylıq icrası", "İqtisadiyyat və maliyyə", "CSV, JSON, XLSX", "aylıq", "2026-10-20"),
        ("AMP-000245", "Ümumtəhsil məktəblərinin siyahısı", "Təhsil və elm", "CSV, JSON", "illik", "2026-09-05"),
        ("AMP-000301", "Dövlət tibb müəssisələri", "Səhiyyə", "CSV, JSON", "rüblük", "2026-10-01"),
        ("AMP-000388", "Məşğulluq mərkəzlərində vakansiyalar", "Sosial müdafiə və məşğulluq", "CSV", "aylıq", "2026-10-31"),
        ("AMP-000402", "Bakı avtobus marşrutları (GTFS)", "Nəqliyyat və rabitə", "GTFS", "aylıq", "2026-10-28"),
        ("AMP-000517", "Hava keyfiyyəti ölçmələri", "Ətraf mühit", "CSV, JSON", "saatlıq", "2026-11-01"),
        ("AMP-000633", "Kənd təsərrüfatı məhsullarının bazar qiymətləri", "Kənd təsərrüfatı", "CSV, XLSX", "aylıq", "2026-10-15"),
        ("AMP-000701", "Muzeylərin siyahısı və iş saatları", "Mədəniyyət və turizm", "CSV, JSON", "illik", "2026-02-10"),
        ("AMP-000756", "Notariat kontorlarının ünvanları", "Ədliyyə və hüquq", "CSV", "rüblük", "2026-07-01"),
        ("AMP-000820", "Bələdiyyələrin büdcə göstəriciləri", "Regional inkişaf və bələdiyyələr", "CSV, XLSX", "illik", "2026-04-15"),
        ("AMP-001402", "İnzibati rayonların sərhədləri", "Geoməkan məlumatları", "GeoJSON, Shapefile", "yarımillik", "2026-11-10"),
        ("AMP-000911", "Əhalinin sayı rayonlar üzrə", "Əhali və demoqrafiya", "CSV, JSON", "illik", "2026-03-20"),
    ]
    freq_en = {"aylıq": "monthly", "illik": "yearly", "rüblük": "quarterly", "saatlıq": "hourly",
               "yarımillik": "twice a year"}
    titles_en = ["Monthly execution of the state budget", "List of general education schools",
                 "State medical institutions", "Vacancies at employment centres", "Baku bus routes (GTFS)",
                 "Air quality measurements", "Market prices of agricultural products",
                 "List of museums and opening hours", "Addresses of notary offices",
                 "Budget indicators of municipalities", "Boundaries of administrative districts",
                 "Population by district"]
    sector_en = {v[0]: v[1] for v in SECTORS.values()}
    if az:
        srows = [list(s) for s in samples_az]
        shead = ["İdentifikator", "Dəstin adı", "Sahə", "Formatlar", "Yenilənmə tezliyi", "Son yenilənmə"]
    else:
        srows = [[s[0], titles_en[i], sector_en[s[2]], s[3], freq_en[s[4]], s[5]] for i, s in enumerate(samples_az)]
        shead = ["Identifier", "Dataset title", "Sector", "Formats", "Update frequency", "Last updated"]
    return [("Sahələr" if az else "Sectors", head, rows, [40, 16, 20, 22]),
            ("Nümunə dəstlər" if az else "Sample datasets", shead, srows, [14, 46, 34, 20, 18, 15])]


def budget_2025(lang):
    az = lang == "az"
    items = [("Əməyin ödənişi", "Staff pay", 2460.0, 2431.8),
             ("Mal və xidmətlərin alınması", "Purchase of goods and services", 1320.0, 1254.3),
             ("İnformasiya texnologiyaları xidmətləri", "Information technology services", 850.0, 842.1),
             ("Tədbirlər və təlimlər", "Events and training", 240.0, 226.4),
             ("Əsas vəsaitlərin alınması", "Purchase of fixed assets", 130.0, 58.0)]
    rows = [[a if az else e, p, f, round(f / p * 100, 1)] for a, e, p, f in items]
    tp, tf = sum(i[2] for i in items), round(sum(i[3] for i in items), 1)
    rows.append(["Cəmi" if az else "Total", tp, tf, round(tf / tp * 100, 1)])
    head = (["Xərc maddəsi", "Təsdiq edilmiş, min manat", "İcra, min manat", "İcra, %"] if az else
            ["Expenditure item", "Approved, thousand manat", "Executed, thousand manat", "Execution, %"])
    monthly = [312.4, 365.8, 398.2, 402.6, 389.1, 421.7, 376.5, 348.9, 405.3, 417.8, 432.6, 541.7]
    assert round(sum(monthly), 1) == tf, sum(monthly)
    mrows = [[MONTHS[lang][i], monthly[i]] for i in range(12)]
    mrows.append(["Cəmi" if az else "Total", tf])
    return [("İcmal" if az else "Summary", head, rows, [40, 26, 18, 10]),
            ("Aylar üzrə" if az else "By month", ["Ay" if az else "Month",
             "Xərclər, min manat" if az else "Expenditure, thousand manat"], mrows, [14, 28])]


def portal_stats_2026(lang):
    az = lang == "az"
    visits = [236, 241, 255, 250, 262, 240, 258, 283, 375]
    users = [182, 186, 196, 193, 201, 185, 199, 218, 290]
    downloads = [52, 54, 58, 57, 60, 55, 61, 66, 75]
    api = [1450, 1500, 1620, 1700, 1780, 1850, 1950, 2150, 2200]
    rows = [[MONTHS[lang][i], visits[i] * 1000, users[i] * 1000, downloads[i] * 1000, api[i] * 1000]
            for i in range(9)]
    rows.append(["Cəmi" if az else "Total", sum(visits) * 1000, None, sum(downloads) * 1000, sum(api) * 1000])
    head = (["Ay", "Ziyarətlər", "Unikal istifadəçilər", "Fayl yükləmələri", "API sorğuları"] if az else
            ["Month", "Visits", "Unique users", "File downloads", "API requests"])
    regions = [("Bakı", "Baku", 62.0), ("Abşeron-Xızı", "Absheron-Khizi", 8.4),
               ("Gəncə-Daşkəsən", "Ganja-Dashkasan", 6.1), ("Mərkəzi Aran", "Central Aran", 3.3),
               ("Lənkəran-Astara", "Lankaran-Astara", 3.2), ("Şəki-Zaqatala", "Shaki-Zagatala", 2.9),
               ("Naxçıvan", "Nakhchivan", 2.6), ("Qazax-Tovuz", "Gazakh-Tovuz", 2.5),
               ("Quba-Xaçmaz", "Guba-Khachmaz", 2.4), ("Şirvan-Salyan", "Shirvan-Salyan", 2.1),
               ("Mil-Muğan", "Mil-Mughan", 1.9), ("Dağlıq Şirvan", "Mountainous Shirvan", 1.2),
               ("Qarabağ", "Karabakh", 0.9), ("Şərqi Zəngəzur", "East Zangezur", 0.5)]
    countries = [("Türkiyə", "Türkiye", 21.5), ("Rusiya", "Russia", 14.2), ("ABŞ", "United States", 9.8),
                 ("Almaniya", "Germany", 7.6), ("Gürcüstan", "Georgia", 6.9),
                 ("Böyük Britaniya", "United Kingdom", 5.4), ("Qazaxıstan", "Kazakhstan", 4.3),
                 ("Ukrayna", "Ukraine", 3.8), ("Digər ölkələr", "Other countries", 26.5)]
    geo = [["Azərbaycan (ziyarətlərin 71%-i)" if az else "Azerbaijan (71% of visits)", None]]
    geo += [[r[0] if az else r[1], r[2]] for r in regions]
    geo += [["Xarici ölkələr (ziyarətlərin 29%-i)" if az else "Abroad (29% of visits)", None]]
    geo += [[c[0] if az else c[1], c[2]] for c in countries]
    sources = [("Axtarış sistemləri", "Search engines", 48.6), ("Birbaşa keçid", "Direct visits", 23.1),
               ("Sosial şəbəkələr", "Social networks", 12.4),
               ("Dövlət orqanlarının saytları", "Websites of state bodies", 9.7),
               ("Digər saytlar", "Other websites", 6.2)]
    src = [[s[0] if az else s[1], s[2]] for s in sources]
    return [("Aylar üzrə" if az else "By month", head, rows, [14, 14, 20, 18, 16]),
            ("Coğrafiya" if az else "Geography", ["Region / ölkə" if az else "Region / country",
             "Pay, %" if az else "Share, %"], geo, [38, 10]),
            ("Mənbələr" if az else "Sources", ["Mənbə" if az else "Source", "Pay, %" if az else "Share, %"],
             src, [32, 10])]


# file name per language, generator, document title for XLSX
PDFS = [({"az": "illik-hesabat-2025.pdf", "en": "annual-report-2025.pdf"}, annual_report),
        ({"az": "fealiyyet-plani-2026.pdf", "en": "action-plan-2026.pdf"}, action_plan),
        ({"az": "aciq-melumat-standarti.pdf", "en": "open-data-standard.pdf"}, standard),
        ({"az": "metamelumat-tovsiyeleri.pdf", "en": "metadata-guidelines.pdf"}, guidelines)]
DOCXS = [({"az": "melumat-desti-sorgusu.docx", "en": "dataset-request-form.docx"}, request_form),
         ({"az": "emekdasliq-memorandumu.docx", "en": "cooperation-memorandum.docx"}, memorandum),
         ({"az": "metamelumat-formasi.docx", "en": "metadata-form.docx"}, metadata_form)]
XLSXS = [({"az": "illik-hesabat-2025-elave.xlsx", "en": "annual-report-2025-annex.xlsx"}, annex_2025,
          {"az": "2025-ci il üzrə illik hesabatın rəqəmsal əlavəsi", "en": "Data annex of the annual report for 2025"}),
         ({"az": "melumat-destleri-reyestri.xlsx", "en": "dataset-register.xlsx"}, dataset_register,
          {"az": "Məlumat dəstlərinin reyestri, 1 noyabr 2026", "en": "Register of datasets, 1 November 2026"}),
         ({"az": "budce-icrasi-2025.xlsx", "en": "budget-execution-2025.xlsx"}, budget_2025,
          {"az": "Agentliyin 2025-ci il büdcəsinin icrası", "en": "Execution of the Agency's budget for 2025"}),
         ({"az": "portal-statistikasi-2026.xlsx", "en": "portal-statistics-2026.xlsx"}, portal_stats_2026,
          {"az": "Açıq Məlumat Portalının istifadə statistikası, yanvar–sentyabr 2026",
           "en": "Open Data Portal usage statistics, January–September 2026"})]

FIXED_TIME = dt.datetime(2026, 11, 1, 9, 0, 0)


# ---------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------

def register_fonts(font_dir):
    for name, file in (("DejaVu", "DejaVuSans.ttf"), ("DejaVu-Bold", "DejaVuSans-Bold.ttf")):
        path = os.path.join(font_dir, file)
        if not os.path.exists(path):
            sys.exit(f"font not found: {path} (apt-get install -y fonts-dejavu-core)")
        pdfmetrics.registerFont(TTFont(name, path))
    pdfmetrics.registerFontFamily("DejaVu", normal="DejaVu", bold="DejaVu-Bold")


def write_pdf(path, lang, title, blocks):
    st = {
        "h1": ParagraphStyle("h1", fontName="DejaVu-Bold", fontSize=15, leading=19, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName="DejaVu-Bold", fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4,
                             keepWithNext=1),
        "p": ParagraphStyle("p", fontName="DejaVu", fontSize=9.5, leading=13, spaceAfter=4),
        "cell": ParagraphStyle("cell", fontName="DejaVu", fontSize=8.5, leading=11),
        "head": ParagraphStyle("head", fontName="DejaVu-Bold", fontSize=8.5, leading=11),
    }
    story = []
    for kind, payload in blocks:
        if kind in ("h1", "h2", "p"):
            story.append(Paragraph(escape(payload), st[kind]))
        elif kind == "sign":
            story.append(Spacer(1, 8 * mm))
            story.append(Paragraph(escape(payload), st["p"]))
        elif kind in ("ul", "ol"):
            items = [ListItem(Paragraph(escape(t), st["p"]), leftIndent=12) for t in payload]
            story.append(ListFlowable(items, bulletType="bullet" if kind == "ul" else "1",
                                      start=None if kind == "ol" else "•", bulletFontName="DejaVu",
                                      bulletFontSize=9, leftIndent=12))
        elif kind == "table":
            data = [[Paragraph(escape(str(c)), st["head" if r == 0 else "cell"]) for c in row]
                    for r, row in enumerate(payload)]
            t = Table(data, repeatRows=1, hAlign="LEFT")
            t.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#7a8a99")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6ee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]))
            story.append(t)
            story.append(Spacer(1, 3 * mm))
        else:
            raise ValueError(kind)

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("DejaVu", 7.5)
        canvas.setFillColor(colors.HexColor("#44505c"))
        canvas.drawString(18 * mm, 10 * mm, f"{AGENCY[lang]} · {FOOTER}")
        label = "səh." if lang == "az" else "p."
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"{label} {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(path, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm, title=title,
                            author=AGENCY[lang], subject=title, creator=AGENCY[lang],
                            lang="az-Latn" if lang == "az" else "en")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


def normalize_zip(path, when=FIXED_TIME):
    """Rewrite an OOXML archive with fixed entry timestamps and fixed core dates."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              lambda m: m.group(1) + stamp + m.group(3), data)
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


def write_docx(path, lang, title, blocks):
    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    for kind, payload in blocks:
        if kind == "h1":
            d.add_heading(payload, level=1)
        elif kind == "h2":
            d.add_heading(payload, level=2)
        elif kind == "p":
            d.add_paragraph(payload)
        elif kind == "sign":
            d.add_paragraph()
            d.add_paragraph(payload)
        elif kind in ("ul", "ol"):
            for item in payload:
                d.add_paragraph(item, style="List Bullet" if kind == "ul" else "List Number")
        elif kind == "table":
            t = d.add_table(rows=0, cols=len(payload[0]))
            t.style = "Table Grid"
            for r, row in enumerate(payload):
                cells = t.add_row().cells
                for c, value in enumerate(row):
                    cells[c].text = str(value)
                    if r == 0:
                        for run in cells[c].paragraphs[0].runs:
                            run.bold = True
            d.add_paragraph()
        else:
            raise ValueError(kind)
    cp = d.core_properties
    cp.title = title
    cp.author = AGENCY[lang]
    cp.last_modified_by = AGENCY[lang]
    cp.language = "az-Latn-AZ" if lang == "az" else "en-GB"
    cp.subject = title
    cp.keywords = "opendata.gov.az"
    cp.comments = ""
    cp.revision = 1
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME
    cp.last_printed = FIXED_TIME
    d.save(path)
    normalize_zip(path)


def write_xlsx(path, lang, title, sheets):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    head_font = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE6EE")
    for name, header, rows, widths in sheets:
        ws = wb.create_sheet(name)
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append([AGENCY[lang]])
        ws.append([])
        ws.append(header)
        for cell in ws[4]:
            cell.font = head_font
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            ws.append(row)
        last = ws.max_row
        if rows and str(rows[-1][0]) in ("Cəmi", "Total"):
            for cell in ws[last]:
                cell.font = head_font
        for col in range(2, len(header) + 1):
            for r in range(5, last + 1):
                cell = ws.cell(row=r, column=col)
                if isinstance(cell.value, float):
                    cell.number_format = "#,##0.0"
                elif isinstance(cell.value, int):
                    cell.number_format = "#,##0"
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A5"
    wb.properties.title = title
    wb.properties.creator = AGENCY[lang]
    wb.properties.lastModifiedBy = AGENCY[lang]
    wb.properties.language = "az-Latn-AZ" if lang == "az" else "en-GB"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.save(path)
    normalize_zip(path)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--content", default=os.path.join(here, "..", "content"))
    ap.add_argument("--font-dir", default="/usr/share/fonts/truetype/dejavu")
    args = ap.parse_args()
    register_fonts(args.font_dir)
    written = []
    for lang in ("az", "en"):
        folder = os.path.join(args.content, FOLDER[lang])
        if not os.path.isdir(folder):
            sys.exit(f"missing folder {folder}")
        for names, make in PDFS:
            title, blocks = make(lang)
            path = os.path.join(folder, names[lang])
            write_pdf(path, lang, title, blocks)
            written.append(path)
        for names, make in DOCXS:
            title, blocks = make(lang)
            path = os.path.join(folder, names[lang])
            write_docx(path, lang, title, blocks)
            written.append(path)
        for names, make, titles in XLSXS:
            path = os.path.join(folder, names[lang])
            write_xlsx(path, lang, titles[lang], make(lang))
            written.append(path)
    too_big = []
    for path in written:
        size = os.path.getsize(path)
        print(f"{size:7d}  {os.path.relpath(path, args.content)}")
        if size >= MAX_SIZE:
            too_big.append(path)
    if too_big:
        sys.exit(f"files of 60 KB or more: {too_big}")


if __name__ == "__main__":
    main()
