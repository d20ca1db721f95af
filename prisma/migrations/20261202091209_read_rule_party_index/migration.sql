-- SPEC 7's read rule finds a partner's events by who they were shipped to and received
-- from (EPCIS queries, named-query streams): without these, every read-rule query scans
-- every SHIP and RECEIVE event's JSON.
CREATE INDEX "ledger_event_ship_to_idx" ON "ledger_event" (("event_json"::jsonb ->> 'to')) WHERE "type" = 'SHIP';
CREATE INDEX "ledger_event_receive_from_idx" ON "ledger_event" (("event_json"::jsonb ->> 'from')) WHERE "type" = 'RECEIVE';
