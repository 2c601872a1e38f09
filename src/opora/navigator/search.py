"""Understanding what a parent typed, the same way on PostgreSQL and SQLite.

Stemming: one Python suffix stripper (``stem``) for both databases. The index
(``index.refresh``) stores, per program, the stems of its title, of its direction and
specialisation names («topic»), of its organization's name and of its description in
``navigator_searchdoc``; a typed word is cut the same way and matched as a *prefix of a
stored stem*: «танцы» → ``танц*`` finds «танцевальная», «танца», never «дистанционно»
(its stem ``дистанционн`` does not start with ``танц``). Stems shorter than three
letters match whole.

- SQLite: ``navigator_searchdoc`` is an FTS5 table (one column per field, rowid = the
  program), queried with ``"танц"*``; ``bm25`` with column weights 10 / 4 / 2 / 1.
- PostgreSQL: ``navigator_searchdoc.vector`` is a tsvector of the same stems built with
  the ``simple`` configuration, weighted A (title), B (topic), C (organization), D
  (description), with a GIN index; queried with the tsquery ``'танц':*`` (stems need no parsing),
  ranked by ``ts_rank`` with weights 1 / 0.4 / 0.2 / 0.1.

Reading the text (``prepare``): the age («10 лет», «для 7-летнего») and a municipality's
name become filters (``understand``); words a parent adds that say nothing about the
program («для», «детей», «кружок», «мальчик», …) are left out; entries of the МОЦ's
dictionary (``SearchSynonym``) turn a word or phrase into alternatives («питон» →
питон | python, «ОФП» → офп | общая физическая подготовка); a word no stored stem starts
with is read as its closest known words (a misprint). Each remaining word or phrase is
a *term*. A program is found when it matches at least half of the terms; programs
matching all come first, then those matching most (``rank_order``).
"""

import difflib
import functools
import math
import re
from dataclasses import dataclass, field

from django.db import connection

MAX_WORDS = 8
MAX_WORD_LENGTH = 40
PREFIX_FROM = 3  # a stem this long or longer matches as a prefix
_WORD = re.compile(r"[^\W_]+")
# Longest first, so «ами» goes before «и».
_ENDINGS = sorted([
    "иями", "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ией", "ая", "яя", "ое",
    "ее", "ые", "ие", "ый", "ий", "ой", "ей", "ую", "юю", "ов", "ев", "ом", "ем", "ах", "ях", "ам",
    "ям", "ию", "ия", "ью", "ья", "ы", "и", "а", "я", "о", "е", "у", "ю", "ь", "й"
], key=len, reverse=True)

# The commonest Russian function words: never searched.
FUNCTION_WORDS = frozenset([
    "и", "в", "во", "на", "для", "с", "со", "по", "к", "ко", "о", "об", "от", "до", "из", "у", "за",
    "а", "но", "или", "не", "ни", "же", "ли", "бы", "то", "как", "что", "это", "при", "про", "над",
    "под", "без", "через", "мой", "моя", "мое", "моего", "моей", "моему", "наш", "нашего", "нашей",
])
# Words a parent adds that are about the child or the kind of activity, not the program:
# left out when other words remain (alone, they are searched after all).
PARENT_WORDS = frozenset([
    "дети", "детей", "детям", "ребенок", "ребенка", "ребенку", "ребенком", "ребят", "ребята",
    "кружок", "кружка", "кружки", "кружков", "кружок", "секция", "секции", "секцию", "секций",
    "мальчик", "мальчика", "мальчику", "мальчиков", "девочка", "девочки", "девочке", "девочку",
    "девочек", "сын", "сына", "сыну", "дочь", "дочка", "дочки", "дочери", "занятия", "занятие",
    "занятий", "лет", "год", "года", "годика", "хочу", "ищу", "найти", "где", "летний", "летнего",
    "летней", "летнему", "летнюю",
])

# Ages a parent writes: «10 лет», «3 года», «для 7-летнего», «7 летней».
_AGE = re.compile(r"(?<![\w-])(\d{1,2})\s*(?:-\s*)?(?:лет|года|год|летн\w*)(?!\w)")
# Words of municipality names that are not the name itself.
MUNICIPALITY_KINDS = frozenset([
    "городской", "округ", "муниципальный", "муниципальное", "образование", "район", "город", "г",
    "поселок", "пос", "село", "сельское", "городское", "поселение", "рабочий", "пгт",
])

