# Mitgliederseiten und Canvas der App.
language-name = Deutsch
language-switch = Sprache: { $language }
