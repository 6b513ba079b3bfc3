-- infra/postgres-init.sql — the databases of SyncroBoard, one per service.
-- Mounted by compose.yaml into the postgres image's /docker-entrypoint-initdb.d,
-- which runs it once, on an empty data volume, as the postgres superuser.
-- (On a machine's own Postgres, infra/up.sh creates the same databases.)
CREATE DATABASE syncro_ticket_db;
CREATE DATABASE syncro_auth_db;
CREATE DATABASE syncro_assign_db;
CREATE DATABASE syncro_notify_db;