# Column weights, title to description (SQLite bm25; PostgreSQL ts_rank D, C, B, A).
FTS_WEIGHTS = "10.0, 4.0, 2.0, 1.0"
TS_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'::float4[]"
FIELDS = ("title", "topic", "organization", "description")

# the vocabulary: is a stem the start of a stored one? its closest stored stems
EXPAND_SQL = """
SELECT t.ord, t.stem,
       EXISTS (SELECT 1 FROM navigator_searchword s WHERE s.word LIKE t.stem || '%%'),
       ARRAY(SELECT s.word FROM navigator_searchword s WHERE s.word %% t.stem
             ORDER BY similarity(s.word, t.stem) DESC, s.documents DESC, s.word LIMIT 3),
       ARRAY(SELECT similarity(s.word, t.stem) FROM navigator_searchword s WHERE s.word %% t.stem
             ORDER BY similarity(s.word, t.stem) DESC, s.documents DESC, s.word LIMIT 3)
FROM unnest(%s::text[]) WITH ORDINALITY AS t(stem, ord)
ORDER BY t.ord
"""


def fold(text: str) -> str:
    """Lower case with ё read as е, the way a parent types."""
    return (text or "").lower().replace("ё", "е")


def all_words(text: str) -> list[str]:
    """Every word of a text, folded: letters and digits, not bare numbers."""
    return [w[:MAX_WORD_LENGTH] for w in _WORD.findall(fold(text)) if not w.isdigit()]


def words(text: str) -> list[str]:
    """The searchable words of a query, each once, at most ``MAX_WORDS``."""
    return list(dict.fromkeys(all_words(text)))[:MAX_WORDS]


@functools.lru_cache(maxsize=200_000)  # a catalog's words repeat: the rebuild stems each once
def stem(word: str) -> str:
    """A Russian stem: drop one common ending, keep at least four letters; a fleeting
    vowel of «-ец» goes too (танец → танц, as танца → танц)."""
    if word.endswith("ец") and len(word) >= 5:
        return word[:-2] + "ц"
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def stems(text: str) -> str:
    """The stems of a text, space-separated, as the index stores them."""
    return " ".join(stem(w) for w in all_words(text))


@dataclass
class Term:
    """One thing the parent asked for: a word or a dictionary phrase, matched by any of
    its alternatives, each a tuple of stems that must all match."""

    typed: str
    alternatives: list[tuple[str, ...]]

    def fts(self, column: str = "") -> str:
        ors = " OR ".join("(" + " AND ".join(_fts_stem(s) for s in alternative) + ")"
                          for alternative in self.alternatives)
        return f"{{{column}}} : ({ors})" if column else f"({ors})"

    def tsquery(self, weight: str = "") -> str:
        ors = " | ".join("(" + " & ".join(_ts_stem(s, weight) for s in alternative) + ")"
                         for alternative in self.alternatives)
        return f"({ors})"


def _fts_stem(value: str) -> str:
    return f'"{value}"' + ("*" if len(value) >= PREFIX_FROM else "")


def _ts_stem(value: str, weight: str) -> str:
    if len(value) >= PREFIX_FROM:
        return f"'{value}':*{weight}"
    return f"'{value}'" + (f":{weight}" if weight else "")


@dataclass
class TextQuery:
    text: str
    terms: list[Term] = field(default_factory=list)
    # typed word -> the known word it was read as
    corrections: dict[str, str] = field(default_factory=dict)
    # typed words left out («для», «детей», «кружок» next to other words)
    ignored: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.terms

    @property
    def required(self) -> int:
        """How many terms a program must match: at least half of them."""
        return max(1, math.ceil(len(self.terms) / 2))

    def fts_any(self) -> str:
        return " OR ".join(t.fts() for t in self.terms)

    def tsquery(self) -> str:
        """The tsquery (text of the type, cast with ``::tsquery``): any of the terms."""
        return " | ".join(t.tsquery() for t in self.terms)


@dataclass
class Understood:
    """What the text said besides words: filters, each shown as a removable chip."""

    text: str
    age: int | None = None
    municipality: int | None = None
    municipality_name: str = ""


