# Shared set-up steps for bin/run and bin/test (sourced, not run).
# - finds a Python 3.12+ (Django 6 needs it) and refuses an older one with a clear message;
# - creates .venv and installs the locked dependencies (requirements/*.lock) when they changed;
# - installs the Debian packages the app needs when they are missing (as root), or names them.

die() { printf '\n%s\n' "ERROR: $*" >&2; exit 1; }

find_python() {
  local cand
  for cand in "${PYTHON:-}" python3.13 python3.12 python3; do
    [ -n "$cand" ] || continue
    if command -v "$cand" >/dev/null 2>&1 \
      && "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
      printf '%s\n' "$cand"
      return 0
    fi
  done
  return 1
}

setup_python() {  # $1: app | test
  local lock="requirements/$1.lock" py stamp
  py=$(find_python) || die "ProjectCRM needs Python 3.12 or newer (Django 6.1 does not run on older ones).
Found: $(python3 --version 2>&1 || echo 'no python3').
Install Python 3.12+, or point PYTHON=/path/to/python3.12 at one, and run this command again."
  if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
    echo "Replacing .venv: it was made with an older Python."
    rm -rf .venv
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv with $("$py" --version)"
    "$py" -m venv .venv || die "Could not create a virtual environment with $py (Debian: apt-get install python3-venv)."
  fi
  stamp=".venv/.installed-$1-$(sha256sum "$lock" | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "Installing locked dependencies from $lock"
    .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
    .venv/bin/python -m pip install --quiet --require-hashes -r "$lock" || die "Installing $lock failed (see above)."
    rm -f .venv/.installed-"$1"-*
    touch "$stamp"
  fi
}

ensure_debian_packages() {  # $@: package names
  local missing=() pkg
  command -v dpkg-query >/dev/null 2>&1 || { echo "Not a Debian system: make sure these are installed: $*"; return 0; }
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/tmp/projectcrm-apt.log 2>&1 \
      || die "apt-get install ${missing[*]} failed; see /tmp/projectcrm-apt.log"
  else
    die "These Debian packages are missing: ${missing[*]}
Install them as root (sudo apt-get install ${missing[*]}) and run this command again."
  fi
}

# CJK fonts (Chinese in PDFs), harfbuzz subsetting (fast PDF font embedding), gettext (messages),
# chromium (kaleido draws the charts of a PDF as SVG in it; Playwright drives it in the browser tests).
APP_PACKAGES=(fonts-noto-cjk libharfbuzz-subset0 gettext chromium)
# poppler for PDF checks (pdftotext, pdffonts).
TEST_PACKAGES=(poppler-utils)
