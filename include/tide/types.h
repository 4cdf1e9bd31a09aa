/*
 * Basic types shared by the whole kernel and by the host-side unit tests.
 *
 * Frame numbers come in two kinds that must never be mixed: a pfn_t is a
 * guest (pseudo-physical) frame, an mfn_t a machine frame owned by Xen. Both
 * are one-member structs so that the compiler rejects passing one for the
 * other, the classic PV bug.
 */
#ifndef TIDE_TYPES_H
#define TIDE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)

/* Memory comes and goes in blocks of one 2 MiB superpage (order 9). */
#define BLOCK_ORDER 9
#define BLOCK_PAGES (1UL << BLOCK_ORDER)
#define BLOCK_BYTES (BLOCK_PAGES << PAGE_SHIFT)

typedef struct {
	unsigned long n;
} pfn_t;

typedef struct {
	unsigned long n;
} mfn_t;

static inline pfn_t pfn(unsigned long n) { return (pfn_t){n}; }
static inline mfn_t mfn(unsigned long n) { return (mfn_t){n}; }

#define KIB(x) ((unsigned long)(x) << 10)
#define MIB(x) ((unsigned long)(x) << 20)
#define GIB(x) ((unsigned long)(x) << 30)

#define PAGES_TO_KIB(p) ((unsigned long)(p) << (PAGE_SHIFT - 10))
#define PAGES_TO_MIB(p) ((unsigned long)(p) >> (20 - PAGE_SHIFT))
#define MIB_TO_PAGES(m) ((unsigned long)(m) << (20 - PAGE_SHIFT))
#define KIB_TO_PAGES(k) ((unsigned long)(k) >> (PAGE_SHIFT - 10))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))
/* Each argument is evaluated once. */
#define MIN(a, b)                                                               \
	({                                                                      \
		__typeof__(a) min_a_ = (a);                                     \
		__typeof__(b) min_b_ = (b);                                     \
		min_a_ < min_b_ ? min_a_ : min_b_;                              \
	})
#define MAX(a, b)                                                               \
	({                                                                      \
		__typeof__(a) max_a_ = (a);                                     \
		__typeof__(b) max_b_ = (b);                                     \
		max_a_ > max_b_ ? max_a_ : max_b_;                              \
	})

#endif
