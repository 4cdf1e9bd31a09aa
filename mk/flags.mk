# The compiler and linker flags of Tide's kernel and of every application
# linked with it, in one place: Tide's Makefile includes this file, and
# make install puts it beside app.mk (PREFIX/share/tide/), which includes it
# for applications built outside the tree. An application's objects must be
# built as the kernel's are (no SSE, no red zone, freestanding, LTO with the
# same gcc).
TIDE_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-mno-red-zone -mno-sse -mno-mmx -mno-sse2 -mno-avx -mcmodel=small -fno-common \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -flto=auto -Wall -Wextra
TIDE_LDFLAGS := -nostdlib -static -no-pie -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--build-id=none
