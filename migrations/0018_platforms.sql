-- Which membership platform an organization lives on (issue 23): Optix (every organization
-- before this migration) or OfficeRnD, and for OfficeRnD the application's client id and the
-- organization's slug (`domain::PlatformAccount`; the client secret is the sealed `token`).
-- A projection of `IntegrationConfigured`, rebuilt by `lanyard replay`.
ALTER TABLE organizations
    ADD COLUMN platform text NOT NULL DEFAULT 'optix',
    ADD COLUMN account  jsonb;
