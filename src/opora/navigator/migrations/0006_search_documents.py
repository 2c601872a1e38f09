"""The search documents of the catalog (see ``opora.navigator.search``) and the default
search dictionary.

- SQLite: ``navigator_searchdoc``, an FTS5 table of the stems of each public program's
  title, topic (direction and specialisation), organization and description (rowid =
  the program), and ``navigator_searchvocab``, its vocabulary (fts5vocab), where a
  misprint finds its closest stems.
- PostgreSQL: ``navigator_searchdoc`` with a tsvector of the same stems weighted A–D and
  a GIN index; the vocabulary stays ``navigator_searchword`` (trigram index).

Both are filled by ``index.refresh`` / ``index.rebuild``; this migration fills them for
a catalog that already has entries. (``registry_program.search_vector`` of migration
0002 is no longer read.)
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE navigator_searchdoc USING fts5(title, topic, organization, description, "
    "tokenize='unicode61 remove_diacritics 0', prefix='3 4')",
    "CREATE VIRTUAL TABLE navigator_searchvocab USING fts5vocab(navigator_searchdoc, 'row')",
]
SQLITE_BACK = ["DROP TABLE IF EXISTS navigator_searchvocab", "DROP TABLE IF EXISTS navigator_searchdoc"]
POSTGRES = [
    "CREATE TABLE navigator_searchdoc (program_id bigint PRIMARY KEY, vector tsvector NOT NULL)",
    "CREATE INDEX navigator_searchdoc_vector ON navigator_searchdoc USING gin (vector)",
]
POSTGRES_BACK = ["DROP TABLE IF EXISTS navigator_searchdoc"]

DEFAULT_DICTIONARY = [
    "Python, питон, пайтон",
    "ИЗО, изобразительное искусство, изостудия",
    "рисование, рисунок, живопись",
    "ЮИД, юные инспекторы движения",
    "ОФП, общая физическая подготовка",
    "ГТО, готов к труду и обороне",
    "ЛЕГО, LEGO",
    "робототехника, роботы",
    "3D, 3Д, трёхмерное моделирование",
    "IT, ИТ, айти, программирование",
    "БПЛА, беспилотники, дроны, квадрокоптеры",
    "ДПИ, декоративно-прикладное творчество",
    "английский, English, инглиш",
    "пение, вокал",
    "танцы, хореография",
    "бассейн, плавание",
    "борьба, единоборства",
    "ТРИЗ, теория решения изобретательских задач",
]


def _tables(forward):
    def operation(apps, schema_editor):
        postgres = schema_editor.connection.vendor == "postgresql"
        statements = (POSTGRES if forward else POSTGRES_BACK) if postgres else (
            SQLITE if forward else SQLITE_BACK)
        for statement in statements:
            schema_editor.execute(statement)
    return operation


def fill(apps, schema_editor):
    CatalogEntry = apps.get_model("navigator", "CatalogEntry")
    if CatalogEntry.objects.using(schema_editor.connection.alias).exists():
        from opora.navigator import index

        index.write_documents()


def dictionary(apps, schema_editor):
    SearchSynonym = apps.get_model("navigator", "SearchSynonym")
    SearchSynonym.objects.using(schema_editor.connection.alias).bulk_create(
        [SearchSynonym(variants=variants) for variants in DEFAULT_DICTIONARY])


class Migration(migrations.Migration):
    dependencies = [("navigator", "0005_search_synonym")]
    operations = [
        migrations.RunPython(_tables(True), _tables(False)),
        migrations.RunPython(dictionary, migrations.RunPython.noop),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
