/* Test-vector files (docs/model_format.md, "Test vectors"). */
#ifndef IPRUNE_SIM_VECTORS_H_
#define IPRUNE_SIM_VECTORS_H_

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t count, input_words, output_words;
  int16_t input_exponent, output_exponent;
  int16_t *inputs;   /* count x input_words */
  int16_t *expected; /* count x output_words, or NULL */
  int32_t *labels;   /* count, or NULL */
  uint8_t *raw;
} sim_vectors_t;

/* Returns 0, or -1 with a message naming the file and the problem. */
int sim_load_vectors(const char *path, sim_vectors_t *v, char *err,
                     size_t err_size);
void sim_free_vectors(sim_vectors_t *v);

#endif /* IPRUNE_SIM_VECTORS_H_ */
