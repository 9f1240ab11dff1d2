# A stand-in for the official postgres image, built from Debian's own PostgreSQL packages for
# machines that reach no image registry (scripts/containers builds it as
# localhost/postgres-debian:15; compose.yaml takes it through POSTGRES_IMAGE). Like the official
# image it creates the cluster on first start from POSTGRES_USER, POSTGRES_PASSWORD and
# POSTGRES_DB, keeps it in the volume /var/lib/postgresql/data, accepts password (SCRAM)
# connections from the network, has pg_isready on PATH and stops fast on SIGINT.
FROM debian:bookworm-slim

# Debian's packages create a cluster of their own on installation; the entrypoint makes ours.
RUN mkdir -p /etc/postgresql-common \
    && printf 'create_main_cluster = false\n' >/etc/postgresql-common/createcluster.conf \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
    && chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql

ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
CMD ["postgres"]
