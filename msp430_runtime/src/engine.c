/* Boot, recovery and layer dispatch of the intermittent engine.
 *
 * Every boot rebuilds the engine's VM state from scratch: it carves the VM
 * arena, reads both footprint slots, takes the valid record with the most
 * progress and resumes that layer at its job counter. Nothing survives in VM
 * across a power failure.
 */
#include "iprune/engine.h"

#include <string.h>

#include "iprune/footprint.h"
#include "iprune/hal.h"

int16_t *iprune_tensor_nvm(const iprune_ctx_t *ctx, uint16_t tensor) {
  return ctx->state + IPRUNE_ARENA_OFFSET(ctx->model) +
         ctx->model->tensors[tensor].nvm_offset;
}

void iprune_engine_reset(const iprune_model_t *model, int16_t *state) {
  (void)model;
  memset(state, 0, 2u * IPRUNE_FOOTPRINT_WORDS * sizeof(int16_t));
}

void iprune_commit(iprune_ctx_t *ctx, uint16_t layer, uint32_t counter) {
  iprune_footprint_t fp;
  int16_t rec[IPRUNE_FOOTPRINT_WORDS];
  const uint8_t slot = ctx->next_slot;
  fp.layer = layer;
  fp.counter = counter;
  fp.version = (uint8_t)((ctx->slot_version[slot] + 1u) & 0xFu);
  iprune_footprint_encode(&fp, rec);
  iprune_hal_nvm_write(ctx->state + IPRUNE_FOOTPRINT_SLOT(slot), rec,
                       IPRUNE_FOOTPRINT_WORDS);
  ctx->slot_version[slot] = fp.version;
  ctx->next_slot = (uint8_t)(slot ^ 1u);
  iprune_hal_committed(layer, counter);
}

/* Carves the VM arena: context, scratch, a group's bias, a slice's pairs. */
static iprune_ctx_t *carve_vm(const iprune_model_t *model) {
  uint32_t vm_bytes = 0;
  uint8_t *vm = (uint8_t *)iprune_hal_vm(&vm_bytes);
  uint16_t lea_words = 0;
  int16_t *lea = iprune_hal_lea_ram(&lea_words);
  uint16_t bias_words = 2, pairs_words = 2;
  uint32_t need;
  iprune_ctx_t *ctx;
  uint16_t i;
  for (i = 0; i < model->n_layers; i++) {
    const iprune_layer_t *l = &model->layers[i];
    if (iprune_is_accel(l->kind)) {
      if (l->tile_m > bias_words) bias_words = (uint16_t)(l->tile_m + 1u);
      if (2u * l->n_groups > pairs_words) {
        pairs_words = (uint16_t)(2u * l->n_groups);
      }
    }
  }
  bias_words &= (uint16_t)~1u;
  need = (uint32_t)((sizeof(iprune_ctx_t) + 3u) & ~3u) +
         2u * ((uint32_t)model->vm_scratch_words + bias_words + pairs_words);
  if (need > vm_bytes || lea_words < model->lea_buffer_words) {
    return 0;
  }
  ctx = (iprune_ctx_t *)vm;
  ctx->model = model;
  ctx->state = iprune_hal_nvm_state();
  ctx->lea = lea;
  ctx->lea_words = model->lea_buffer_words;
  ctx->scratch = (int16_t *)(vm + ((sizeof(iprune_ctx_t) + 3u) & ~3u));
  ctx->scratch_words = model->vm_scratch_words;
  ctx->bias = ctx->scratch + model->vm_scratch_words;
  ctx->bias_words = bias_words;
  ctx->pairs = (uint16_t *)(ctx->bias + bias_words);
  ctx->pairs_words = pairs_words;
  return ctx;
}

/* Reads both footprint slots; returns the progress to resume from. */
static void boot(iprune_ctx_t *ctx, uint16_t *layer, uint32_t *counter) {
  const iprune_model_t *model = ctx->model;
  int16_t *rec = ctx->scratch;
  iprune_footprint_t fp[2];
  int valid[2];
  int best = -1;
  uint8_t slot;
  for (slot = 0; slot < 2; slot++) {
    int16_t *r = rec + slot * IPRUNE_FOOTPRINT_WORDS;
    iprune_hal_nvm_read(r, ctx->state + IPRUNE_FOOTPRINT_SLOT(slot),
                        IPRUNE_FOOTPRINT_WORDS);
    ctx->slot_version[slot] = iprune_footprint_last_version(r);
    valid[slot] = iprune_footprint_decode(r, &fp[slot]) &&
                  fp[slot].layer < model->n_layers &&
                  fp[slot].counter <=
                      model->layers[fp[slot].layer].total_outputs;
    if (valid[slot] &&
        (best < 0 || fp[slot].layer > fp[best].layer ||
         (fp[slot].layer == fp[best].layer &&
          fp[slot].counter > fp[best].counter))) {
      best = slot;
    }
  }
  if (best < 0) {
    *layer = 0;
    *counter = 0;
    ctx->next_slot = 0;
  } else {
    *layer = fp[best].layer;
    *counter = fp[best].counter;
    ctx->next_slot = (uint8_t)(best ^ 1);
  }
}

int iprune_engine_run(const iprune_model_t *model) {
  iprune_ctx_t *ctx;
  uint16_t layer;
  uint32_t counter;
  iprune_hal_layer(-1);
  ctx = carve_vm(model);
  if (ctx == 0) {
    return IPRUNE_ERR_VM;
  }
  boot(ctx, &layer, &counter);
  for (; layer < model->n_layers; layer++, counter = 0) {
    const iprune_layer_t *l = &model->layers[layer];
    if (counter >= l->total_outputs) {
      continue;
    }
    iprune_hal_layer((int16_t)layer);
    if (iprune_is_accel(l->kind)) {
      iprune_accel_layer(ctx, layer, counter);
    } else {
      iprune_cpu_layer(ctx, layer, counter);
    }
  }
  return IPRUNE_OK;
}
