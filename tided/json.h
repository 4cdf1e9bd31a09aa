/*
 * JSON text for tidectl's --json output, written by hand: strings quoted
 * and escaped (RFC 8259), so that whatever a guest's name or a log line
 * holds, the output parses. Pure C, no allocation.
 */
#ifndef TIDED_JSON_H
#define TIDED_JSON_H

#include <stdio.h>

/*
 * s as a JSON string, quotes included: '"' and '\\' escaped, control
 * characters as \n, \t or \u00XX, valid UTF-8 kept, and each byte of
 * invalid UTF-8 as U+FFFD (a guest's name is bytes, JSON is Unicode).
 */
void json_string(FILE *out, const char *s);

#endif
