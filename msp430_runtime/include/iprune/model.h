/* The quantised model as the engine sees it (docs/model_format.md).
 *
 * The host simulator fills these structs from model.bin (model_loader.c);
 * the MSP430 build gets them as constants from an exported model.c. Weight,
 * bias and BSR arrays are read-only NVM: the engine reads them only through
 * iprune_hal_nvm_read.
 */
#ifndef IPRUNE_MODEL_H_
#define IPRUNE_MODEL_H_

#include <stdint.h>

#define IPRUNE_MAX_INPUTS 4
#define IPRUNE_FOOTPRINT_WORDS 4
#define IPRUNE_FLAG_BSR 1
/* Pair word 1 of a BSR block: order among its group's blocks | this flag on
 * the group's last block. */
#define IPRUNE_LAST_BLOCK 0x8000u
#define IPRUNE_ORDER_MASK 0x7FFFu

/* Layer kinds: tf_iprune.hardware.layer_spec.KINDS order + 1. */
enum {
  IPRUNE_CONV = 1,
  IPRUNE_DEPTHWISE = 2,
  IPRUNE_DENSE = 3,
  IPRUNE_MAXPOOL = 4,
  IPRUNE_AVGPOOL = 5,
  IPRUNE_GAP = 6,
  IPRUNE_ADD = 7,
  IPRUNE_CONCAT = 8,
  IPRUNE_RELU = 9,
  IPRUNE_NUM_KINDS = 10
};

enum { IPRUNE_ACT_NONE = 0, IPRUNE_ACT_RELU = 1 };

typedef struct {
  const char *name;
  uint16_t h, w, c;
  int16_t exponent;
  uint32_t nvm_offset; /* Words into the tensor arena of the NVM state. */
} iprune_tensor_t;

typedef struct {
  const char *name;
  uint8_t kind;
  uint8_t activation;
  uint8_t n_inputs;
  uint8_t flags;
  uint16_t output;
  uint16_t inputs[IPRUNE_MAX_INPUTS];
  uint16_t input_shapes[IPRUNE_MAX_INPUTS][3];
  uint16_t kernel[2];
  uint16_t stride[2];
  uint16_t pads[4]; /* top, left, bottom, right */
  uint16_t tile_m, tile_n, tile_p;
  int16_t weight_exponent;
  int16_t shift;
  uint16_t n_groups, n_cols, block_words; /* G, J (input slices) */
  uint32_t n_blocks;
  uint32_t total_outputs; /* Job counter of the finished layer. */
  /* NVM (read through DMA): blocks slice-major, bias, BSR arrays. */
  const int16_t *weights;
  const int16_t *bias;
  const uint16_t *row_ptr; /* BSR: J + 1 */
  const uint16_t *pairs;   /* BSR: (group, order | last) per block */
  /* Metadata, read as constants: non-zero blocks per group (G), output
   * channels of the non-zero blocks of the slices before j (J + 1). */
  const uint16_t *group_blocks;
  const uint32_t *slice_channels;
} iprune_layer_t;

typedef struct {
  const char *name;
  uint16_t n_tensors;
  uint16_t n_layers;
  uint16_t input;
  uint16_t output;
  uint32_t state_words;   /* Footprints + partial-sum buffers + arena. */
  uint32_t psum_words[2]; /* The two partial-sum buffers. */
  uint16_t footprint_words;
  uint16_t lea_buffer_words;
  uint16_t vm_scratch_words;
  const iprune_tensor_t *tensors;
  const iprune_layer_t *layers;
} iprune_model_t;

/* Word offsets of the parts of the NVM state. */
#define IPRUNE_FOOTPRINT_SLOT(slot) ((uint32_t)(slot) * IPRUNE_FOOTPRINT_WORDS)
#define IPRUNE_PSUM_OFFSET(model, buf) \
  (2u * IPRUNE_FOOTPRINT_WORDS + ((buf) ? (model)->psum_words[0] : 0u))
#define IPRUNE_ARENA_OFFSET(model)                                     \
  (2u * IPRUNE_FOOTPRINT_WORDS + (model)->psum_words[0] +              \
   (model)->psum_words[1])

static inline int iprune_is_accel(uint8_t kind) {
  return kind == IPRUNE_CONV || kind == IPRUNE_DEPTHWISE ||
         kind == IPRUNE_DENSE;
}

/* Output positions of a layer (1 for dense). */
static inline uint32_t iprune_out_pixels(const iprune_model_t *m,
                                         const iprune_layer_t *l) {
  const iprune_tensor_t *t = &m->tensors[l->output];
  return (uint32_t)t->h * t->w;
}

#endif /* IPRUNE_MODEL_H_ */
