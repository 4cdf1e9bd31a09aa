# Tide: a small kernel for Xen guests with elastic memory.
#
#   make            build the guest images (build/tide-*.elf)
#   make check      unit tests (host, ASan+UBSan) and in-guest tests under real Xen
#   make demo       boot the demo guest under Xen in QEMU
#   make bench      print the benchmark figures (BENCH lines)
#   make bench-large  grow one guest from 32 MiB to 16 GiB: time per GiB
#   make soak       soak a live domU: SOAK_CHANGES target changes (default 10^4),
#                   SOAK_SEED (default: the time, printed)
#   make fuzz       differential fuzzing of the memory core: FUZZ_OPS (default 10^8),
#                   FUZZ_SECONDS (0: no limit), FUZZ_SEED (default: the time, printed),
#                   FUZZ_CHECK_EVERY (full checks every 256 operations)
#   make deps       install the Debian packages Tide needs (as root)

BUILD := build
comma := ,
CC := gcc

XEN_CPPFLAGS := -D__XEN_INTERFACE_VERSION__=0x00040e00
KCPPFLAGS := -Iinclude -Ikernel/include -Ikernel/arch/x86_64 $(XEN_CPPFLAGS)
include mk/flags.mk
KCFLAGS := $(TIDE_CFLAGS) -Werror
KLDFLAGS := $(KCFLAGS) $(TIDE_LDFLAGS) -Wl,-T,kernel/arch/x86_64/kernel.ld

