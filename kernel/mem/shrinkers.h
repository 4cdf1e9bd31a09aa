/* The memory core's side of tide/shrinker.h: what the balloon and the allocator ask of the shrinkers. */
#ifndef TIDE_MEM_SHRINKERS_H
#define TIDE_MEM_SHRINKERS_H

/* The least the allocator asks them for when free memory runs low, so that a shortage costs one call, not one per page. */
#define SHRINK_BATCH_PAGES 128UL

/* The pages the registered shrinkers could drop now (their counts summed; 0 while they are dropping). */
unsigned long shrinkers_droppable(void);
/*
 * Ask the shrinkers, in turn, to drop until the guest's free pages grew by
 * want: the pages they grew by (0 when called from inside a drop).
 */
unsigned long shrinkers_drop(unsigned long want);

#endif
