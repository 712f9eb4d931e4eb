# Sourced by .ci/run: a PostgreSQL server on loopback for the tests marked `postgres`.
#
# Uses the machine's PostgreSQL (installed with apt-get when missing), starts its cluster,
# creates a login role of this run's own with a random password (so two runs never change
# each other's), and exports CUSTOS_TEST_POSTGRES_URL. Each test creates and drops its own
# database through it.
# Prints one line on success; on any failure it says why and the postgres tests skip.

custos_start_postgres() {
    if ! command -v pg_lsclusters >/dev/null 2>&1; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "postgres: not installed and not root; the postgres tests will skip" >&2
            return 0
        fi
        (apt-get install -y -q postgresql >/dev/null 2>&1 \
            || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql >/dev/null 2>&1)) \
            || { echo "postgres: apt-get install failed; the postgres tests will skip" >&2; return 0; }
    fi
    local version cluster port
    read -r version cluster port < <(pg_lsclusters -h | awk 'NR == 1 {print $1, $2, $3}')
    if [ -z "${version:-}" ]; then
        echo "postgres: no cluster found; the postgres tests will skip" >&2
        return 0
    fi
    pg_ctlcluster "$version" "$cluster" start >/dev/null 2>&1 || true
    local password role
    password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
    role="custos_ci_$(python3 -c 'import secrets; print(secrets.token_hex(4))')"
    if ! runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password';
GRANT pg_signal_backend TO $role;  -- DROP DATABASE … WITH (FORCE) after each test
SQL
    then
        echo "postgres: could not create the test role; the postgres tests will skip" >&2
        return 0
    fi
    export CUSTOS_TEST_POSTGRES_URL="postgresql+psycopg://${role}:${password}@127.0.0.1:${port}/postgres"
    echo "postgres: PostgreSQL ${version} on 127.0.0.1:${port} for the postgres tests"
}

custos_start_postgres
