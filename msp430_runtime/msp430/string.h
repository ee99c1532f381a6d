/* string.h of the freestanding MSP430 build: msp430/libc.c. */
#ifndef IPRUNE_MSP430_STRING_H_
#define IPRUNE_MSP430_STRING_H_

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif /* IPRUNE_MSP430_STRING_H_ */
