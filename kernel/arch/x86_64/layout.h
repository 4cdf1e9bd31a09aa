/*
 * Virtual memory layout of a Tide x86-64 PV guest. Everything lives in the
 * lower canonical half; Xen owns 0xffff800000000000-0xffff87ffffffffff.
 *
 *   0x0000_0000_0000_0000 +---------------------------------+
 *                         | direct map: pfn p at p * 4 KiB  |  512 GiB reserved,
 *                         | (page 0 unmapped: NULL guard;   |  backed only where
 *                         |  kernel image from 0x1000)      |  frames are populated
 *   0x0000_0080_0000_0000 +---------------------------------+
 *                         | (unused)                        |
 *   0x0000_0100_0000_0000 +---------------------------------+  METADATA, one L4 slot:
 *                         | frame-state bytes (1 B/frame)   |  +0        <= 128 MiB
 *                         | block table (8 B/block)         |  +1 GiB    <= 2 MiB
 *                         | PV p2m list (8 B/frame)         |  +2 GiB    <= 1 GiB
 *                         | Xen's shared info page          |  +4 GiB
 *                         | scratch window (1 page)         |  +4 GiB + 4 KiB
 *                         | PVH: console, xenstore rings    |  +4 GiB + 8, 12 KiB
 *                         | no hypervisor: devices' BARs    |  +5 GiB
 *   0x0000_0180_0000_0000 +---------------------------------+
 *
 * Each metadata region is sized at boot for the largest pfn space the guest
 * may reach and backed page by page as blocks come online. The direct map
 * needs no per-frame metadata: it is a fixed offset (zero).
 */
#ifndef TIDE_LAYOUT_H
#define TIDE_LAYOUT_H

#define DIRECTMAP_BASE 0x0UL
#define DIRECTMAP_BYTES (512UL << 30)

#define METADATA_BASE 0x0000010000000000UL
#define FRAME_STATE_BASE (METADATA_BASE + (0UL << 30))
#define BLOCK_TABLE_BASE (METADATA_BASE + (1UL << 30))
#define P2M_BASE (METADATA_BASE + (2UL << 30))
#define SHARED_INFO_VA (METADATA_BASE + (4UL << 30))
#define SCRATCH_VA (SHARED_INFO_VA + 0x1000UL)
#define CONSOLE_RING_VA (SHARED_INFO_VA + 0x2000UL) /* PVH: the rings are not RAM of the guest's */
#define STORE_RING_VA (SHARED_INFO_VA + 0x3000UL)
#define DEVICE_VA (METADATA_BASE + (5UL << 30)) /* no hypervisor: the BAR pages drivers use, uncached */

#endif
