/* Reference kernels, one per operator (one function per file under
 * src/kernels/, named after the op), in the style of TFLite Micro / CMSIS-NN:
 * the caller provides the buffers.
 *
 * Accelerator kernels perform the accelerator part of one job: fetch the
 * input tile of a block column into LEA RAM and run one LEA operation with
 * the weight block already there. CPU kernels perform one whole job (read,
 * compute, write the outputs); the caller commits the footprint.
 */
#ifndef IPRUNE_KERNELS_H_
#define IPRUNE_KERNELS_H_

#include <stdint.h>

#include "iprune/engine.h"
#include "iprune/model.h"

/* LEA RAM operands of one accelerator operation. */
typedef struct {
  int16_t *in;  /* Input tile: tile_p x tile_n (depthwise tile_p x tile_m). */
  int16_t *w;   /* Weight block: tile_n x tile_m (depthwise replicated). */
  int16_t *out; /* Result: n_t x tile_m. */
} iprune_lea_operands_t;

/* The LEA operation of one job: block (group, slice) on output positions
 * [p0, p0 + n_t), the weight block already in ops->w. With `fetch`, first
 * fetches the slice's input tile from `input` (the tensor in NVM) into
 * ops->in; otherwise ops->in still holds it from the slice's previous block
 * (depthwise blocks read their own channels and always fetch). */
void iprune_conv(const iprune_layer_t *layer, const int16_t *input,
                 uint16_t group, uint16_t slice, uint32_t p0, uint16_t n_t,
                 int fetch, const iprune_lea_operands_t *ops);
void iprune_depthwise_conv(const iprune_layer_t *layer, const int16_t *input,
                           uint16_t group, uint16_t slice, uint32_t p0,
                           uint16_t n_t, int fetch,
                           const iprune_lea_operands_t *ops);
void iprune_fully_connected(const iprune_layer_t *layer, const int16_t *input,
                            uint16_t group, uint16_t slice, uint32_t p0,
                            uint16_t n_t, int fetch,
                            const iprune_lea_operands_t *ops);

/* The input tile of an accelerator operation: for output positions
 * [p0, p0 + n_t), the inputs at kernel position `kpos`, channels
 * [c0, c0 + width), as an n_t x `stride` matrix in `in` (padding and columns
 * past `width` are zero). Each in-bounds position is one DMA; with `merge`
 * (the channels are all of them and the stride is 1) positions adjacent in
 * one output row are adjacent in NVM and merge into one DMA. */
void iprune_input_tile(const iprune_layer_t *layer, const int16_t *input,
                       uint16_t kpos, uint16_t c0, uint16_t width,
                       uint16_t stride, int merge, uint32_t p0, uint16_t n_t,
                       int16_t *in);

/* Pooling jobs: output position p, channels [c0, c0 + n_c). In LEA RAM,
 * `row` holds one window row of those channels, `out` n_c outputs, `acc`
 * n_c 32-bit sums. */
void iprune_max_pool(iprune_ctx_t *ctx, const iprune_layer_t *layer,
                     uint32_t p, uint16_t c0, uint16_t n_c, int16_t *row,
                     int16_t *out);
void iprune_avg_pool(iprune_ctx_t *ctx, const iprune_layer_t *layer,
                     uint32_t p, uint16_t c0, uint16_t n_c, int16_t *row,
                     int16_t *out, int32_t *acc);

/* Element-wise jobs: output positions [p0, p0 + n); `buf` (LEA RAM) holds
 * the input tiles followed by the output tile. */
void iprune_add(iprune_ctx_t *ctx, const iprune_layer_t *layer, uint32_t p0,
                uint16_t n, int16_t *buf);
void iprune_concat(iprune_ctx_t *ctx, const iprune_layer_t *layer,
                   uint32_t p0, uint16_t n, int16_t *buf);
void iprune_relu(iprune_ctx_t *ctx, const iprune_layer_t *layer, uint32_t p0,
                 uint16_t n, int16_t *buf);

/* Index of the largest value, the first on ties (not charged: the host
 * reads the result). */
uint32_t iprune_argmax(const int16_t *values, uint32_t n);

/* The in-bounds part of a pooling window: rows [h0, h1), columns [w0, w1)
 * of the input for output position p. */
typedef struct {
  int32_t h0, h1, w0, w1;
} iprune_window_t;

iprune_window_t iprune_pool_window(const iprune_model_t *model,
                                   const iprune_layer_t *layer, uint32_t p);

/* Reads input row ih of a pooling window, channels [c0, c0 + n_c), packed
 * into `row` (n_c values per position): one DMA when n_c is all channels,
 * else one per position. Returns the number of positions. */
uint16_t iprune_pool_window_row(iprune_ctx_t *ctx, const iprune_layer_t *layer,
                                const iprune_window_t *win, int32_t ih,
                                uint16_t c0, uint16_t n_c, int16_t *row);

/* Fused ReLU of n outputs (charges n CPU max operations). */
void iprune_fused_relu(const iprune_layer_t *layer, int16_t *v, uint32_t n);

#endif /* IPRUNE_KERNELS_H_ */
