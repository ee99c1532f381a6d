/* The intermittent inference engine (docs/design.md, docs/runtime.md).
 *
 * iprune_engine_run boots from the footprints in NVM, resumes the
 * interrupted layer at its job counter and runs the model to the end. All of
 * its state lives in the VM arena and is rebuilt from NVM at every boot.
 */
#ifndef IPRUNE_ENGINE_H_
#define IPRUNE_ENGINE_H_

#include <stdint.h>

#include "iprune/model.h"

/* Volatile engine state, placed at the start of the VM arena. */
typedef struct {
  const iprune_model_t *model;
  int16_t *state;   /* NVM state region. */
  int16_t *lea;     /* LEA RAM, lea_words long. */
  uint16_t lea_words;
  int16_t *scratch; /* VM scratch: a tile's partial sums, vm_scratch_words. */
  uint16_t scratch_words;
  int16_t *bias;    /* A filter group's bias, bias_words long. */
  uint16_t bias_words;
  uint16_t *pairs;  /* A slice's BSR (group, order) pairs, pairs_words. */
  uint16_t pairs_words;
  /* Progress indicator: the footprint slot written next and the version of
   * the last complete record in each slot. */
  uint8_t next_slot;
  uint8_t slot_version[2];
} iprune_ctx_t;

/* Return codes of iprune_engine_run. */
enum {
  IPRUNE_OK = 0,
  IPRUNE_ERR_VM = 1 /* The model's buffers do not fit the VM / LEA RAM. */
};

/* Boots and runs (or resumes) one inference. The input must be in its NVM
 * tensor and the footprints cleared (iprune_engine_reset) before the first
 * boot of an inference. */
int iprune_engine_run(const iprune_model_t *model);

/* Prepares the NVM state for a new inference: clears both footprint slots.
 * Not part of the device's work (the host does it with the input). */
void iprune_engine_reset(const iprune_model_t *model, int16_t *state);

/* NVM address of a tensor in the state region. */
int16_t *iprune_tensor_nvm(const iprune_ctx_t *ctx, uint16_t tensor);

/* Writes the footprint (layer, counter) to the older slot and reports it. */
void iprune_commit(iprune_ctx_t *ctx, uint16_t layer, uint32_t counter);

/* The job loops of the layer kinds; each resumes at `counter`. */
void iprune_accel_layer(iprune_ctx_t *ctx, uint16_t layer, uint32_t counter);
void iprune_cpu_layer(iprune_ctx_t *ctx, uint16_t layer, uint32_t counter);

#endif /* IPRUNE_ENGINE_H_ */
