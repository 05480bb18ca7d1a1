"""The respondent pages' own words in the respondent's language: catalogues, lookups, pages."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from markupsafe import Markup
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.web.answer_errors import answer_error
from api.web.respond import COOKIE
from core import numbers
from core.clock import utcnow
from questionnaires.definition import Question
from questionnaires.library import library_document
from questionnaires.models import Invitation
from templates import messages
from templates.messages import CATALOGUE_DIR, LATIN_DIGITS, placeholders, translator
from tests.builders import World
from tests.scoring.builders import best_answers
from tests.web.test_respond_pages import browser, csrf_of, invited, opened

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates" / "respond").glob("*.html"))
SCRIPT = ROOT / "templates" / "static" / "respond.js"
VIEWS = ROOT / "api" / "web" / "respond.py"
ANSWER_ERRORS = ROOT / "api" / "web" / "answer_errors.py"
EMAILS = ROOT / "audit" / "campaigns" / "emails.py"
ANSWER_RULES = ROOT / "questionnaires" / "answers.py"
TRANSLATED = ["ne", "bn", "id", "my", "th"]
# The plural categories of each language's CLDR rules, checked by hand against the CLDR charts
# ("Language Plural Rules"): a counted phrase must have exactly these.
CLDR_PLURALS = {
    "en": {"one", "other"},
    "bn": {"one", "other"},  # "one" is 0 and 1
    "ne": {"one", "other"},
    "my": {"other"},
    "th": {"other"},
    "id": {"other"},
}


def raw(language: str) -> dict:
    return yaml.safe_load((CATALOGUE_DIR / f"{language}.yaml").read_text(encoding="utf-8"))


def texts(language: str) -> dict[str, str]:
    """Every text of a catalogue, a counted phrase's forms as ``key[category]``."""
    flat: dict[str, str] = {}
    for key, value in raw(language)["messages"].items():
        if isinstance(value, dict):
            flat |= {f"{key}[{category}]": text for category, text in value.items()}
        else:
            flat[key] = value
    return flat


SOURCE = raw("en")["messages"]
COUNTED = {key for key, value in SOURCE.items() if isinstance(value, dict)}


# The catalogues ----------------------------------------------------------------------------------


def test_the_catalogues_are_english_and_the_five_questionnaire_languages() -> None:
    assert sorted(p.stem for p in CATALOGUE_DIR.glob("*.yaml")) == sorted(["en", *TRANSLATED])
    assert raw("en")["review_status"] == "source"


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_has_exactly_the_source_keys_and_placeholders(language: str) -> None:
    catalogue = raw(language)
    assert catalogue["language"] == language
    assert catalogue["review_status"] == "draft_not_reviewed_by_native_speaker"
    assert "native speaker" in catalogue["review_note"]
    translated = catalogue["messages"]
    assert sorted(set(SOURCE) - set(translated)) == []
    assert sorted(set(translated) - set(SOURCE)) == []
    counted = {key for key, value in translated.items() if isinstance(value, dict)}
    assert counted == COUNTED
    wrong = {
        key: (sorted(placeholders(text)), sorted(placeholders(_source_text(key))))
        for key, text in texts(language).items()
        if placeholders(text) != placeholders(_source_text(key))
    }
    assert wrong == {}


def _source_text(flat_key: str) -> str:
    """The English text a translated text must match in placeholders (a counted phrase's
    "other" form for any of its forms: every form shows the count)."""
    key = flat_key.split("[")[0]
    return SOURCE[key]["other"] if key in COUNTED else SOURCE[key]


@pytest.mark.parametrize("language", ["en", *TRANSLATED])
def test_counted_phrases_have_the_plural_categories_cldr_gives_the_language(
    language: str,
) -> None:
    assert COUNTED, "no counted phrase in the English catalogue"
    assert numbers.plural_categories(language) == CLDR_PLURALS[language]
    forms = {
        key: set(value)
        for key, value in raw(language)["messages"].items()
        if isinstance(value, dict)
    }
    assert forms == dict.fromkeys(COUNTED, CLDR_PLURALS[language])
    for key in COUNTED:
        assert all("{count}" in text for text in raw(language)["messages"][key].values()), key


