# Pagine dei membri e canvas dell'app.
language-name = Italiano
language-switch = Lingua: { $language }
