/*
 * Xen hypercalls, PV and PVH alike: through the hypercall page (Xen fills it
 * at boot on PV, where an ELF note names it; on PVH when the guest writes its
 * address to the MSR that CPUID names: kernel/pvhxen/host.c).
 *
 * long xen_hypercall(nr, a1, a2, a3, a4, a5): Xen's x86-64 convention puts the
 * arguments in rdi, rsi, rdx, r10, r8 and the entry at hypercall_page + 32*nr.
 */
	.text
	.globl xen_hypercall
xen_hypercall:
	movq %rdi, %rax
	shlq $5, %rax
	leaq hypercall_page(%rip), %r11
	addq %r11, %rax
	movq %rsi, %rdi
	movq %rdx, %rsi
	movq %rcx, %rdx
	movq %r8, %r10
	movq %r9, %r8
	call *%rax
	ret

	.section .bss.page_aligned, "aw", @nobits
	.align 4096
	.globl hypercall_page
hypercall_page:
	.skip 4096
