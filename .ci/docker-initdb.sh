#!/bin/sh
# footnote's roles and database in docker-compose.yml's db service. The image runs this once,
# on an empty data volume, as its superuser (POSTGRES_USER), before it accepts connections
# from other containers. footnote owns the database and runs the migrations; footnote_app is
# what footnote works as: the migrations grant it rows, never tables, and row-level security
# confines it to one collection per transaction. Neither is a superuser. The passwords come
# from the environment (FOOTNOTE_OWNER_PASSWORD, FOOTNOTE_APP_PASSWORD) and reach psql as
# variables, quoted by psql itself.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_pw="$FOOTNOTE_OWNER_PASSWORD" -v app_pw="$FOOTNOTE_APP_PASSWORD" <<'SQL'
CREATE ROLE footnote LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'owner_pw';
CREATE ROLE footnote_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'app_pw';
CREATE DATABASE footnote OWNER footnote;
\connect footnote
-- The vector extension is the superuser's to create; the migrations find it there.
CREATE EXTENSION IF NOT EXISTS vector;
SQL
