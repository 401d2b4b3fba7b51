-- Optix's budget of 60 requests per minute is per token, whichever process sends them (issue 20).
-- Every provision instance counts an organization's requests here, so an instance that takes an
-- organization over (a partition moved, an instance died) knows what the previous one spent in
-- the window and Optix never answers 429. Keys are digests of tokens, never tokens. Operational
-- state, not a projection: rows older than the window are deleted as keys are used.
CREATE TABLE optix_budget_spent (
    token_key text        NOT NULL,
    sent_at   timestamptz NOT NULL
);
CREATE INDEX optix_budget_spent_by_key ON optix_budget_spent (token_key, sent_at);

-- A 429's Retry-After, for every instance.
CREATE TABLE optix_budget_blocks (
    token_key     text        PRIMARY KEY,
    blocked_until timestamptz NOT NULL
);

-- Takes one request of `key`'s budget of `budget_limit` per `budget_window` if it is free now
-- (answers NULL) or answers how long until it is, taking nothing. One call is atomic across
-- instances (a transaction-scoped advisory lock per key); PostgreSQL's clock is the one clock.
CREATE FUNCTION take_optix_budget(key text, budget_limit integer, budget_window interval)
RETURNS interval LANGUAGE plpgsql AS $$
DECLARE
    now_at  timestamptz := clock_timestamp();
    blocked timestamptz;
    nth     timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('optix-budget:' || key, 0));
    SELECT blocked_until INTO blocked FROM optix_budget_blocks WHERE token_key = key;
    IF blocked > now_at THEN
        RETURN blocked - now_at;
    END IF;
    DELETE FROM optix_budget_spent WHERE token_key = key AND sent_at <= now_at - budget_window;
    -- The limit-th most recent request still in the window: the budget frees when it leaves.
    SELECT sent_at INTO nth FROM optix_budget_spent WHERE token_key = key
     ORDER BY sent_at DESC OFFSET budget_limit - 1 LIMIT 1;
    IF nth IS NOT NULL THEN
        RETURN nth + budget_window - now_at;
    END IF;
    INSERT INTO optix_budget_spent (token_key, sent_at) VALUES (key, now_at);
    RETURN NULL;
END
$$;
