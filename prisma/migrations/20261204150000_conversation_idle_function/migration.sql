-- The conversation_idle trigger's step for one message, in one round trip (it runs on the
-- processing path of every message: five statements and a commit each waiting on the network
-- and on a WAL flush cost more than the message's own insert). See
-- src/automation/idle-trigger.handler.ts for the rules it keeps.
--
-- Each statement of a VOLATILE PL/pgSQL function reads with a fresh snapshot, so the statements
-- after the advisory lock see what the conversation's previous holder committed. The commit is
-- asynchronous, as the message inserts are: the event's processed mark, committed synchronously
-- after its handlers, flushes this commit's WAL with its own; a crash before it replays the event.
CREATE FUNCTION conversation_idle_observe(
    p_page_id TEXT,
    p_user_id TEXT,
    p_customer_at TIMESTAMPTZ,
    p_page_at TIMESTAMPTZ,
    p_now TIMESTAMPTZ
) RETURNS VOID LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    seen_customer_at TIMESTAMPTZ;
    seen_page_at TIMESTAMPTZ;
BEGIN
    -- Disabled rules count too: their scheduled decisions are still cancelled by a customer's
    -- message. With no conversation_idle rule at all, a message costs this one indexed read.
    IF NOT EXISTS (SELECT 1 FROM survey_rules WHERE trigger_type = 'conversation_idle') THEN
        RETURN;
    END IF;
    PERFORM set_config('synchronous_commit', 'off', true);
    PERFORM pg_advisory_xact_lock(
        hashtextextended('conversation_idle' || E'\n' || p_page_id || E'\n' || p_user_id, 0));

    INSERT INTO idle_watches (page_id, user_id, customer_at, page_at)
    VALUES (p_page_id, p_user_id, p_customer_at, p_page_at)
    ON CONFLICT (page_id, user_id) DO UPDATE
    SET customer_at = GREATEST(idle_watches.customer_at, EXCLUDED.customer_at),
        page_at = GREATEST(idle_watches.page_at, EXCLUDED.page_at)
    RETURNING customer_at, page_at INTO seen_customer_at, seen_page_at;

    IF seen_customer_at IS NULL OR seen_page_at IS NULL OR seen_page_at <= seen_customer_at THEN
        -- The customer wrote last (or the Page has not answered yet): nothing is awaited.
        UPDATE survey_decisions
        SET outcome = 'cancelled', reason = 'customer_wrote_again', lease_until = NULL, decided_at = p_now
        WHERE page_id = p_page_id AND user_id = p_user_id
          AND trigger = 'conversation_idle' AND outcome = 'scheduled';
        RETURN;
    END IF;

    -- The exchange's scheduled decisions take its latest anchor and Page message.
    UPDATE survey_decisions d
    SET customer_at = GREATEST(d.customer_at, seen_customer_at),
        page_at = GREATEST(d.page_at, seen_page_at),
        due_at = GREATEST(d.page_at, seen_page_at) + make_interval(mins => (r.trigger ->> 'idleMinutes')::int)
    FROM survey_rules r
    WHERE r.id = d.rule_id AND d.page_id = p_page_id AND d.user_id = p_user_id
      AND d.trigger = 'conversation_idle' AND d.outcome = 'scheduled';

    -- Enabled rules watching this Page with no decision for this exchange yet get one. The key
    -- names the exchange by its anchor; the unique indexes make a second one impossible.
    INSERT INTO survey_decisions
        (rule_id, page_id, user_id, trigger, event_key, outcome, due_at, decided_at, customer_at, page_at)
    SELECT r.id, p_page_id, p_user_id, 'conversation_idle',
           'conversation_idle:' || p_page_id || ':' || p_user_id || ':'
               || floor(extract(epoch FROM seen_customer_at) * 1000)::bigint,
           'scheduled', seen_page_at + make_interval(mins => (r.trigger ->> 'idleMinutes')::int),
           p_now, seen_customer_at, seen_page_at
    FROM survey_rules r
    WHERE r.trigger_type = 'conversation_idle' AND r.enabled
      AND (r.page_ids IS NULL OR jsonb_typeof(r.page_ids) = 'null'
           OR r.page_ids @> jsonb_build_array(p_page_id))
      AND NOT EXISTS (
          SELECT 1 FROM survey_decisions d
          WHERE d.rule_id = r.id AND d.page_id = p_page_id AND d.user_id = p_user_id
            AND d.trigger = 'conversation_idle'
            AND (d.outcome = 'scheduled' OR d.customer_at >= seen_customer_at))
    ON CONFLICT DO NOTHING;
END
$$;