def understand(text: str, municipalities, ages=range(3, 19)) -> Understood:
    """Take the age and a municipality's name out of the typed text."""
    found = Understood(text=text)
    folded = fold(text)
    match = _AGE.search(folded)
    if match and int(match.group(1)) in ages:
        found.age = int(match.group(1))
        folded = (folded[:match.start()] + " " + folded[match.end():])
    typed = all_words(folded)
    typed_stems = [stem(w) for w in typed]
    best = None
    for pk, name in municipalities:
        key = [stem(w) for w in all_words(name) if w not in MUNICIPALITY_KINDS]
        if key and all(k in typed_stems for k in key) and (best is None or len(key) > len(best[2])):
            best = (pk, name, key)
    if best is not None:
        found.municipality, found.municipality_name = best[0], best[1]
        typed = [w for w, s in zip(typed, typed_stems, strict=True)
                 if s not in best[2] and w not in MUNICIPALITY_KINDS]
    if found.age is not None or found.municipality is not None:
        found.text = " ".join(typed)
    return found


# --- the dictionary ------------------------------------------------------------------


def variants_of(text: str) -> list[str]:
    """The variants of a dictionary entry: comma-, semicolon- or line-separated, folded."""
    parts = re.split(r"[,;\n]+", text or "")
    return list(dict.fromkeys(" ".join(all_words(p)) for p in parts if all_words(p)))


def dictionary(synonyms) -> list[list[tuple[str, ...]]]:
    """The МОЦ's dictionary (the ``variants`` texts of its entries): each entry as its
    variants, each variant as stems."""
    entries = []
    for text in synonyms or ():
        entry = [tuple(stem(w) for w in v.split() if w not in FUNCTION_WORDS) for v in variants_of(text)]
        entry = [v for v in entry if v]
        if len(entry) > 1:
            entries.append(entry)
    return entries


def _phrases(typed, entries):
    """Split the typed words into (typed phrase, alternatives or None): the longest
    dictionary variant found at each position, else a single word."""
    typed_stems = [stem(w) for w in typed]
    found, at = [], 0
    while at < len(typed):
        best = None
        for entry in entries:
            for variant in entry:
                size = len(variant)
                if tuple(typed_stems[at:at + size]) == variant and (best is None or size > best[0]):
                    best = (size, entry)
        if best is None:
            found.append((typed[at], None))
            at += 1
        else:
            found.append((" ".join(typed[at:at + best[0]]), list(dict.fromkeys(best[1]))))
            at += best[0]
    return found


def prepare(text: str, synonyms=None) -> TextQuery:
    """Read the typed text (no age or municipality left in it) into terms, with the
    dictionary's entries (``SearchSynonym.variants`` texts)."""
    query = TextQuery(text=text)
    typed = [w for w in all_words(text) if w not in FUNCTION_WORDS][:MAX_WORDS * 2]
    if not typed:
        return query
    phrases = _phrases(typed, dictionary(synonyms))
    kept = [(p, alt) for p, alt in phrases if alt is not None or p not in PARENT_WORDS]
    if not kept:  # nothing but the parent's words: they are searched after all
        kept = phrases
    query.ignored = list(dict.fromkeys(p for p, alt in phrases if (p, alt) not in kept))
    seen, single = set(), []
    for phrase, alternatives in kept:
        if phrase in seen:
            continue
        seen.add(phrase)
        if alternatives is None:
            alternatives = [(stem(phrase),)]
            single.append(len(query.terms))
        query.terms.append(Term(phrase, alternatives))
        if len(query.terms) == MAX_WORDS:
            break
    if single:
        unknown = _correct(query, single)
        if unknown and len(unknown) < len(query.terms):
            # words the catalog has nowhere do not narrow what the others find
            query.ignored += [query.terms[n].typed for n in unknown]
            query.terms = [t for n, t in enumerate(query.terms) if n not in unknown]
    return query


