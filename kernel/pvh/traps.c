/*
 * Exceptions on the PVH platform: an IDT of 64-bit interrupt gates to the
 * stubs in pvh/head.S. As on PV, every exception is fatal: it prints where
 * it happened (and the faulting address of a page fault) and stops the
 * guest with status 3.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include "pvh.h"

#define CODE_SELECTOR 0x08 /* pvh/head.S's GDT */
#define GATE_INTERRUPT 0x8e00

struct gate {
	uint16_t offset_low, selector, flags, offset_mid;
	uint32_t offset_high, reserved;
} __attribute__((packed));

static struct gate idt[32] __attribute__((aligned(16)));

#define TRAP(v) extern char trap_##v[];
TRAP(0) TRAP(1) TRAP(2) TRAP(3) TRAP(4) TRAP(5) TRAP(6) TRAP(7) TRAP(8) TRAP(10) TRAP(11) TRAP(12)
TRAP(13) TRAP(14) TRAP(16) TRAP(17) TRAP(18) TRAP(19)
#undef TRAP

static void set_gate(unsigned v, const void *stub)
{
	unsigned long a = (unsigned long)stub;
	idt[v] = (struct gate){(uint16_t)a, CODE_SELECTOR, GATE_INTERRUPT, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0};
}

void pvh_traps_init(void)
{
	const struct {
		unsigned v;
		const void *stub;
	} stubs[] = {
		{0, trap_0},   {1, trap_1},   {2, trap_2},   {3, trap_3},   {4, trap_4},   {5, trap_5},
		{6, trap_6},   {7, trap_7},   {8, trap_8},   {10, trap_10}, {11, trap_11}, {12, trap_12},
		{13, trap_13}, {14, trap_14}, {16, trap_16}, {17, trap_17}, {18, trap_18}, {19, trap_19},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(stubs); i++)
		set_gate(stubs[i].v, stubs[i].stub);
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) desc = {sizeof(idt) - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" : : "m"(desc));
}

/* Called from the stubs with the CPU's frame: [error], rip, cs, rflags, rsp, ss. */
_Noreturn void trap_fatal(unsigned vector, const unsigned long *frame, int has_error);
_Noreturn void trap_fatal(unsigned vector, const unsigned long *frame, int has_error)
{
	unsigned long error = has_error ? frame[0] : 0;
	unsigned long rip = frame[has_error ? 1 : 0];
	printk("tide: fatal exception %u at rip %lx, error %lx", vector, rip, error);
	if (vector == 14) {
		unsigned long cr2;
		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
		printk(", address %lx", cr2);
	}
	printk("\n");
	kernel_exit(3);
}
