"""Understanding what a parent typed: Russian word forms and misspellings.

PostgreSQL: each typed word is reduced to its stem by the ``russian`` text search
configuration and matched as a prefix (``робот:*`` finds «Робототехника» and
«роботов», ``танц:*`` finds «Танцевальная»), against the program's stored
``search_vector``. A word whose stem starts no word of the vocabulary of published
programs is taken as misspelt and replaced by the closest vocabulary words by trigram
similarity («робототехнека» → робототехник, «шахмматы» → шахмат). All typed words
must match, except words found in most programs («детей» in «танцы для детей»), which
are left out when other words remain. Ranking: ``ts_rank_cd``, where a word in the title counts more than one in
the description (trigram similarity to the title ranked a little better but tripled
the time of broad searches such as «школа»).

SQLite (the demo and quick tests): each word is cut to a crude stem (common Russian
endings dropped, at least four letters kept) and looked for, ё read as е, in the
title and description; a stem no title word starts with is also tried as its closest
title words by ``difflib``. Correct and simple, for a few hundred programs.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.db import connection

MAX_WORDS = 8
MAX_WORD_LENGTH = 40
_WORD = re.compile(r"[^\W_]+")
# Longest first, so «ами» goes before «и».
_ENDINGS = sorted([
    "иями", "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ией", "ая", "яя", "ое",
    "ее", "ые", "ие", "ый", "ий", "ой", "ей", "ую", "юю", "ов", "ев", "ом", "ем", "ах", "ях", "ам",
    "ям", "ию", "ия", "ью", "ья", "ы", "и", "а", "я", "о", "е", "у", "ю", "ь", "й"
], key=len, reverse=True)

# The commonest Russian function words, dropped by the fallback (PostgreSQL's
# russian configuration has its own, longer list).
STOP_WORDS = frozenset([
    "и", "в", "во", "на", "для", "с", "со", "по", "к", "ко", "о", "об", "от", "до", "из", "у", "за",
    "а", "но", "или", "не", "ни", "же", "ли", "бы", "то", "как", "что", "это", "при", "про", "над",
    "под", "без", "через"
])

# A word found in more than this share of the catalog hardly narrows a search; next to
# other words it is left out (PostgreSQL, where the vocabulary counts documents).
COMMON_SHARE = 0.5

EXPAND_SQL = """
SELECT t.ord, l.lexeme,
       EXISTS (SELECT 1 FROM navigator_searchword s WHERE s.word LIKE l.lexeme || '%%'),
       ARRAY(SELECT s.word FROM navigator_searchword s WHERE s.word %% l.lexeme
             ORDER BY similarity(s.word, l.lexeme) DESC, s.documents DESC, s.word LIMIT 3),
       ARRAY(SELECT similarity(s.word, l.lexeme) FROM navigator_searchword s WHERE s.word %% l.lexeme
             ORDER BY similarity(s.word, l.lexeme) DESC, s.documents DESC, s.word LIMIT 3),
       (SELECT max(s.documents) FROM navigator_searchword s WHERE s.word LIKE l.lexeme || '%%'),
       (SELECT reltuples FROM pg_class WHERE oid = 'navigator_catalogentry'::regclass)
FROM unnest(%s::text[]) WITH ORDINALITY AS t(word, ord)
CROSS JOIN LATERAL (SELECT (tsvector_to_array(to_tsvector('russian', t.word)))[1] AS lexeme) l
WHERE l.lexeme IS NOT NULL
ORDER BY t.ord
"""


def fold(text: str) -> str:
    """Lower case with ё read as е, the way a parent types."""
    return (text or "").lower().replace("ё", "е")


def words(text: str) -> list[str]:
    """The searchable words of a query: letters and digits, not bare numbers."""
    found = [w[:MAX_WORD_LENGTH] for w in _WORD.findall(fold(text)) if not w.isdigit()]
    return list(dict.fromkeys(found))[:MAX_WORDS]


def stem(word: str) -> str:
    """A crude Russian stem for the SQLite fallback: drop one common ending, keep four letters."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


