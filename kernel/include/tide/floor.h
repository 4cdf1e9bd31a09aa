/*
 * The balloon's floor: the least a guest will shrink to, whatever its target.
 * One definition, shared by the guest (kernel/mem/balloon.c, which reports it
 * as data/tide/floor_kib) and by tided's simulated guests, so that tided's
 * tests see exactly what a real guest would report.
 *
 * floor = used + max(2 MiB, used / 8), in 4 KiB pages, where used is every
 * frame the guest cannot give back (USED + RESERVED).
 *
 * Plain C with no includes: the host side builds it too.
 */
#ifndef TIDE_FLOOR_H
#define TIDE_FLOOR_H

#define TIDE_FLOOR_MARGIN_MIN_PAGES 512UL /* 2 MiB */

static inline unsigned long tide_floor_pages(unsigned long used_pages)
{
	unsigned long margin = used_pages / 8;
	return used_pages + (margin > TIDE_FLOOR_MARGIN_MIN_PAGES ? margin : TIDE_FLOOR_MARGIN_MIN_PAGES);
}

#endif
