# tided and tidectl (dom0, on Debian's libxen-dev) and the host unit tests of
# tided's policy. Included from the top Makefile.

TIDED_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE
TIDED_LIBS := -lxenstore -lxenctrl -lxentoollog
TIDED_HDR := $(wildcard tided/*.h)
TIDED_POLICY := tided/policy.c tided/observe.c tided/share.c tided/fluid.c tided/saved.c
TIDED_COMMON := $(TIDED_POLICY) tided/config.c tided/roster.c tided/say.c tided/gather.c tided/xs_io.c tided/xc_io.c \
	tided/events.c tided/event_ring.c
TIDECTL_SRC := tided/tidectl.c tided/tidectl_status.c tided/tidectl_events.c tided/json.c

$(BUILD)/tided: tided/tided.c $(TIDED_COMMON) $(TIDED_HDR)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(TIDED_CFLAGS) -o $@ tided/tided.c $(TIDED_COMMON) $(TIDED_LIBS)

$(BUILD)/tidectl: $(TIDECTL_SRC) $(TIDED_COMMON) $(TIDED_HDR)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(TIDED_CFLAGS) -o $@ $(TIDECTL_SRC) $(TIDED_COMMON) $(TIDED_LIBS)

# tided's policy for QEMU guests over QMP: no Xen library.
TIDED_QEMU_SRC := tided/tided_qemu.c tided/qemu_guests.c tided/qmp_io.c tided/say.c tided/config.c tided/roster.c $(TIDED_POLICY)
$(BUILD)/tided-qemu: $(TIDED_QEMU_SRC) $(TIDED_HDR)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(TIDED_CFLAGS) -o $@ $(TIDED_QEMU_SRC)

# Pure C: the policy, the config file and a simulated host; no Xen.
TIDED_UNIT_SRC := $(TIDED_POLICY) tided/config.c tided/roster.c tided/qmp_io.c tided/events.c tided/json.c \
	$(wildcard tided/tests/*.c)
$(BUILD)/tided-unit-tests: $(TIDED_UNIT_SRC) $(TIDED_HDR) $(wildcard tided/tests/*.h) kernel/include/tide/floor.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (ASan, UBSan)"
	@$(CC) -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $(TIDED_UNIT_SRC)

all: $(BUILD)/tided $(BUILD)/tidectl $(BUILD)/tided-qemu $(BUILD)/tided-unit-tests

# The hostile-guest fuzz of tided's policy (tided/tests/fuzz.c), long: 10^6
# rounds from a new seed each time (make tided-fuzz TIDED_FUZZ_SEED=N replays
# one). The unit suite runs 10^4 rounds from a fixed seed.
TIDED_FUZZ_ROUNDS ?= 1000000
TIDED_FUZZ_SEED ?= $(shell date +%s)
.PHONY: tided-fuzz
tided-fuzz: $(BUILD)/tided-unit-tests
	$(BUILD)/tided-unit-tests fuzz $(TIDED_FUZZ_ROUNDS) $(TIDED_FUZZ_SEED)

# ---- installing the host side, and its Debian package ----
TIDE_VERSION := 0.1.0
TIDE_DEB_VERSION := $(TIDE_VERSION)-1
TIDE_DEB := $(BUILD)/tide-host_$(TIDE_DEB_VERSION)_amd64.deb
TIDED_BINS := $(BUILD)/tided $(BUILD)/tidectl $(BUILD)/tided-qemu
TIDED_MAN := $(wildcard tided/man/*.[0-9])
PREFIX ?= /usr/local

# make install-host [PREFIX=/usr/local] [DESTDIR=]: the binaries in sbin, the
# man pages, the systemd unit (its ExecStart pointed at PREFIX/sbin; systemd
# reads /usr/local/lib/systemd/system too) and the example config in
# share/doc/tide. /etc/tided.conf is not written: tided runs on its defaults
# without one; copy the example there to change them (the .deb installs it
# as a conffile).
.PHONY: install-host deb
install-host: $(TIDED_BINS)
	install -D -m 0755 -t $(DESTDIR)$(PREFIX)/sbin $(TIDED_BINS)
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/man/man8 $(filter %.8,$(TIDED_MAN))
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/man/man5 $(filter %.5,$(TIDED_MAN))
	install -D -m 0644 tided/tided.conf.example $(DESTDIR)$(PREFIX)/share/doc/tide/tided.conf.example
	sed 's|^ExecStart=/usr/sbin/|ExecStart=$(PREFIX)/sbin/|' tided/tided.service > $(BUILD)/tided.service
	install -D -m 0644 $(BUILD)/tided.service $(DESTDIR)$(PREFIX)/lib/systemd/system/tided.service

# make deb: build/tide-host_VERSION_amd64.deb (tools/mkdeb says what it holds)
deb: $(TIDE_DEB)
$(TIDE_DEB): $(TIDED_BINS) $(TIDED_MAN) tided/tided.service tided/tided.conf.example tools/mkdeb
	@echo "  DEB     $@"
	@tools/mkdeb $(TIDE_DEB_VERSION) $(BUILD) $@ >/dev/null

all: $(TIDE_DEB)
