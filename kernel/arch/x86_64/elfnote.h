/* ELFNOTE(type, desc): one Xen ELF note (xen/elfnote.h) in .note.xen, for head.S files. */
#ifndef TIDE_ELFNOTE_H
#define TIDE_ELFNOTE_H

#include <xen/elfnote.h>

#define ELFNOTE(type, desc)                     \
	.pushsection .note.xen, "a", @note;     \
	.align 4;                               \
	.long 2f - 1f;                          \
	.long 4f - 3f;                          \
	.long type;                             \
1:	.asciz "Xen";                           \
2:	.align 4;                               \
3:	desc;                                   \
4:	.align 4;                               \
	.popsection

#endif