@pytest.mark.parametrize("language", ["en", *TRANSLATED])
def test_catalogue_digits_are_the_cldr_default_numbering_system(language: str) -> None:
    assert raw(language).get("digits", LATIN_DIGITS) == numbers.digits(language)


@pytest.mark.parametrize("language", ["en", *TRANSLATED])
def test_messages_are_one_normalised_paragraph_each(language: str) -> None:
    for key, text in texts(language).items():
        assert text.strip() == text and "\n" not in text, key
        assert unicodedata.normalize("NFC", text) == text, key
        assert not re.search(r"[{}]", messages.PLACEHOLDER.sub("", text)), key  # stray brace


def test_translations_are_in_their_own_script() -> None:
    scripts = {
        "ne": "DEVANAGARI",
        "bn": "BENGALI",
        "my": "MYANMAR",
        "th": "THAI",
    }
    for language, script in scripts.items():
        page_words = raw(language)["messages"]["form.save"]
        assert all(script in unicodedata.name(c) for c in page_words if c.isalpha()), language


def test_burmese_is_unicode_not_zawgyi() -> None:
    """Zawgyi reuses Myanmar code points with other meanings; these are its tell-tale marks."""
    for key, text in texts("my").items():
        assert not re.search(r"[\u1060-\u109f]", text), key  # Zawgyi-only glyph forms
        assert not re.search(r"(^|[^\u1000-\u109f])\u1031", text), key  # E typed first
        assert not re.search(r"\u1031[\u103b-\u103e]", text), key  # medial after E
        assert "\u103a\u1037" not in text, key  # asat before dot below


# Lookups -----------------------------------------------------------------------------------------


def test_unknown_keys_and_missing_parameters_fail_loudly() -> None:
    t = translator("ne")
    with pytest.raises(KeyError, match=r"no\.such\.key"):
        t("no.such.key")
    with pytest.raises(KeyError, match="total"):
        t("form.step_of", step=1, title="x")


def test_counts_use_the_language_digits_and_typed_numbers_stay_latin() -> None:
    nepali = translator("ne")
    assert nepali.text("form.step_of", step=2, total=9, title="X") == raw("ne")["messages"][
        "form.step_of"
    ].format(step="२", total="९", title="X")
    assert "0" in nepali.text("error.at_least", min="0")
    assert translator("my").text("form.step_missing", count=3).startswith("၃")
    assert translator("th").text("form.step_missing", count=3) == "ยังไม่ได้ตอบ 3 ข้อ"


# Count -> the review page's "answers missing" heading, in each language's own form and digits.
MISSING = {
    "en": {0: "0 required answers missing", 1: "1 required answer missing"},
    "bn": {0: "০টি আবশ্যক উত্তর বাকি", 1: "১টি আবশ্যক উত্তর বাকি", 2: "২টি আবশ্যক উত্তর বাকি"},
    "ne": {1: "१ अनिवार्य जवाफ बाँकी छ", 2: "२ अनिवार्य जवाफ बाँकी छन्"},
    "th": {1: "ยังขาดคำตอบที่จำเป็น 1 ข้อ", 5: "ยังขาดคำตอบที่จำเป็น 5 ข้อ"},
    "my": {1: "မဖြစ်မနေ ဖြေရမည့် အဖြေ ၁ ခု ကျန်သည်"},
    "id": {1: "1 jawaban wajib belum diisi", 1234: "1.234 jawaban wajib belum diisi"},
}


@pytest.mark.parametrize("language", MISSING)
def test_counted_phrases_take_the_cldr_form_and_the_language_digits(language: str) -> None:
    t = translator(language)
    shown = {count: t.plural("review.missing", count) for count in MISSING[language]}
    assert shown == MISSING[language]


def test_counts_are_grouped_as_the_language_groups_them() -> None:
    assert translator("en").plural("review.missing", 1234) == "1,234 required answers missing"
    assert translator("ne").text("form.step_missing", count=123456).startswith("१,२३,४५६")
    assert translator("id").number(12345.5) == "12.345,5"
    assert translator("bn").number(12345.5) == "১২,৩৪৫.৫"
    assert translator("ne").number(1234.5, places=2) == "१,२३४.५०"
    assert translator("my").percent(0.25) == "၂၅%"


