#!/usr/bin/env bash
# Refresh the translation catalogs after changing user-visible strings:
#   extract → update ru/en .po → compile .mo. Translate new entries in the .po files, then
#   run it again to compile. tests/test_locales.py fails while catalogs are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k _ -k __ -k ngettext:1,2 --no-location --sort-output \
  --project=journal-bot --omit-header -o locales/messages.pot .
for locale in ru en; do
  if [ -f "locales/$locale/LC_MESSAGES/messages.po" ]; then
    pybabel update -i locales/messages.pot -d locales -D messages -l "$locale" \
      --no-fuzzy-matching --omit-header --ignore-obsolete
  else
    pybabel init -i locales/messages.pot -d locales -D messages -l "$locale"
  fi
done
# English msgids are the English text: the en catalog says so explicitly, entry by entry.
python3 - <<'PY'
from babel.messages.pofile import read_po, write_po

for locale in ("ru", "en"):
    path = f"locales/{locale}/LC_MESSAGES/messages.po"
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale=locale)
    catalog.fuzzy = False  # the header, as pybabel init leaves it
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if locale == "en" and message.id and not any(strings):
            message.string = message.id
    with open(path, "wb") as handle:
        write_po(handle, catalog, no_location=True, sort_output=True, width=100)
PY
pybabel compile -d locales -D messages --statistics
