/*
 * xenstore (tide/xenstore.h) with no hypervisor: there is none, and every
 * request says so (-ENODEV).
 */
#include <tide/lib.h>
#include <tide/xenstore.h>

int xs_read(const char *path, char *buf, size_t size)
{
	(void)path, (void)buf, (void)size;
	return -ENODEV;
}

int xs_write(const char *path, const char *value)
{
	(void)path, (void)value;
	return -ENODEV;
}
