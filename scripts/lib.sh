# shellcheck shell=bash
# Helpers sourced by scripts/run and scripts/test. Not meant to be executed on its own.

# Debian/Ubuntu packages the build needs: a C toolchain, make and linker (build-essential),
# libpq (the api binary links libpq even when it runs on SQLite; SQLite itself is compiled in)
# and cmake (the proxy's pingora builds zlib-ng with it). OpenSSL is compiled from source by the
# openssl crate's vendored feature, which needs perl (part of Debian's base system) and make.
# shellcheck disable=SC2034 # used by the scripts that source this file
BUILD_PACKAGES=(build-essential pkg-config libpq-dev cmake)
# What the tests need on top: PostgreSQL server binaries (the tests start their own throwaway
# cluster from /usr/lib/postgresql/*/bin), CA certificates, and prometheus for its promtool,
# which checks the metrics the api serves and the example scrape configuration in deploy/.
# shellcheck disable=SC2034
TEST_PACKAGES=(postgresql ca-certificates prometheus)

say() {
    printf '==> %s\n' "$*" >&2
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Makes sure `cargo` is on PATH, picking up a rustup install the current shell has not seen yet.
ensure_cargo() {
    if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
        # shellcheck source=/dev/null
        . "$HOME/.cargo/env"
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        die "cargo was not found on PATH. Install Rust with rustup (https://rustup.rs):
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh
then open a new shell (or run: . \"\$HOME/.cargo/env\") and try again."
    fi
}

# ensure_packages PKG...: installs the Debian packages that are not installed yet, as root
# directly or through sudo; without either it prints the apt-get command and stops. apt-get
# waits for another install holding the dpkg lock (up to 10 minutes) instead of failing at once.
ensure_packages() {
    [ "$#" -gt 0 ] || return 0
    if ! command -v dpkg-query >/dev/null 2>&1; then
        say "not a Debian/Ubuntu system (no dpkg): make sure the equivalents of these packages are installed: $*"
        return 0
    fi
    local pkg
    local missing=()
    for pkg in "$@"; do
        # shellcheck disable=SC2016 # ${Status} is dpkg-query's format field, not a shell variable
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    [ "${#missing[@]}" -gt 0 ] || return 0

    if [ "$(id -u)" = 0 ]; then
        say "installing missing system packages: ${missing[*]}"
        apt-get -o DPkg::Lock::Timeout=600 update -qq
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
    elif command -v sudo >/dev/null 2>&1; then
        say "installing missing system packages with sudo: ${missing[*]}"
        sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
        sudo DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
    else
        printf 'error: missing system packages and no sudo to install them. Run as root:\n' >&2
        printf '    sudo apt-get install -y --no-install-recommends %s\n' "${missing[*]}" >&2
        exit 1
    fi
}

# dotenv_value NAME: the value NAME has in ./.env (last assignment wins), or nothing.
dotenv_value() {
    [ -f .env ] || return 0
    local line
    line=$(grep -E "^[[:space:]]*(export[[:space:]]+)?$1=" .env | tail -n 1) || return 0
    line=${line#*=}
    case $line in
        \"*) line=${line#\"}; line=${line%%\"*} ;;
        \'*) line=${line#\'}; line=${line%%\'*} ;;
        *) line=${line%%[[:space:]]#*}; line=${line%%[[:space:]]} ;;
    esac
    printf '%s' "$line"
}
