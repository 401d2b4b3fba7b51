# Tenant pages and the member's canvas (issue 21). One message per text; see docs/i18n.md.
language-name = English
language-switch = Language: { $language }