def _correct(query, positions) -> list[int]:
    """A single word no stored stem starts with is read as its closest known stems;
    returns the positions of words with neither."""
    wanted = [query.terms[n].alternatives[0][0] for n in positions]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(EXPAND_SQL, [wanted])
            rows = cursor.fetchall()
        missing = []
        for ordinal, _base, known, close, similarity in rows:
            if known:
                continue
            if not close:
                missing.append(positions[ordinal - 1])
                continue
            term = query.terms[positions[ordinal - 1]]
            term.alternatives = [(w,) for w, s in zip(close, similarity, strict=True) if s >= similarity[0] * 0.8]
            query.corrections[term.typed] = close[0]
        return missing
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(
            "SELECT %s, EXISTS (SELECT 1 FROM navigator_searchvocab WHERE term >= %s AND term < %s)"
            for _ in wanted), [v for n, base in enumerate(wanted) for v in (n, base, base + "\U0010ffff")])
        unknown = [n for n, known in cursor.fetchall() if not known]
        if not unknown:
            return []
        cursor.execute("SELECT term FROM navigator_searchvocab WHERE term NOT GLOB '[0-9]*'")
        vocabulary = [row[0] for row in cursor.fetchall()]
    missing = []
    for n in unknown:
        close = difflib.get_close_matches(wanted[n], vocabulary, n=3, cutoff=0.75)
        if close:
            term = query.terms[positions[n]]
            term.alternatives = [(w,) for w in close]
            query.corrections[term.typed] = close[0]
        else:
            missing.append(positions[n])
    return missing


# --- SQL -----------------------------------------------------------------------------


def matched_sql(query: TextQuery, columns: list[str], rank: bool = True,
                extra: tuple[str, list] = ("", [])) -> tuple[str, list]:
    """``(SELECT …, params)``: the catalog entries (``columns`` of ``e``, and the
    expressions ``extra`` over ``e``) of the programs matching at least
    ``query.required`` terms, with ``words`` (terms matched) and, with ``rank``,
    ``in_title``, ``in_topic``, ``in_organization`` (terms matched in that field) and
    ``score`` (the database's weighted rank) for ``RANK_ORDER``. Counting needs no
    rank. Each search document is read once (a GIN look-up for a rare word, a scan of
    the documents for a broad one) and its entry joined by key or by hash, as the
    planner finds cheaper: the caller keeps the result (a materialized CTE) for the
    facets and the page alike."""
    postgres = connection.vendor == "postgresql"
    many = len(query.terms) > 1
    params: list = []

    def count(column, terms):
        if postgres:
            params.extend(t.tsquery(column) for t in terms)
            return " + ".join("(d.vector @@ %s::tsquery)::int" for _ in terms)
        params.extend(t.fts(column) for t in terms)
        return " + ".join("(h.id IN (SELECT rowid FROM navigator_searchdoc WHERE navigator_searchdoc "
                          "MATCH %s))" for _ in terms)

    fields = [("words", "")] + ([("in_title", "title"), ("in_topic", "topic"),
                                 ("in_organization", "organization")] if rank else [])
    postgres_weights = {"": "", "title": "A", "topic": "B", "organization": "C"}
    parts = []
    for name, column in fields:
        if name == "words" and not many:
            parts.append(f"1 AS {name}")
        else:
            parts.append(f"{count(postgres_weights[column] if postgres else column, query.terms)} AS {name}")
    if postgres:
        score = f"ts_rank({TS_WEIGHTS}, d.vector, %s::tsquery)" if rank else "0"
        params.extend([query.tsquery()] * (2 if rank else 1))
        inner = (f"SELECT d.program_id AS id, {', '.join(parts)}, {score} AS score "
                 "FROM navigator_searchdoc d WHERE d.vector @@ %s::tsquery")
    else:
        score = f"-bm25(navigator_searchdoc, {FTS_WEIGHTS})" if rank else "0"
        params.append(query.fts_any())
        inner = (f"SELECT h.id, {', '.join(parts)}, h.score FROM (SELECT rowid AS id, {score} AS score "
                 "FROM navigator_searchdoc WHERE navigator_searchdoc MATCH %s) h")
    extra_sql, extra_params = extra
    selected = ", ".join([*(f"e.{c}" for c in columns), *([extra_sql] if extra_sql else []),
                          *(f"s.{name}" for name, _column in fields), "s.score"])
    sql = (f"SELECT {selected} FROM ({inner}) s JOIN navigator_catalogentry e ON e.program_id = s.id "
           "WHERE s.words >= %s")
    params.append(query.required)
    return sql, [*extra_params, *params]


