# Kiln's two commands: `make run` and `make test`. Everything else here is
# what they need: a toolchain bootstrap that installs only what is missing
# (from the package registries only), the optimized build, and the test steps.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Pinned tool versions. wasm-bindgen must equal the crate version in
# Cargo.lock, so it is read from there.
CARGO_LEPTOS_VERSION := 0.3.11
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ {getline; gsub(/version = |"/, ""); print}' Cargo.lock)
BINARYEN_VERSION := 132.0.0
TAILWIND_VERSION := 4.3.5
ESBUILD_VERSION := 0.28.2
LIGHTNINGCSS_VERSION := 1.33.0

# npm-installed build tools (Tailwind CLI, wasm-opt, esbuild, Lightning CSS)
# live outside the checkout so every clone on the machine shares them.
TOOLS_DIR ?= $(HOME)/.local/share/kiln-tools
# scripts/on-path/ comes first on PATH: its wasm-opt runs npm's binaryen
# faster than npm's own launcher does (the script says why).
ON_PATH := $(CURDIR)/scripts/on-path
export KILN_TOOLS_DIR := $(TOOLS_DIR)
NPM_TOOLS_STAMP := $(TOOLS_DIR)/.installed-tailwind-$(TAILWIND_VERSION)-binaryen-$(BINARYEN_VERSION)-esbuild-$(ESBUILD_VERSION)-lightningcss-$(LIGHTNINGCSS_VERSION)
DEBIAN_RUST_PACKAGES := rustc-web cargo-web rust-web-src rust-web-clippy lld-19

KILN_ADDR ?= 127.0.0.1:3000
KILN_DATABASE_URL ?= sqlite://data/kiln.db
KILN_LOG ?= info
export KILN_ADDR KILN_DATABASE_URL KILN_LOG

# The WebAssembly half needs a wasm32 standard library. A rustup toolchain
# with the wasm32 target has one; otherwise Debian's rust-web toolchain
# (rustc 1.96) builds it from source with -Zbuild-std (docs/decisions/0003).
ifeq ($(shell rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown && echo yes),yes)
  TOOLCHAIN := rustup
  WASM_CARGO_ARGS :=
  export PATH := $(ON_PATH):$(TOOLS_DIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
else
  TOOLCHAIN := debian
  WASM_CARGO_ARGS := -Zbuild-std=std,panic_abort
  export PATH := $(ON_PATH):$(TOOLS_DIR)/node_modules/.bin:/usr/bin:$(HOME)/.cargo/bin:$(PATH)
  export RUSTC := /usr/bin/rustc
  export RUSTC_BOOTSTRAP := 1
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER := wasm-ld-19
  # The bundle is built from more than one crate (kiln-core below app).
  # Across a crate boundary rustc reuses the other crate's generic
  # instances and inlines less, and wasm-split then moves code the lazy
  # pages share into the main bundle every shopper downloads: 355 KB gzip
  # became 396 KB. These two restore most of it (363 KB); they are
  # unstable flags, so only this toolchain, which already builds with
  # RUSTC_BOOTSTRAP, sets them (docs/decisions/0009, docs/benchmarks.md).
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS := -Zshare-generics=n -Zcross-crate-inline-threshold=always
endif
# Tailwind resolves `@import "tailwindcss"` through NODE_PATH.
export NODE_PATH := $(TOOLS_DIR)/node_modules
export CARGO_TERM_COLOR ?= auto
# A test run builds everything once from a clean clone: incremental caches
# only add gigabytes to target/ and time to that first build. (A CI run
# once failed with a full disk.)
export CARGO_INCREMENTAL ?= 0

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
KILN_RELEASE := target/release/kiln
# The server the browser tests drive: the one `cargo test` builds for the
# integration tests (docs/decisions/0008-test-build.md).
KILN_TEST_SERVER := target/debug/kiln
SITE_ROOT := target/site

# $(call step,Title,command): prints what it does and how long it took.
define step
	@printf '\n\033[1m==> %s\033[0m\n' "$(1)"; \
	started=$$(date +%s); \
	$(2); \
	printf '    %s: done in %ss\n' "$(1)" "$$(( $$(date +%s) - started ))"
endef

.PHONY: help run test bootstrap toolchain dev-tools npm-tools browser postgres build \
        release-server browser-bundle fmt-check clippy unit-tests e2e e2e-deps clean-data

help:
	@echo "make run   build the optimized app and serve it on http://$(KILN_ADDR)"
	@echo "make test  every check: format, clippy, unit, integration and browser tests"

## ---------------------------------------------------------------- the two commands

run: build
	$(call step,Migrate $(KILN_DATABASE_URL),$(KILN_RELEASE) migrate)
	$(call step,Load the demo business if the database is empty,$(KILN_RELEASE) seed --demo --if-empty)
	@printf '\n\033[1m==> Serving on http://%s (Ctrl-C stops)\033[0m\n' "$(KILN_ADDR)"
	@exec $(KILN_RELEASE) serve --addr $(KILN_ADDR) --site-root $(SITE_ROOT)

test: bootstrap browser
	@suite_started=$$(date +%s); \
	$(MAKE) fmt-check clippy unit-tests browser-bundle e2e; \
	printf '\n\033[1mAll tests passed in %ss\033[0m\n' "$$(( $$(date +%s) - suite_started ))"

## ---------------------------------------------------------------- toolchain bootstrap

bootstrap: toolchain npm-tools

toolchain:
ifeq ($(TOOLCHAIN),debian)
	@if dpkg -s $(DEBIAN_RUST_PACKAGES) >/dev/null 2>&1; then \
	  echo "toolchain: Debian rust-web $$(/usr/bin/rustc --version | cut -d' ' -f2) with build-std for wasm32"; \
	else \
	  printf '\n\033[1m==> Installing Debian rust-web toolchain (about a minute)\033[0m\n'; \
	  started=$$(date +%s); \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $(DEBIAN_RUST_PACKAGES); \
	  printf '    done in %ss\n' "$$(( $$(date +%s) - started ))"; \
	fi
else
	@echo "toolchain: rustup $$(rustc --version | cut -d' ' -f2) with its wasm32 target"
endif

# `make run` and `make test` do not need cargo-leptos: the browser bundle is
# built by kiln-bundle (frontend/bundle, docs/decisions/0010). These two are
# for `cargo leptos watch` while developing. Installed in debug mode: they
# only orchestrate and rewrite files (docs/decisions/0003-toolchain.md).
dev-tools: toolchain
	@if [ "$$(cargo leptos --version 2>/dev/null)" = "cargo-leptos $(CARGO_LEPTOS_VERSION)" ]; then \
	  echo "cargo-leptos $(CARGO_LEPTOS_VERSION): installed"; \
	else \
	  printf '\n\033[1m==> Installing cargo-leptos $(CARGO_LEPTOS_VERSION) (once per machine, about 6 minutes on 2 cores)\033[0m\n'; \
	  started=$$(date +%s); \
	  cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --debug; \
	  printf '    done in %ss\n' "$$(( $$(date +%s) - started ))"; \
	fi
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "wasm-bindgen $(WASM_BINDGEN_VERSION): installed"; \
	else \
	  printf '\n\033[1m==> Installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (once per machine, a few minutes)\033[0m\n'; \
	  started=$$(date +%s); \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --debug --force; \
	  printf '    done in %ss\n' "$$(( $$(date +%s) - started ))"; \
	fi

npm-tools: $(NPM_TOOLS_STAMP)
	@echo "tailwindcss $(TAILWIND_VERSION), wasm-opt (binaryen $(BINARYEN_VERSION)), esbuild $(ESBUILD_VERSION), lightningcss $(LIGHTNINGCSS_VERSION): installed"

# binaryen from npm, never Debian's: Debian's wasm-opt 108 mangles the
# reference types current Rust emits and the page silently fails to hydrate.
$(NPM_TOOLS_STAMP):
	$(call step,Installing the npm build tools (Tailwind CLI; wasm-opt; esbuild; Lightning CSS),\
	  mkdir -p $(TOOLS_DIR) && \
	  npm install --no-fund --no-audit --loglevel=error --prefix $(TOOLS_DIR) \
	    @tailwindcss/cli@$(TAILWIND_VERSION) tailwindcss@$(TAILWIND_VERSION) binaryen@$(BINARYEN_VERSION) \
	    esbuild@$(ESBUILD_VERSION) lightningcss-cli@$(LIGHTNINGCSS_VERSION) && \
	  touch $@)

browser:
	@if command -v $${CHROMIUM:-/usr/bin/chromium} >/dev/null; then \
	  echo "chromium: $$($${CHROMIUM:-/usr/bin/chromium} --version 2>/dev/null)"; \
	else \
	  printf '\n\033[1m==> Installing Debian chromium for the browser tests\033[0m\n'; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; \
	fi

# The store tests also run on PostgreSQL: Debian's server packages, started
# as a throwaway cluster for the run (scripts/test-postgres).
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "postgresql: $$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1 | cut -d/ -f5) (Debian)"; \
	else \
	  printf '\n\033[1m==> Installing Debian postgresql for the store tests\033[0m\n'; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q postgresql; \
	fi

## ---------------------------------------------------------------- build

# The two halves of the optimized build side by side (two cargo builds at
# once, sharing the cores): the server's release build needs only the
# toolchain, so on a fresh machine it starts while the bootstrap still
# installs the npm tools and the browser half compiles its bundler. The server is built by plain cargo, as
# `make test` builds the one the browser tests drive (docs/decisions/0008).
build:
	$(call step,Optimized build (server and browser bundle side by side),$(MAKE) -j2 release-server browser-bundle)

release-server: toolchain
	$(call step,Optimized server,cargo build --release --package kiln --bin kiln)

# What shoppers download, as `make run` ships it (the wasm-opt pass is where
# a wrong binaryen once broke hydration), built by kiln-bundle
# (frontend/bundle). `make test` builds it without the server's release
# build: the tests drive the server they already built.
browser-bundle: bootstrap
	$(call step,Optimized browser bundle (WebAssembly + CSS),cargo run --quiet --package kiln-bundle -- $(WASM_CARGO_ARGS))

## ---------------------------------------------------------------- test steps

fmt-check:
	$(call step,cargo fmt --check,cargo fmt --all --check)

# The hydrate half is linted on the host target: the same code, without
# rebuilding the standard library for wasm32.
clippy:
	$(call step,clippy (server features),cargo clippy --workspace --exclude frontend --all-targets --features app/ssr -- -D warnings)
	$(call step,clippy (browser features),cargo clippy -p kiln-core -p app -p frontend --all-targets --features app/hydrate -- -D warnings)

# A throwaway PostgreSQL cluster lives for the length of the test run; the
# trap stops and deletes it whether the tests pass or fail. All four
# packages' tests are built by one cargo command: the server's dev-dependencies add
# features to crates `app` also uses (reqwest's cookies), and two commands
# would build `app` and what it depends on twice, once with each set.
unit-tests: postgres
	$(call step,Unit and integration tests (SQLite and PostgreSQL),\
	  cluster=$$(mktemp -d /tmp/kiln-test-postgres.XXXXXX) && \
	  trap "scripts/test-postgres stop $$cluster" EXIT && \
	  export KILN_TEST_POSTGRES_URL=$$(scripts/test-postgres start $$cluster) && \
	  echo "    PostgreSQL for the tests: $$KILN_TEST_POSTGRES_URL" && \
	  cargo test -p kiln-core -p kiln-store -p app -p kiln --features app/ssr)

e2e-deps: end2end/node_modules/.package-lock.json

end2end/node_modules/.package-lock.json: end2end/package-lock.json
	$(call step,Installing browser test driver (playwright-core),cd end2end && npm ci --no-fund --no-audit --loglevel=error)

# Needs the server `make unit-tests` built and the bundle `make
# browser-bundle` wrote; `make test` runs all three in that order.
e2e: e2e-deps
	@test -x $(KILN_TEST_SERVER) -a -f $(SITE_ROOT)/pkg/kiln.wasm || \
	  { echo "e2e: run 'make unit-tests browser-bundle' first: it needs $(KILN_TEST_SERVER) and $(SITE_ROOT)/pkg/kiln.wasm" >&2; exit 1; }
	$(call step,Browser tests (the tests' server build + the optimized browser bundle),\
	  cd end2end && KILN_BIN=../$(KILN_TEST_SERVER) KILN_SITE_ROOT=../$(SITE_ROOT) node --test --test-concurrency=1 tests/)

clean-data:
	rm -rf data
