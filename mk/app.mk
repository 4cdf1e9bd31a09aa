# Building an application on an installed Tide (make install). In the
# application's Makefile:
#
#   TIDE ?= /usr/local
#   include $(TIDE)/share/tide/app.mk
#   myapp.elf: main.o
#
# main.o comes from main.c by make's own rule, with the flags below; the
# image is linked with the kernel library of TIDE_PLATFORM:
#   pv      (default) an x86-64 Xen PV guest: xl's type = "pv"
#   pvh     a Xen PVH guest: type = "pvh"
#   direct  PVH booted by QEMU's -kernel with no hypervisor (virtio-mem,
#           virtio-balloon)
# The application defines int app_main(void) and includes only <tide/*.h>.
# Add flags with CFLAGS += ... after the include.

TIDE_PLATFORM ?= pv
include $(TIDE)/share/tide/flags.mk

tide_lib_pv := libtide.a
tide_lib_pvh := libtide-pvh.a
tide_lib_direct := libtide-direct.a
tide_lds_pv := tide-pv.ld
tide_lds_pvh := tide-pvh.ld
tide_lds_direct := tide-pvh.ld
ifeq ($(tide_lib_$(TIDE_PLATFORM)),)
$(error TIDE_PLATFORM=$(TIDE_PLATFORM): Tide builds for pv, pvh or direct)
endif
TIDE_LIB := $(TIDE)/lib/$(tide_lib_$(TIDE_PLATFORM))
TIDE_LDS := $(TIDE)/share/tide/$(tide_lds_$(TIDE_PLATFORM))

CC := gcc
CFLAGS += $(TIDE_CFLAGS)
CPPFLAGS += -I$(TIDE)/include

# Every image: its objects (the prerequisites its own rule names) and the whole kernel library.
%.elf: $(TIDE_LIB) $(TIDE_LDS)
	$(CC) $(CFLAGS) $(TIDE_LDFLAGS) -Wl,-T,$(TIDE_LDS) -o $@ $(filter %.o,$^) \
		-Wl,--whole-archive $(TIDE_LIB) -Wl,--no-whole-archive -lgcc