# One kernel library per platform, the platform picked by the source files
# (no #ifdef), over the same memory core, scheduler and libc subset:
# x86-64 PV under Xen (kernel/xen), PVH under Xen (kernel/pvh with the host
# kernel/pvhxen and the Xen services PV uses too), and PVH booted directly by
# QEMU with no hypervisor (kernel/pvh with the host kernel/direct).
COMMON_SRC := kernel/arch/x86_64/switch.S $(wildcard kernel/mem/*.c kernel/core/*.c kernel/lib/*.c)
KERNEL_SRC := $(COMMON_SRC) kernel/arch/x86_64/head.S kernel/arch/x86_64/hypercall.S $(wildcard kernel/xen/*.c)
KERNEL_OBJ := $(patsubst %,$(BUILD)/%.o,$(KERNEL_SRC))
PVH_SRC := $(wildcard kernel/arch/x86_64/pvh/*.S kernel/pvh/*.c)
DIRECT_KERNEL_SRC := $(COMMON_SRC) $(PVH_SRC) $(wildcard kernel/direct/*.c)
DIRECT_KERNEL_OBJ := $(patsubst %,$(BUILD)/%.o,$(DIRECT_KERNEL_SRC))
XEN_SHARED_SRC := $(addprefix kernel/xen/,console.c console_ring.c events.c exit.c memory_target.c suspend_request.c \
	time.c xenstore.c)
PVHXEN_KERNEL_SRC := $(COMMON_SRC) $(PVH_SRC) kernel/arch/x86_64/hypercall.S $(XEN_SHARED_SRC) \
	$(wildcard kernel/pvhxen/*.c)
PVHXEN_KERNEL_OBJ := $(patsubst %,$(BUILD)/%.o,$(PVHXEN_KERNEL_SRC))
PVH_KLDFLAGS := $(filter-out -Wl$(comma)-T$(comma)kernel/arch/x86_64/kernel.ld,$(KLDFLAGS)) \
	-Wl,-T,kernel/arch/x86_64/pvh/pvh.ld

APPS := tests demo bench guest soak
tests_SRC := $(wildcard tests/guest/*.c)
demo_SRC := $(wildcard apps/demo/*.c)
bench_SRC := $(wildcard apps/bench/*.c)
guest_SRC := $(wildcard apps/guest/*.c)
soak_SRC := $(wildcard apps/soak/*.c)
devices_SRC := $(wildcard apps/devices/*.c)

IMAGES := $(foreach a,$(APPS),$(BUILD)/tide-$(a).elf)
# The applications built for PVH booted by QEMU directly too (tools/qemurun)
DIRECT_APPS := tests devices
DIRECT_IMAGES := $(foreach a,$(DIRECT_APPS),$(BUILD)/tide-$(a)-direct.elf)
# ... and for PVH under Xen (tools/xenrun --pvh)
PVH_APPS := tests guest bench soak
PVH_IMAGES := $(foreach a,$(PVH_APPS),$(BUILD)/tide-$(a)-pvh.elf)

all: $(IMAGES) $(DIRECT_IMAGES) $(PVH_IMAGES)

$(BUILD)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCPPFLAGS) $(KCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KCPPFLAGS) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

$(BUILD)/libtide.a: $(KERNEL_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/libtide-direct.a: $(DIRECT_KERNEL_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/libtide-pvh.a: $(PVHXEN_KERNEL_OBJ)
	@rm -f $@
	@ar rcs $@ $^

.SECONDEXPANSION:
# Static patterns: each image is linked for its own platform only (tide-X-direct.elf
# would also match tide-%.elf).
$(IMAGES): $(BUILD)/tide-%.elf: $$(addprefix $(BUILD)/,$$(addsuffix .o,$$($$*_SRC))) $(BUILD)/libtide.a kernel/arch/x86_64/kernel.ld
	@echo "  LD      $@"
	@$(CC) $(KLDFLAGS) -o $@ $(filter %.o,$^) -Wl,--whole-archive $(BUILD)/libtide.a -Wl,--no-whole-archive -lgcc

$(DIRECT_IMAGES): $(BUILD)/tide-%-direct.elf: $$(addprefix $(BUILD)/,$$(addsuffix .o,$$($$*_SRC))) $(BUILD)/libtide-direct.a kernel/arch/x86_64/pvh/pvh.ld
	@echo "  LD      $@"
	@$(CC) $(PVH_KLDFLAGS) -o $@ $(filter %.o,$^) -Wl,--whole-archive $(BUILD)/libtide-direct.a -Wl,--no-whole-archive -lgcc

$(PVH_IMAGES): $(BUILD)/tide-%-pvh.elf: $$(addprefix $(BUILD)/,$$(addsuffix .o,$$($$*_SRC))) $(BUILD)/libtide-pvh.a kernel/arch/x86_64/pvh/pvh.ld
	@echo "  LD      $@"
	@$(CC) $(PVH_KLDFLAGS) -o $@ $(filter %.o,$^) -Wl,--whole-archive $(BUILD)/libtide-pvh.a -Wl,--no-whole-archive -lgcc

# ---- host-native unit tests of the memory core, under ASan and UBSan ----
UNIT_CFLAGS := -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra -Werror -Iinclude -Ikernel/include -Ikernel/arch/x86_64
UNIT_SRC := $(wildcard kernel/mem/*.c tests/unit/*.c) kernel/lib/log_limit.c kernel/direct/virtio.c

$(BUILD)/unit-tests: $(UNIT_SRC) $(wildcard include/tide/*.h kernel/include/tide/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (ASan, UBSan)"
	@$(CC) $(UNIT_CFLAGS) -o $@ $(UNIT_SRC)

# ---- differential fuzzing of the memory core (tests/fuzz), under ASan and UBSan ----
FUZZ_SRC := $(wildcard kernel/mem/*.c) kernel/lib/log_limit.c tests/unit/host_platform.c $(wildcard tests/fuzz/*.c)
FUZZ_OPS ?= 100000000
FUZZ_SECONDS ?= 0
FUZZ_SEED ?= $(shell date +%s)
FUZZ_CHECK_EVERY ?= 256

$(BUILD)/fuzz-core: $(FUZZ_SRC) $(wildcard include/tide/*.h kernel/include/tide/*.h tests/unit/host_platform.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (ASan, UBSan)"
	@$(CC) $(UNIT_CFLAGS) -o $@ $(FUZZ_SRC)

# tided and tidectl, the dom0 side (their own rules, if present)
-include tided/tided.mk

# The sampler of tided's benchmark (tests/domu/bench_fluid.sh) and the step
# clock of the xl figures (tests/domu/bench_memset.sh), run in dom0 like
# tided and built the same way, on tided's wrappers of Xen's libraries
BENCH_XEN_IO := tided/xs_io.c tided/xc_io.c tided/xs_io.h tided/xc_io.h
$(BUILD)/bench-sampler: tided/bench/sampler.c tided/bench/figures.c tided/bench/record.h $(BENCH_XEN_IO)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(TIDED_CFLAGS) -o $@ $(filter %.c,$^) $(TIDED_LIBS)
$(BUILD)/bench-stepclock: tided/bench/stepclock.c $(BENCH_XEN_IO)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(TIDED_CFLAGS) -o $@ $(filter %.c,$^) $(TIDED_LIBS)

all: $(BUILD)/bench-sampler $(BUILD)/bench-stepclock

# ---- make install: the library for applications outside the tree, and the host side ----
# PREFIX/lib/libtide{,-pvh,-direct}.a, PREFIX/include/tide/ (the public
# headers only: include/tide/), PREFIX/share/tide/ (app.mk, flags.mk and the
# linker scripts), PREFIX/lib/pkgconfig/tide-{pv,pvh,direct}.pc; install-host
# (tided/tided.mk) adds tided and tidectl.
PREFIX ?= /usr/local
TIDE_LIBS := $(BUILD)/libtide.a $(BUILD)/libtide-pvh.a $(BUILD)/libtide-direct.a
# platform:library:linker script, as app.mk picks them (and a pkg-config file each)
TIDE_PLATFORMS := pv:libtide.a:tide-pv.ld pvh:libtide-pvh.a:tide-pvh.ld direct:libtide-direct.a:tide-pvh.ld

install-lib: $(TIDE_LIBS)
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/lib $(TIDE_LIBS)
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/include/tide include/tide/*.h
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/tide mk/app.mk mk/flags.mk
	install -D -m 0644 kernel/arch/x86_64/kernel.ld $(DESTDIR)$(PREFIX)/share/tide/tide-pv.ld
	install -D -m 0644 kernel/arch/x86_64/pvh/pvh.ld $(DESTDIR)$(PREFIX)/share/tide/tide-pvh.ld
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig
	$(foreach p,$(TIDE_PLATFORMS),tools/pcfile $(subst :, ,$(p)) $(PREFIX) $(TIDE_VERSION) "$(TIDE_CFLAGS)" \
		"$(TIDE_LDFLAGS)" > $(DESTDIR)$(PREFIX)/lib/pkgconfig/tide-$(firstword $(subst :, ,$(p))).pc;)

install: install-lib install-host

# examples/hello built the way an application outside the tree is: from an
# install into $(BUILD)/prefix, in its own directory, by its own Makefile;
# once for PV (hello.elf) and once for PVH (hello-pvh.elf beside it), which
# the domu suite boots under xl.
EXAMPLE_PREFIX := $(abspath $(BUILD)/prefix)
examples: $(TIDE_LIBS)
	$(MAKE) --no-print-directory install-lib PREFIX=$(EXAMPLE_PREFIX) DESTDIR=
	rm -rf $(BUILD)/examples && mkdir -p $(BUILD)/examples/pvh
	cp -r examples/hello $(BUILD)/examples/ && cp -r examples/hello $(BUILD)/examples/pvh/
	$(MAKE) --no-print-directory -C $(BUILD)/examples/hello TIDE=$(EXAMPLE_PREFIX)
	$(MAKE) --no-print-directory -C $(BUILD)/examples/pvh/hello TIDE=$(EXAMPLE_PREFIX) TIDE_PLATFORM=pvh
	cp $(BUILD)/examples/pvh/hello/hello.elf $(BUILD)/examples/hello/hello-pvh.elf

# ---- commands (each first makes sure the Debian packages are there) ----
deps:
	tools/deps --install

check:
	tools/deps
	$(MAKE) all $(BUILD)/unit-tests $(BUILD)/fuzz-core
	$(MAKE) examples
	tools/run-tests

fuzz: $(BUILD)/fuzz-core
	$(BUILD)/fuzz-core --seed $(FUZZ_SEED) --ops $(FUZZ_OPS) --seconds $(FUZZ_SECONDS) \
		--check-every $(FUZZ_CHECK_EVERY)

soak:
	tools/deps
	$(MAKE) all
	tools/soak

demo:
	tools/deps
	$(MAKE) all
	tools/demo
	tools/demo-xl
	tools/demo-system
	tools/demo-kvm

bench:
	tools/deps
	$(MAKE) all
	tools/bench

bench-large:
	tools/deps
	$(MAKE) all
	tools/bench large

clean:
	rm -rf $(BUILD) out

.PHONY: all deps check demo bench bench-large fuzz soak clean install install-lib examples
-include $(shell find $(BUILD)/kernel $(BUILD)/apps $(BUILD)/tests -name '*.d' -type f 2>/dev/null)
.SECONDARY:
