/* Software LEA: the accelerator's Q15 operations in portable C. */
#ifndef IPRUNE_LEA_C_H_
#define IPRUNE_LEA_C_H_

#include <stdint.h>

void iprune_lea_c_matmul(const int16_t *a, const int16_t *b, int16_t *out,
                         uint16_t rows, uint16_t inner, uint16_t cols,
                         int16_t shift);
void iprune_lea_c_mul(const int16_t *a, const int16_t *b, int16_t *out,
                      uint16_t n, int16_t shift);

#endif /* IPRUNE_LEA_C_H_ */
