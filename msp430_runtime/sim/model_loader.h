/* Loads and validates model.bin for the host simulator. */
#ifndef IPRUNE_SIM_MODEL_LOADER_H_
#define IPRUNE_SIM_MODEL_LOADER_H_

#include <stddef.h>
#include <stdint.h>

#include "iprune/model.h"
#include "target.h"

typedef struct {
  uint8_t *raw; /* The file: the read-only model image in NVM. */
  size_t size;
  iprune_model_t model;
  sim_target_t target;
  iprune_tensor_t *tensors;
  iprune_layer_t *layers;
} sim_loaded_model_t;

/* Returns 0 on success; otherwise writes a message naming the problem into
 * err (err_size bytes) and returns -1. */
int sim_load_model(const char *path, sim_loaded_model_t *out, char *err,
                   size_t err_size);
int sim_parse_model(uint8_t *raw, size_t size, const char *source,
                    sim_loaded_model_t *out, char *err, size_t err_size);
void sim_free_model(sim_loaded_model_t *m);

uint32_t sim_crc32(const uint8_t *data, size_t n);

#endif /* IPRUNE_SIM_MODEL_LOADER_H_ */
