-- Languages (issue 21): the language each member last chose on the portal (`LanguageChosen`,
-- an `i18n::Lang` code; the row goes with `AccountDeleted`) and the locale the platform reports
-- for each organization (`OrganizationLocaleSet`, Optix's raw `locale` such as `fr_CA`).
-- Read models of the `languages` projection, rebuilt by `lanyard replay`.
CREATE TABLE member_languages (
  org_id    text NOT NULL,
  user_id   text NOT NULL,
  language  text NOT NULL,
  chosen_at timestamptz NOT NULL,
  CONSTRAINT member_languages_pkey PRIMARY KEY (org_id, user_id)
);

CREATE TABLE organization_locales (
  org_id text PRIMARY KEY,
  locale text NOT NULL
);
