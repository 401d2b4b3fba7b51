# Emails to tenants.
