/** @module The SQL that bench/creates.ts gives pgbench: the scratch schema, and the scripts it times (the reference INSERT, with a NOTIFY, and the service's create statement). */

/** Projects the creates are spread over, by wrk against the service and by the service-shaped script. */
export const PROJECTS = 16;

export const PGBENCH_SCHEMA = `
create table bench_ticket (
  id uuid primary key,
  project_id uuid not null,
  title text not null,
  description text,
  priority text not null,
  status text not null,
  reporter_id uuid not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- For the service's create statement.
create table bench_project (n int primary key, id uuid not null, key text not null, ticket_counter int not null default 0, version int not null default 1);
insert into bench_project (n, id, key) select n, gen_random_uuid(), 'P' || n from generate_series(1, ${PROJECTS}) n;
create table bench_member (project_n int not null references bench_project, user_id uuid not null, primary key (project_n, user_id));
insert into bench_member select n, '00000000-0000-4000-8000-000000000002' from generate_series(1, ${PROJECTS}) n;
create table bench_ticket2 (
  id uuid primary key, project_id uuid not null, number int not null, code text not null unique, title text not null,
  priority text not null, status text not null, labels text[] not null default '{}', reporter_id uuid not null,
  version int not null default 1, created_at timestamptz not null default now(), updated_at timestamptz not null default now(),
  unique (project_id, number)
);
create index on bench_ticket2 (project_id, status);
create table bench_outbox (
  seq bigserial primary key, id uuid not null unique, aggregatetype text not null, aggregateid text not null, type text not null,
  partition_key text not null, stream_version bigint, payload jsonb not null, headers jsonb not null,
  created_at timestamptz not null default now(), published_at timestamptz
);
create index on bench_outbox (seq) where published_at is null;
create index on bench_outbox (partition_key, stream_version);
`;

export const INSERT_ONE = `INSERT INTO bench_ticket (id, project_id, title, priority, status, reporter_id)
  VALUES (gen_random_uuid(), '00000000-0000-4000-8000-000000000001', 'a ticket created by pgbench', 'MEDIUM', 'OPEN', gen_random_uuid());
`;

export const INSERT_NOTIFY = `BEGIN;
${INSERT_ONE}SELECT pg_notify('outbox', '');
END;
`;

/**
 * The service's create (services/tickets/src/tickets/ticketCreator.ts) on 16 projects: one
 * autocommitted statement, a data-modifying CTE with the membership check, the UPDATE that locks
 * the project and takes its version and number, the ticket INSERT and the outbox INSERT (the relay
 * is woken after commit, in-process, so no NOTIFY).
 */
export const SERVICE_CREATE = `\\set p random(1, ${PROJECTS})
WITH target AS (
  SELECT p.n FROM bench_project p JOIN bench_member m ON m.project_n = p.n AND m.user_id = '00000000-0000-4000-8000-000000000002'
  WHERE p.n = :p
), counted AS (
  UPDATE bench_project SET ticket_counter = ticket_counter + 1, version = version + 1 WHERE n = (SELECT n FROM target)
  RETURNING id, version, ticket_counter AS number, key || '-' || ticket_counter AS code
), ticket AS (
  INSERT INTO bench_ticket2 (id, project_id, number, code, title, priority, status, labels, reporter_id)
  SELECT gen_random_uuid(), c.id, c.number, c.code, 'a ticket created by pgbench', 'HIGH', 'OPEN',
         array(SELECT jsonb_array_elements_text('["bench","l1"]'::jsonb)), '00000000-0000-4000-8000-000000000002'
  FROM counted c
), event AS (
  INSERT INTO bench_outbox (id, aggregatetype, aggregateid, type, partition_key, stream_version, payload, headers)
  SELECT gen_random_uuid(), 'ticket', gen_random_uuid()::text, 'ticket.created', c.id::text, c.version,
         '{"title":"a ticket created by pgbench","priority":"HIGH","status":"OPEN"}'::jsonb || jsonb_build_object('projectId', c.id, 'version', c.version, 'code', c.code),
         '{"event-type":"ticket.created","schema-version":"1"}'
  FROM counted c
)
SELECT id, version, number, code FROM counted;
`;
