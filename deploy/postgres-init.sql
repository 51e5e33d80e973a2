-- The lake's catalog lives beside the Dagster instance, in a database of its own.
CREATE DATABASE newslake OWNER newsassets;
