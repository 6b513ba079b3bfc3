-- The spec's vocabulary: CRITICAL is spelled URGENT (DESIGN § Event contracts). Rows first, then the rule.
UPDATE "tickets" SET "priority" = 'URGENT' WHERE "priority" = 'CRITICAL';--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "projection_tickets_priority_check" CHECK (priority in ('LOW', 'MEDIUM', 'HIGH', 'URGENT'));