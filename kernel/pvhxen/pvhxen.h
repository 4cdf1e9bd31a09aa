/* What the files of the PVH-under-Xen host (kernel/pvhxen) share. */
#ifndef TIDE_PVHXEN_H
#define TIDE_PVHXEN_H

/* host.c: place the shared info page at its frame again (0, or -errno); map the domU's rings again. */
int pvhxen_place_shared_info(void);
void pvhxen_map_rings(void);
/* host.c: name the event callback that tells libxl the guest takes control/shutdown (0, or -errno). */
int pvhxen_set_event_callback(void);

/* reservation.c: a frame of the guest's now holds a page of Xen's (shared info); Xen counts one frame less. */
void pvhxen_frame_replaced(void);

#endif