@dataclass
class TextQuery:
    text: str
    # per typed word, the stems or lexemes any of which it may match
    terms: list[list[str]] = field(default_factory=list)
    prefix: list[bool] = field(default_factory=list)
    # typed word -> the known word it was read as
    corrections: dict[str, str] = field(default_factory=dict)
    # typed words left out for being in most programs («детей» in «танцы для детей»)
    ignored: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.terms

    def tsquery(self) -> str:
        """The tsquery text for ``to_tsquery('simple', …)``."""
        groups = []
        for alternatives, prefix in zip(self.terms, self.prefix, strict=True):
            quoted = [f"'{a}'" + (":*" if prefix else "") for a in alternatives]
            groups.append(quoted[0] if len(quoted) == 1 else "(" + " | ".join(quoted) + ")")
        return " & ".join(groups)


def prepare(text: str) -> TextQuery:
    """Read the typed text into terms (one database query)."""
    query = TextQuery(text=text)
    typed = words(text)
    if not typed:
        return query
    if connection.vendor == "postgresql":
        _prepare_postgres(query, typed)
    else:
        _prepare_fallback(query, typed)
    return query


def _prepare_postgres(query, typed):
    with connection.cursor() as cursor:
        cursor.execute(EXPAND_SQL, [typed])
        rows = cursor.fetchall()
    common = []
    for ordinal, lexeme, known, close, similarity, documents, programs in rows:
        if known or not close:
            if programs and programs > 0 and (documents or 0) > COMMON_SHARE * programs:
                common.append((typed[ordinal - 1], lexeme))
                continue
            query.terms.append([lexeme])
            query.prefix.append(len(lexeme) >= 3)
        else:
            # only the words about as close as the closest one
            query.terms.append([w for w, s in zip(close, similarity, strict=True) if s >= similarity[0] * 0.8])
            query.prefix.append(False)
            query.corrections[typed[ordinal - 1]] = close[0]
    if common and not query.terms:
        # nothing but common words: search for them after all
        query.terms = [[lexeme] for _word, lexeme in common]
        query.prefix = [len(lexeme) >= 3 for _word, lexeme in common]
    else:
        query.ignored = [word for word, _lexeme in common]


def _prepare_fallback(query, typed):
    with connection.cursor() as cursor:
        cursor.execute("SELECT title FROM navigator_catalogentry")
        vocabulary = {stem(w) for (title,) in cursor.fetchall() for w in words(title)}
    for word in typed:
        if word in STOP_WORDS:
            continue
        base = stem(word)
        alternatives = [base]
        if not any(v.startswith(base) for v in vocabulary):
            close = difflib.get_close_matches(base, vocabulary, n=3, cutoff=0.75)
            alternatives += close
            if close:
                query.corrections[word] = close[0]
        query.terms.append(alternatives)
        query.prefix.append(True)


def match_sql(query: TextQuery, program: str = "p") -> tuple[str, list]:
    """A condition on the program table aliased ``program``: every word matches."""
    if connection.vendor == "postgresql":
        return f"{program}.search_vector @@ to_tsquery('simple', %s)", [query.tsquery()]
    text = f"opora_fold({program}.title || ' ' || {program}.description)"
    conditions, params = [], []
    for alternatives in query.terms:
        conditions.append("(" + " OR ".join(f"{text} LIKE %s" for _ in alternatives) + ")")
        params += [f"%{a}%" for a in alternatives]
    return " AND ".join(conditions), params


def rank_sql(query: TextQuery, program: str = "p") -> tuple[str, list]:
    """A relevance score of a matching program (higher first)."""
    if connection.vendor == "postgresql":
        return f"ts_rank_cd({program}.search_vector, to_tsquery('simple', %s))", [query.tsquery()]
    parts, params = [], []
    for alternatives in query.terms:
        parts.append("(CASE WHEN " + " OR ".join(f"opora_fold({program}.title) LIKE %s" for _ in alternatives)
                     + " THEN 1 ELSE 0 END)")
        params += [f"%{a}%" for a in alternatives]
    return "(" + " + ".join(parts) + ")", params


def register_sqlite_functions(sender, connection, **kwargs):
    """SQLite's lower() knows only Latin letters: give it ours (connection_created)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("opora_fold", 1, fold, deterministic=True)
