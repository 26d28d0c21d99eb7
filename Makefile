# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Tesseract reads scanned letters that have no text layer (osd: page orientation); the tests
# also start a real Dovecot and drive the review app in a real headless Chromium (Debian's,
# never a downloaded one).
DEMO_APT := tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd
TEST_APT := $(DEMO_APT) dovecot-imapd openssl chromium chromium-driver

.PHONY: demo test lint install system-deps bench contract clean

demo: install
	$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(DEMO_APT)"
	$(BIN)/triage demo

test: install
	$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(TEST_APT)"
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist loadfile

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Every Python dependency is pinned in constraints.txt, so a fresh machine installs what CI ran.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

# System packages from Debian, installed only when missing.
APT_PACKAGES ?= $(TEST_APT)
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install
	$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(DEMO_APT)"
	$(BIN)/python -m bench.pipeline_bench
	$(BIN)/python -m bench.throughput
	$(BIN)/python -m bench.ocr

contract: install
	../shared/tools/check-contract

clean:
	rm -rf var .pytest_cache .ruff_cache
