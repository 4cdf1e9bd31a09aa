/*
 * Cooperative context switch. thread_switch(&from->rsp, to_rsp) saves the
 * callee-saved registers on the current stack, stores the stack pointer, and
 * resumes the other thread from its saved stack. A new thread's stack is
 * prepared by sched.c to "return" into thread_trampoline.
 */
	.text
	.globl thread_switch
thread_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.globl thread_trampoline
thread_trampoline:
	andq $-16, %rsp
	call thread_main
	ud2
