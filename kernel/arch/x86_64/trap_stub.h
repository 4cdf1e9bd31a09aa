/*
 * trap_stub VEC, HAS_ERROR: the entry of exception VEC for head.S files,
 * calling trap_fatal(vector, frame, has_error) on an aligned stack. The
 * frame is what the CPU (PVH) or Xen (PV: rcx and r11 first) pushed.
 */
#ifndef TIDE_TRAP_STUB_H
#define TIDE_TRAP_STUB_H

.macro trap_stub vec, has_error
	.globl trap_\vec
trap_\vec:
	movl $\vec, %edi
	movq %rsp, %rsi
	movl $\has_error, %edx
	andq $-16, %rsp
	call trap_fatal
.endm

#endif
