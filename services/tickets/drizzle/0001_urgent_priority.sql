-- The spec's vocabulary: CRITICAL is spelled URGENT (DESIGN § Event contracts). Rows first, then the rule.
UPDATE "tickets" SET "priority" = 'URGENT' WHERE "priority" = 'CRITICAL';--> statement-breakpoint
-- Events already in the outbox keep their meaning under the new name: the event log and any replay
-- must pass today's contract.
UPDATE "outbox" SET "payload" = jsonb_set("payload", '{priority}', '"URGENT"') WHERE "payload"->>'priority' = 'CRITICAL';--> statement-breakpoint
UPDATE "outbox" SET "payload" = jsonb_set("payload", '{changes,priority,from}', '"URGENT"') WHERE "payload"#>>'{changes,priority,from}' = 'CRITICAL';--> statement-breakpoint
UPDATE "outbox" SET "payload" = jsonb_set("payload", '{changes,priority,to}', '"URGENT"') WHERE "payload"#>>'{changes,priority,to}' = 'CRITICAL';--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_priority_check" CHECK (priority in ('LOW', 'MEDIUM', 'HIGH', 'URGENT'));