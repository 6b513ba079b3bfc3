CREATE TABLE "parked_events" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"topic" text NOT NULL,
	"version" bigint NOT NULL,
	"envelope" jsonb NOT NULL,
	"parked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "parked_events_ticket_idx" ON "parked_events" USING btree ("ticket_id","version");