# Relevance: more terms matched, then more of them in the title, in the direction or
# specialisation, in the organization's name; among equals free seats, then the
# nearest start; then the weighted rank of the database. Never the alphabet.
RANK_ORDER = ("e.words DESC, e.in_title DESC, e.in_topic DESC, e.in_organization DESC, "
              "(e.free_seats > 0) DESC, e.next_start ASC NULLS LAST, e.score DESC, e.program_id")


def register_sqlite_functions(sender, connection, **kwargs):
    """SQLite's lower() knows only Latin letters: give it ours (connection_created)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("opora_fold", 1, fold, deterministic=True)


# --- suggestions while typing ----------------------------------------------------------

SUGGESTIONS = 8


def suggest(text: str, limit: int = SUGGESTIONS) -> list[tuple[str, str, int | None]]:
    """Program titles and specialisations for what is typed so far, each word taken as
    the start of a word: ``(kind, label, specialisation id or None)``; specialisations
    first, then titles by how many programs carry them (two queries)."""
    typed = [stem(w) for w in all_words(text) if w not in FUNCTION_WORDS][:MAX_WORDS]
    if not typed or sum(len(w) for w in typed) < 2:
        return []
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM registry_specialisation ORDER BY name")
        for pk, name in cursor.fetchall():
            name_stems = [stem(w) for w in all_words(name)]
            if all(any(s.startswith(t) for s in name_stems) for t in typed):
                found.append(("specialisation", name, pk))
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT e.title FROM navigator_searchdoc d JOIN navigator_catalogentry e "
                "ON e.program_id = d.program_id WHERE d.vector @@ %s::tsquery "
                "GROUP BY e.title ORDER BY count(*) DESC, length(e.title), e.title LIMIT %s",
                [_prefix_all(typed, "A"), limit])
        else:
            cursor.execute(
                "SELECT e.title FROM navigator_searchdoc JOIN navigator_catalogentry e "
                "ON e.program_id = navigator_searchdoc.rowid WHERE navigator_searchdoc MATCH %s "
                "GROUP BY e.title ORDER BY count(*) DESC, length(e.title), e.title LIMIT %s",
                [" AND ".join(f'{{title}} : "{t}"*' for t in typed), limit])
        found += [("program", title, None) for (title,) in cursor.fetchall()]
    return found[:limit]


def _prefix_all(typed, weight):
    return " & ".join(f"'{t}':*{weight}" for t in typed)


# --- small collections searched over stored stems ------------------------------------------


def stored_stems(*texts) -> str:
    """The stems of texts as a collection other than the catalog stores them for
    ``filter_by_stems``: space-separated with a space at each end."""
    joined = " ".join(stems(text) for text in texts if text)
    return f" {joined} " if joined else ""


def filter_by_stems(queryset, text: str, field: str = "search_stems", synonyms=None):
    """A small collection (hundreds of rows: the portal's materials, the practices) read
    the navigator's way over a text field of ``stored_stems``: every typed word, cut by
    ``stem``, must start a stored stem — or one of its alternatives in the МОЦ's
    dictionary (``synonyms``, one-word variants); a word that starts none is read as the
    closest stem of the collection (a misprint). Returns ``(queryset, corrections)``."""
    from django.db.models import Q

    corrections: dict[str, str] = {}
    entries = [entry for entry in dictionary(synonyms) if all(len(v) == 1 for v in entry)]
    vocabulary, base = None, queryset
    for word in [w for w in words(text) if w not in FUNCTION_WORDS]:
        word_stem = stem(word)
        alternatives = [word_stem]
        for entry in entries:
            if (word_stem,) in entry:
                alternatives += [v[0] for v in entry if v[0] not in alternatives]
        condition = Q()
        for alternative in alternatives:
            condition |= Q(**{f"{field}__contains": f" {alternative}"})
        if not queryset.filter(condition).exists():
            if vocabulary is None:
                vocabulary = sorted({s for value in base.values_list(field, flat=True)
                                     for s in value.split()})
            close = difflib.get_close_matches(word_stem, vocabulary, n=1, cutoff=0.75)
            if close:
                corrections[word] = close[0]
                condition = Q(**{f"{field}__contains": f" {close[0]} "})
        queryset = queryset.filter(condition)
    return queryset, corrections