def test_a_missing_plural_form_falls_back_to_english_by_the_english_rules() -> None:
    """A translation that lacks a form shows English, and English needs its own form for the
    count ("1 ... answer", not the translation's category)."""
    nepali = messages.Translator("ne")
    nepali._catalogue = replace(nepali._catalogue, plurals={})
    assert nepali.plural("review.missing", 1) == "१ required answer missing"
    assert nepali.plural("review.missing", 0) == "\u0966 required answers missing"  # Devanagari 0


def test_counted_phrases_are_asked_for_with_plural() -> None:
    t = translator("en")
    with pytest.raises(KeyError, match=r"use plural\(\)"):
        t("review.missing", count=2)
    with pytest.raises(KeyError, match=r"no\.such\.phrase"):
        t.plural("no.such.phrase", 2)
    with pytest.raises(KeyError, match=r"form\.save"):
        t.plural("form.save", 2)  # a plain message is not a counted phrase


def test_parameters_are_escaped_unless_marked_safe() -> None:
    t = translator("en")
    assert t("form.upload_for", question="<b>") == "Upload for: &lt;b&gt;"
    asks = t("form.asks", requester="A & B", respondent=Markup("<b>Agent</b>"))
    assert asks == "A &amp; B asks <b>Agent</b> to answer:"
    assert t.text("form.upload_for", question="<b>") == "Upload for: <b>"


def test_languages_without_a_catalogue_fall_back_to_english() -> None:
    assert translator("fr").language == "en"
    assert translator(None)("form.save") == "Save"


def test_draft_catalogues_keep_the_not_reviewed_notice() -> None:
    """The form's notice shows while either the questionnaire or the page words are drafts."""
    assert messages.reviewed("en") and messages.reviewed("fr")
    assert not any(messages.reviewed(language) for language in TRANSLATED)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("ne-NP,ne;q=0.9,en;q=0.8", "ne"),
        ("fr-FR, th;q=0.5, en;q=0.4", "th"),
        ("en;q=0.1, my;q=0.9", "my"),
        ("ne;q=0", "en"),
        ("*, bn", "bn"),
        ("id;q=abc, ;;, x-klingon", "en"),
    ],
)
def test_accept_language_picks_the_most_preferred_supported_language(
    header: str | None, language: str
) -> None:
    assert messages.negotiate(header) == language


def _keys_in(pattern: str, path: Path) -> set[str]:
    return set(re.findall(pattern, path.read_text(encoding="utf-8")))


def test_every_key_the_pages_use_exists_and_every_source_key_is_used() -> None:
    used: set[str] = set()
    for template in TEMPLATES:
        used |= _keys_in(r'\bt(?:\.source)?\(\s*"([a-z_.]+)"', template)
        used |= _keys_in(r'\bt\.plural\(\s*"([a-z_.]+)"', template)
    used |= _keys_in(r'\btext\("([a-z_.]+)"\)', SCRIPT)
    problems = _keys_in(r'"(problem\.(?!html")[a-z_]+)"', VIEWS)
    used |= {f"{k}.{part}" for k in problems for part in ("title", "message")}
    used |= _keys_in(r'"(error\.[a-z_]+)"', ANSWER_ERRORS)
    used |= _keys_in(r'"(email\.[a-z_.]+)"', EMAILS)
    assert len(problems) >= 10 and any(k.startswith("js.") for k in used)
    assert sorted(used - set(SOURCE)) == []
    assert sorted(set(SOURCE) - used) == []


def test_every_answer_error_code_has_its_own_message() -> None:
    source = ANSWER_RULES.read_text(encoding="utf-8")
    codes = set(re.findall(r'_Invalid\(\s*"([a-z_]+)"', source))
    codes |= set(re.findall(r'AnswerError\(\s*[a-z_]+,\s*"([a-z_]+)"', source))
    assert {"wrong_type", "out_of_range", "not_offered", "exclusive", "hidden"} <= codes
    first: dict[str, Question] = {}
    for question in library_document("recruiter-saq", 1).questions():
        first.setdefault(question.type, question)
    unreachable_from_the_form = {"unknown_question", "empty"}
    for code in codes - unreachable_from_the_form:
        kinds = ("number", "text", "date", "multi_choice", "single_choice")
        keys = {answer_error(first[kind], code, "x")[0] for kind in kinds}
        assert keys - {"error.other"}, code
        assert keys <= set(SOURCE), code


