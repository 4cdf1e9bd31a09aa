/* The thread that follows the host's targets (follow.c). */
#ifndef TIDE_DIRECT_FOLLOW_H
#define TIDE_DIRECT_FOLLOW_H

/* Start the memory devices there are and, if any, the thread that follows their targets. */
void follow_start(void);

#endif
