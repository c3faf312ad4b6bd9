# dreamvideo — the two commands a person needs are `make demo` and `make test`.
# Both install what is missing (Debian packages, the model weights) before they build.

SWIFT      ?= swift
CONFIG     ?= release
BIN        := .build/$(CONFIG)/dreamvideo
CACHE      := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/dreamvideo
TESTDATA   := $(or $(DREAMVIDEO_TESTDATA),$(CACHE)/testdata)
DEMO_OUT   ?= demo-out

# Debian packages the build, the setup and the tests need.
DEB_PACKAGES := pkg-config libavcodec-dev libavformat-dev libswscale-dev libavutil-dev \
                libpng-dev libturbojpeg0-dev libdnnl-dev ffmpeg python3 python3-pip ca-certificates

export OMP_WAIT_POLICY ?= passive

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps models testdata build demo test bench clean fuzz

all: build

deps:
	@command -v $(SWIFT) >/dev/null || { echo "error: swift is not on PATH; install Swift 6 from swift.org first" >&2; exit 1; }
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

models: deps
	@bash tools/fetch_models.sh

testdata: deps
	@bash tools/fetch_testdata.sh "$(TESTDATA)"

build: deps
	$(SWIFT) build -c $(CONFIG)

demo: models build
	@mkdir -p $(DEMO_OUT)
	$(BIN) examples/logo.png --schedule presets/demo.json -o $(DEMO_OUT)/demo.mp4 \
	  --frames-dir $(DEMO_OUT)/frames --overwrite
	@echo "demo written to $(DEMO_OUT)/demo.mp4 (frames in $(DEMO_OUT)/frames)"

test: models testdata
	$(SWIFT) build -c $(CONFIG)
	$(SWIFT) test -c $(CONFIG) --disable-swift-testing

# libFuzzer on the schedule parser and the image decoders, FUZZ_SECONDS per target (CI runs it briefly).
FUZZ_SECONDS ?= 600
fuzz: deps
	bash Fuzz/run.sh all $(FUZZ_SECONDS)

clean:
	rm -rf .build $(DEMO_OUT)
