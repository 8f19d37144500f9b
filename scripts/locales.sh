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
pybabel compile -d locales -D messages --statistics