def test_answer_errors_name_the_limits_and_the_exclusive_option() -> None:
    document = library_document("recruiter-saq", 1)
    workers = document.question("LIC_06")
    assert answer_error(workers, "out_of_range", "-3") == ("error.at_least", {"min": "0"})
    assert answer_error(workers, "not_integer", "2.5") == ("error.whole_number", {})
    assert answer_error(document.question("LIC_03"), "out_of_range", "2999-01-01")[0] == (
        "error.future_date"
    )
    fees = document.question("FEE_03")
    none = next(o for o in fees.options or [] if o.exclusive)
    other = next(o for o in fees.options or [] if not o.exclusive)
    assert answer_error(fees, "exclusive", [other.value, none.value]) == (
        "error.exclusive",
        {"option": none.label},
    )


# Pages -------------------------------------------------------------------------------------------


def _in_nepali(client: TestClient, world: World) -> tuple[TestClient, str, dict]:
    created, token = invited(world)
    respondent = opened(client, token)
    page = respondent.get("/respond/form")
    changed = respondent.post(
        "/respond/language", data={"csrf": csrf_of(page.text), "language": "ne", "step": "0"}
    )
    assert changed.status_code == 200
    return respondent, token, created


def _visible_text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    html = re.sub(r'<span class="source" lang="en">.*?</span>', " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _english_only(language: str) -> list[str]:
    """Source messages without placeholders that the translation does not keep: must not show
    ("भाषा / Language" keeps "Language" on purpose)."""
    translated = raw(language)["messages"]
    return [
        text
        for key, text in SOURCE.items()
        if key not in COUNTED
        and not placeholders(text)
        and text not in translated[key]
        and len(text) > 3
    ]


def test_the_whole_form_speaks_nepali_after_switching(world: World, client: TestClient) -> None:
    ne = raw("ne")["messages"]
    respondent, _token, _created = _in_nepali(client, world)
    page = respondent.get("/respond/form?step=0")
    assert '<html lang="ne">' in page.text
    assert ne["form.save_next"] in page.text and "Save and continue" not in page.text
    assert ne["form.language_change"] in page.text and ">Change<" not in page.text
    assert ne["page.tagline"] in page.text
    assert "९ मध्ये चरण १:" in page.text  # "Step 1 of 9" with Devanagari digits
    text = _visible_text(page.text)
    shown = [english for english in _english_only("ne") if english in text]
    assert shown == []
    # The notice about the draft translation says it in English too, marked as English.
    assert f'<span class="source" lang="en">{SOURCE["form.not_reviewed"]}</span>' in page.text
    bundle = re.search(
        r'<script type="application/json" id="respond-messages">(.*?)</script>', page.text, re.S
    )
    assert bundle is not None
    assert json.loads(bundle.group(1))["js.saving"] == ne["js.saving"]


def test_errors_next_to_questions_are_in_nepali(world: World, client: TestClient) -> None:
    ne = raw("ne")["messages"]
    respondent, _token, _created = _in_nepali(client, world)
    csrf = csrf_of(respondent.get("/respond/form?step=0").text)
    bad = respondent.post(
        "/respond/form",
        data={
            "csrf": csrf,
            "step": "0",
            "present_LIC_01": "1",
            "q_LIC_01": "maybe",
            "present_LIC_06": "1",
            "q_LIC_06": "-4",
        },
    )
    assert bad.status_code == 422
    assert ne["form.errors_body"] in bad.text
    assert ne["error.not_offered"] in bad.text and "is not an option" not in bad.text
    assert ne["error.at_least"].replace("{min}", "0") in bad.text
    autosave = respondent.post(
        "/respond/form",
        data={"csrf": csrf, "step": "0", "present_LIC_06": "1", "q_LIC_06": "1.5"},
        headers={"X-Autosave": "1"},
    )
    assert autosave.status_code == 422
    assert autosave.json()["errors"] == {"LIC_06": ne["error.whole_number"]}


def test_review_and_done_pages_speak_nepali(world: World, client: TestClient) -> None:
    ne = raw("ne")["messages"]
    respondent, _token, created = _in_nepali(client, world)
    review = respondent.get("/respond/review")
    assert '<html lang="ne">' in review.text and ne["review.submit"] in review.text
    assert "अनिवार्य जवाफ बाँकी छन्" in review.text and "required answers" not in review.text
    blocked = respondent.post("/respond/submit", data={"csrf": csrf_of(review.text)})
    assert blocked.status_code == 422 and ne["review.blocked_heading"] in blocked.text
    base = f"/api/v1/networks/{created['network_id']}/assessments/{created['id']}"
    answers = best_answers(library_document("recruiter-saq", 1))
    world.analyst_a.put(f"{base}/answers", json={"answers": answers})
    done = respondent.post("/respond/submit", data={"csrf": csrf_of(review.text)})
    assert done.status_code == 200
    assert ne["done.heading"] in done.text and "Thank you" not in done.text
    assert ne["done.body"].replace("{requester}", "Org A") in done.text
    locked = respondent.get("/respond/form")
    assert ne["form.locked_submitted"] in locked.text


def test_problem_pages_speak_the_assessment_or_browser_language(
    world: World, client: TestClient, engine: Engine
) -> None:
    th = raw("th")["messages"]
    ne = raw("ne")["messages"]
    unknown = browser(client).get(
        "/respond/fpi_not-a-real-token", headers={"Accept-Language": "th-TH,th;q=0.9,en;q=0.5"}
    )
    assert unknown.status_code == 401 and '<html lang="th">' in unknown.text
    assert th["problem.invalid_link.title"] in unknown.text
    assert "This link is not valid" not in unknown.text
    english = browser(client).get("/respond/fpi_not-a-real-token")
    assert '<html lang="en">' in english.text and "This link is not valid" in english.text

    respondent, token, _created = _in_nepali(client, world)
    csrf = csrf_of(respondent.get("/respond/form").text)
    # A forged form post: the page says so in the assessment's language.
    forged = respondent.post("/respond/form", data={"csrf": "forged", "step": "0"})
    assert forged.status_code == 403 and ne["problem.form_expired.title"] in forged.text
    # The session is gone (no cookie): the page the form came from names the language.
    gone = browser(client)
    ended = gone.post("/respond/form", data={"csrf": csrf, "page_language": "ne"})
    assert ended.status_code == 401 and ne["problem.session_ended.title"] in ended.text
    autosave = gone.post(
        "/respond/form", data={"csrf": csrf, "page_language": "ne"}, headers={"X-Autosave": "1"}
    )
    assert autosave.json() == {"saved": False, "message": ne["problem.session_ended.message"]}
    with Session(engine) as session:
        session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(days=1)))
        session.commit()
    expired = browser(client).get(f"/respond/{token}")
    assert expired.status_code == 410 and '<html lang="ne">' in expired.text
    assert ne["problem.link_expired.title"] in expired.text
    assert COOKIE not in expired.headers.get("set-cookie", "")


def test_a_refused_upload_is_explained_in_nepali(world: World, client: TestClient) -> None:
    ne = raw("ne")["messages"]
    respondent, _token, _created = _in_nepali(client, world)
    csrf = csrf_of(respondent.get("/respond/form?step=2").text)
    empty = respondent.post(
        "/respond/evidence",
        data={"csrf": csrf, "question_id": "CON_05", "step": "2"},
        files={"file": ("contract.pdf", b"", "application/pdf")},
    )
    assert empty.status_code == 422 and ne["problem.upload_empty.message"] in empty.text
    odd = respondent.post(
        "/respond/evidence",
        data={"csrf": csrf, "question_id": "CON_05", "step": "2"},
        files={"file": ("notes.exe", b"MZ\x90\x00 not a document", "application/octet-stream")},
    )
    assert odd.status_code == 415 and ne["problem.upload_type.message"] in odd.text
