/* Loads and validates model.bin (docs/model_format.md, version 1).
 *
 * Every offset, count and geometry is checked before the engine may use it,
 * so a truncated, corrupt or inconsistent file is refused with a message,
 * never executed.
 */
#include "model_loader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_BYTES 64u
#define TARGET_BYTES 256u
#define TENSOR_BYTES 16u
#define LAYER_BYTES 108u
#define FORMAT_VERSION 2u
#define MAX_SHIFT 62
#define MAX_CPU_LEFT_SHIFT 45
#define IPRUNE_CHECK_MAX_GROUPS 4096

typedef struct {
  const uint8_t *raw;
  size_t size;
  const char *source;
  char *err;
  size_t err_size;
} parser_t;

static int fail(parser_t *p, const char *fmt, ...) {
  va_list ap;
  int n = snprintf(p->err, p->err_size, "%s: ", p->source);
  if (n < 0 || (size_t)n >= p->err_size) n = 0;
  va_start(ap, fmt);
  vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
  va_end(ap);
  return -1;
}

static uint16_t u16(const uint8_t *b) { return (uint16_t)(b[0] | b[1] << 8); }
static uint32_t u32(const uint8_t *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
         (uint32_t)b[3] << 24;
}
static double f64(const uint8_t *b) {
  uint64_t bits = (uint64_t)u32(b) | (uint64_t)u32(b + 4) << 32;
  double d;
  memcpy(&d, &bits, sizeof(d));
  return d;
}

/* A NUL-terminated string at `off`, or NULL. */
static const char *string_at(parser_t *p, uint32_t off) {
  if (off < HEADER_BYTES || off >= p->size) return NULL;
  if (memchr(p->raw + off, 0, p->size - off) == NULL) return NULL;
  return (const char *)p->raw + off;
}

/* An aligned array of count elements of `size` bytes at `off`, or NULL. */
static const void *array_at(parser_t *p, uint32_t off, uint64_t count,
                            uint32_t size) {
  if (off < HEADER_BYTES || off % 4u != 0 ||
      (uint64_t)off + count * size > p->size) {
    return NULL;
  }
  return p->raw + off;
}

static int parse_target(parser_t *p, uint32_t off, sim_target_t *t) {
  const uint8_t *b;
  uint32_t i, powers;
  if ((uint64_t)off + TARGET_BYTES > p->size) {
    return fail(p, "target section runs past the end of the file.");
  }
  b = p->raw + off;
  t->name = string_at(p, u32(b));
  t->vm_bytes = u32(b + 4);
  t->lea_buffer_words = u32(b + 8);
  t->vm_scratch_words = u32(b + 12);
  t->nvm_bytes = u32(b + 16);
  t->max_tile_m = u32(b + 20);
  t->footprint_words = u32(b + 24);
  t->n_powers = u32(b + 28);
  powers = u32(b + 32);
  t->cpu_hz = f64(b + 40);
  t->nvm_read = (sim_linear_cost_t){f64(b + 48), f64(b + 56), f64(b + 64),
                                    f64(b + 72)};
  t->nvm_write = (sim_linear_cost_t){f64(b + 80), f64(b + 88), f64(b + 96),
                                     f64(b + 104)};
  t->lea = (sim_linear_cost_t){f64(b + 112), f64(b + 120), f64(b + 128),
                               f64(b + 136)};
  for (i = 0; i < 4; i++) {
    t->cpu[i] = (sim_unit_cost_t){f64(b + 144 + 16 * i),
                                  f64(b + 152 + 16 * i)};
  }
  t->reboot_s = f64(b + 208);
  t->reboot_j = f64(b + 216);
  t->capacitance_f = f64(b + 224);
  t->v_on = f64(b + 232);
  t->v_off = f64(b + 240);
  t->harvest_efficiency = f64(b + 248);
  if (t->name == NULL) return fail(p, "target name is not a string.");
  if (t->footprint_words != IPRUNE_FOOTPRINT_WORDS) {
    return fail(p, "target footprint_words is %u; the runtime's footprint "
                "record has %u words.", (unsigned)t->footprint_words,
                IPRUNE_FOOTPRINT_WORDS);
  }
  if (t->lea_buffer_words == 0 || t->lea_buffer_words > 0xFFFFu ||
      t->vm_scratch_words < 8 || t->vm_scratch_words > 0xFFFFu) {
    return fail(p, "target LEA buffer (%u words) or VM scratch (%u words) "
                "out of range.", (unsigned)t->lea_buffer_words,
                (unsigned)t->vm_scratch_words);
  }
  if (!(t->cpu_hz > 0) || !(t->capacitance_f > 0) || !(t->v_on > t->v_off) ||
      !(t->v_off >= 0) || !(t->harvest_efficiency > 0) ||
      !(t->reboot_s >= 0) || !(t->reboot_j >= 0)) {
    return fail(p, "target clock, energy buffer or reboot cost is invalid.");
  }
  if (t->n_powers > SIM_MAX_POWERS) {
    return fail(p, "%u named power strengths; at most %d are supported.",
                (unsigned)t->n_powers, SIM_MAX_POWERS);
  }
  for (i = 0; i < t->n_powers; i++) {
    const uint8_t *e = array_at(p, powers + 16u * i, 1, 16);
    if (e == NULL || string_at(p, u32(e)) == NULL || !(f64(e + 8) > 0)) {
      return fail(p, "power strength %u is invalid.", (unsigned)i);
    }
    t->power_names[i] = string_at(p, u32(e));
    t->power_watts[i] = f64(e + 8);
  }
  return 0;
}

static uint32_t tensor_words(const iprune_tensor_t *t) {
  return (uint32_t)t->h * t->w * t->c;
}

static int parse_tensors(parser_t *p, uint32_t off, sim_loaded_model_t *m,
                         uint32_t arena_words) {
  uint16_t i;
  if ((uint64_t)off + (uint64_t)m->model.n_tensors * TENSOR_BYTES > p->size) {
    return fail(p, "tensor table runs past the end of the file.");
  }
  for (i = 0; i < m->model.n_tensors; i++) {
    const uint8_t *b = p->raw + off + (uint32_t)i * TENSOR_BYTES;
    iprune_tensor_t *t = &m->tensors[i];
    t->name = string_at(p, u32(b));
    t->h = u16(b + 4);
    t->w = u16(b + 6);
    t->c = u16(b + 8);
    t->exponent = (int16_t)u16(b + 10);
    t->nvm_offset = u32(b + 12);
    if (t->name == NULL) return fail(p, "tensor %u has no name.", i);
    if (tensor_words(t) == 0 ||
        (uint64_t)t->nvm_offset + tensor_words(t) > arena_words) {
      return fail(p, "tensor '%s' (%ux%ux%u at arena word %u) does not fit "
                  "the tensor arena of %u words.", t->name, t->h, t->w, t->c,
                  (unsigned)t->nvm_offset, (unsigned)arena_words);
    }
  }
  return 0;
}

static uint16_t ceil_div(uint32_t a, uint32_t b) {
  return (uint16_t)((a + b - 1u) / b);
}

static int overlaps(const iprune_tensor_t *a, const iprune_tensor_t *b) {
  return a->nvm_offset < b->nvm_offset + tensor_words(b) &&
         b->nvm_offset < a->nvm_offset + tensor_words(a);
}

static uint32_t group_width(const iprune_layer_t *l, uint16_t channels,
                            uint16_t g) {
  const uint32_t rest = channels - (uint32_t)g * l->tile_m;
  return rest < l->tile_m ? rest : l->tile_m;
}

/* Checks the block order (slice-major), the BSR row pointers and (group,
 * order) pairs, blocks per group and channels per slice. */
static int check_blocks(parser_t *p, const sim_loaded_model_t *m,
                        iprune_layer_t *l, const uint8_t *b) {
  const uint16_t channels = m->tensors[l->output].c;
  const uint16_t G = l->n_groups, J = l->n_cols;
  uint16_t seen[IPRUNE_CHECK_MAX_GROUPS];
  uint32_t j, k, g;
  if (G > IPRUNE_CHECK_MAX_GROUPS) {
    return fail(p, "layer '%s': %u filter groups; the loader checks up to "
                "%u.", l->name, G, IPRUNE_CHECK_MAX_GROUPS);
  }
  memset(seen, 0, sizeof(seen));
  if (l->slice_channels[0] != 0) {
    return fail(p, "layer '%s': slice channels do not start at 0.", l->name);
  }
  if (!(l->flags & IPRUNE_FLAG_BSR)) {
    if (l->n_blocks != (uint32_t)G * J) {
      return fail(p, "layer '%s': dense layer with %u blocks, expected %u.",
                  l->name, (unsigned)l->n_blocks, (unsigned)G * J);
    }
    for (g = 0; g < G; g++) {
      if (l->group_blocks[g] != J) {
        return fail(p, "layer '%s': dense layer with a group of %u blocks.",
                    l->name, l->group_blocks[g]);
      }
    }
    for (j = 0; j < J; j++) {
      if (l->slice_channels[j + 1] - l->slice_channels[j] != channels) {
        return fail(p, "layer '%s': slice %u has the wrong channel count.",
                    l->name, (unsigned)j);
      }
    }
    return 0;
  }
  l->row_ptr = array_at(p, u32(b + 92), (uint64_t)J + 1u, 2);
  l->pairs = array_at(p, u32(b + 96), 2u * (uint64_t)l->n_blocks, 2);
  if (l->row_ptr == NULL || l->pairs == NULL || l->row_ptr[0] != 0 ||
      l->row_ptr[J] != l->n_blocks) {
    return fail(p, "layer '%s': BSR arrays outside the file or row pointers "
                "not from 0 to %u.", l->name, (unsigned)l->n_blocks);
  }
  for (j = 0; j < J; j++) {
    uint32_t slice = 0;
    if (l->row_ptr[j + 1] < l->row_ptr[j]) {
      return fail(p, "layer '%s': BSR row pointers decrease.", l->name);
    }
    for (k = l->row_ptr[j]; k < l->row_ptr[j + 1]; k++) {
      const uint16_t grp = l->pairs[2 * k], word = l->pairs[2 * k + 1];
      if (grp >= G || (k > l->row_ptr[j] && grp <= l->pairs[2 * k - 2]) ||
          (word & IPRUNE_ORDER_MASK) != seen[grp] ||
          ((word & IPRUNE_LAST_BLOCK) != 0) !=
              (seen[grp] + 1u == l->group_blocks[grp])) {
        return fail(p, "layer '%s': BSR pair %u of slice %u is not "
                    "(ascending group, order, last flag).", l->name,
                    (unsigned)k, (unsigned)j);
      }
      seen[grp]++;
      slice += group_width(l, channels, grp);
    }
    if (l->slice_channels[j + 1] - l->slice_channels[j] != slice) {
      return fail(p, "layer '%s': slice %u has the wrong channel count.",
                  l->name, (unsigned)j);
    }
  }
  for (g = 0; g < G; g++) {
    if (seen[g] != l->group_blocks[g]) {
      return fail(p, "layer '%s': group %u has %u blocks, metadata says %u.",
                  l->name, (unsigned)g, seen[g], l->group_blocks[g]);
    }
  }
  return 0;
}

/* Checks an accelerator layer's geometry, weights and BSR arrays. */
static int check_accel(parser_t *p, const sim_loaded_model_t *m,
                       iprune_layer_t *l, const uint8_t *b) {
  const iprune_tensor_t *in = &m->tensors[l->inputs[0]];
  const iprune_tensor_t *out = &m->tensors[l->output];
  const uint16_t *shape = l->input_shapes[0];
  const uint32_t n_in = (uint32_t)shape[0] * shape[1] * shape[2];
  const uint32_t pixels = (uint32_t)out->h * out->w;
  const int dw = l->kind == IPRUNE_DEPTHWISE;
  uint16_t cols, block_words, g, most = 0;
  uint64_t total = 0;
  uint32_t lea_need;
  if (l->n_inputs != 1 || l->tile_m == 0 || l->tile_n == 0 ||
      l->tile_p == 0 || l->tile_m > out->c) {
    return fail(p, "layer '%s': needs one input and tiles 1 <= tile_m <= %u.",
                l->name, out->c);
  }
  if (l->kind == IPRUNE_DENSE) {
    cols = ceil_div(n_in, l->tile_n);
    if (out->h != 1 || out->w != 1 || l->tile_n > n_in) {
      return fail(p, "layer '%s': a dense layer outputs a vector.", l->name);
    }
  } else {
    const uint32_t oh = (shape[0] + l->pads[0] + l->pads[2] >= l->kernel[0])
        ? (shape[0] + l->pads[0] + l->pads[2] - l->kernel[0]) /
              l->stride[0] + 1u : 0u;
    const uint32_t ow = (shape[1] + l->pads[1] + l->pads[3] >= l->kernel[1])
        ? (shape[1] + l->pads[1] + l->pads[3] - l->kernel[1]) /
              l->stride[1] + 1u : 0u;
    if (oh != out->h || ow != out->w || (dw && shape[2] != out->c) ||
        (dw && l->tile_n != l->tile_m) || l->tile_n > shape[2]) {
      return fail(p, "layer '%s': output %ux%ux%u does not match its input "
                  "%ux%ux%u, window, tiles and padding.", l->name, out->h,
                  out->w, out->c, shape[0], shape[1], shape[2]);
    }
    cols = (uint16_t)(l->kernel[0] * l->kernel[1] *
                      (dw ? 1u : ceil_div(shape[2], l->tile_n)));
  }
  block_words = (uint16_t)(dw ? l->tile_m : l->tile_n * l->tile_m);
  if (l->n_groups != ceil_div(out->c, l->tile_m) || l->n_cols != cols ||
      l->block_words != block_words) {
    return fail(p, "layer '%s': block grid %ux%u of %u words, expected "
                "%ux%u of %u.", l->name, l->n_groups, l->n_cols,
                l->block_words, ceil_div(out->c, l->tile_m), cols,
                block_words);
  }
  if (l->shift < -MAX_SHIFT || l->shift > MAX_SHIFT ||
      l->shift != out->exponent - in->exponent - l->weight_exponent) {
    return fail(p, "layer '%s': shift %d does not equal e_out - e_in - e_w "
                "or is outside [-%d, %d].", l->name, l->shift, MAX_SHIFT,
                MAX_SHIFT);
  }
  l->weights = array_at(p, u32(b + 84), (uint64_t)l->n_blocks * block_words,
                        2);
  l->bias = array_at(p, u32(b + 88), out->c, 2);
  l->group_blocks = array_at(p, u32(b + 100), l->n_groups, 2);
  l->slice_channels = array_at(p, u32(b + 104), (uint64_t)cols + 1u, 4);
  if (l->weights == NULL || l->bias == NULL || l->group_blocks == NULL ||
      l->slice_channels == NULL || l->n_blocks == 0) {
    return fail(p, "layer '%s': weights, bias or block metadata outside the "
                "file.", l->name);
  }
  if (check_blocks(p, m, l, b)) return -1;
  for (g = 0; g < l->n_groups; g++) {
    const uint32_t nnzb = l->group_blocks[g];
    total += (uint64_t)group_width(l, out->c, g) * pixels * (nnzb ? nnzb : 1u);
  }
  if (total != l->total_outputs) {
    return fail(p, "layer '%s': stored output count %u, the blocks give %llu.",
                l->name, (unsigned)l->total_outputs,
                (unsigned long long)total);
  }
  for (g = 0; g < l->n_groups; g++) {
    if (l->group_blocks[g] > most) most = l->group_blocks[g];
  }
  lea_need = dw ? 3u * l->tile_p * l->tile_m
                : (uint32_t)l->tile_p * l->tile_n +
                      (uint32_t)l->tile_n * l->tile_m +
                      (uint32_t)l->tile_p * l->tile_m;
  if (lea_need > m->model.lea_buffer_words ||
      (uint32_t)l->tile_p * l->tile_m > m->model.vm_scratch_words) {
    return fail(p, "layer '%s': tile (%u, %u, %u) needs %u LEA words and %u "
                "scratch words; the target has %u and %u.", l->name,
                l->tile_m, l->tile_n, l->tile_p, (unsigned)lea_need,
                (unsigned)l->tile_p * l->tile_m, m->model.lea_buffer_words,
                m->model.vm_scratch_words);
  }
  /* Block order k writes buffer k % 2 unless it is its group's last. */
  if ((most >= 2 && pixels * out->c > m->model.psum_words[0]) ||
      (most >= 3 && pixels * out->c > m->model.psum_words[1])) {
    return fail(p, "layer '%s': needs partial-sum buffers of %u words; the "
                "model has %u and %u.", l->name, (unsigned)(pixels * out->c),
                (unsigned)m->model.psum_words[0],
                (unsigned)m->model.psum_words[1]);
  }
  return 0;
}

/* Checks a CPU layer's geometry, exponents and VM needs. */
static int check_cpu(parser_t *p, const sim_loaded_model_t *m,
                     const iprune_layer_t *l) {
  const iprune_tensor_t *out = &m->tensors[l->output];
  const iprune_tensor_t *in = &m->tensors[l->inputs[0]];
  const uint32_t pixels = (uint32_t)out->h * out->w;
  uint32_t c_sum = 0, i;
  if (l->total_outputs != pixels * out->c) {
    return fail(p, "layer '%s': stored output count %u, expected %u.",
                l->name, (unsigned)l->total_outputs,
                (unsigned)(pixels * out->c));
  }
  for (i = 0; i < l->n_inputs; i++) {
    const iprune_tensor_t *t = &m->tensors[l->inputs[i]];
    const int diff = out->exponent - t->exponent;
    if (l->input_shapes[i][0] != t->h || l->input_shapes[i][1] != t->w ||
        l->input_shapes[i][2] != t->c) {
      return fail(p, "layer '%s': input %u shape differs from tensor '%s'.",
                  l->name, (unsigned)i, t->name);
    }
    if (diff < -MAX_CPU_LEFT_SHIFT || diff > MAX_SHIFT) {
      return fail(p, "layer '%s': exponent difference %d out of range.",
                  l->name, diff);
    }
    c_sum += t->c;
  }
  if (l->kind == IPRUNE_MAXPOOL || l->kind == IPRUNE_AVGPOOL ||
      l->kind == IPRUNE_GAP) {
    const int gap = l->kind == IPRUNE_GAP;
    const uint32_t kw = gap ? in->w : l->kernel[1];
    uint32_t oh = 1, ow = 1;
    if (!gap) {
      if (l->stride[0] == 0 || l->stride[1] == 0 || l->kernel[0] == 0 ||
          l->kernel[1] == 0 || l->pads[0] >= l->kernel[0] ||
          l->pads[1] >= l->kernel[1] ||
          in->h + l->pads[0] + l->pads[2] < l->kernel[0] ||
          in->w + l->pads[1] + l->pads[3] < l->kernel[1]) {
        return fail(p, "layer '%s': invalid pooling window.", l->name);
      }
      oh = (in->h + l->pads[0] + l->pads[2] - l->kernel[0]) / l->stride[0] +
           1u;
      ow = (in->w + l->pads[1] + l->pads[3] - l->kernel[1]) / l->stride[1] +
           1u;
    }
    if (l->n_inputs != 1 || out->c != in->c || out->h != oh ||
        out->w != ow || out->exponent != in->exponent) {
      return fail(p, "layer '%s': pooling output does not match its input.",
                  l->name);
    }
    if (kw * in->c + 3u * in->c > m->model.lea_buffer_words) {
      return fail(p, "layer '%s': a window row and its sums need %u words of "
                  "LEA RAM; the model has %u.", l->name,
                  (unsigned)(kw * in->c + 3u * in->c),
                  m->model.lea_buffer_words);
    }
    return 0;
  }
  if (l->tile_p == 0 ||
      (uint32_t)l->tile_p * (c_sum + out->c) > m->model.lea_buffer_words) {
    return fail(p, "layer '%s': a job of %u positions needs more than the "
                "%u LEA words.", l->name, l->tile_p,
                m->model.lea_buffer_words);
  }
  for (i = 0; i < l->n_inputs; i++) {
    const iprune_tensor_t *t = &m->tensors[l->inputs[i]];
    if (t->h != out->h || t->w != out->w ||
        (l->kind != IPRUNE_CONCAT && t->c != out->c)) {
      return fail(p, "layer '%s': input '%s' does not match the output.",
                  l->name, t->name);
    }
  }
  if ((l->kind == IPRUNE_CONCAT && c_sum != out->c) ||
      (l->kind == IPRUNE_RELU &&
       (l->n_inputs != 1 || out->exponent != in->exponent))) {
    return fail(p, "layer '%s': channels or exponents do not match.",
                l->name);
  }
  return 0;
}

static int parse_layers(parser_t *p, uint32_t off, sim_loaded_model_t *m) {
  uint16_t i, k;
  if ((uint64_t)off + (uint64_t)m->model.n_layers * LAYER_BYTES > p->size) {
    return fail(p, "layer table runs past the end of the file.");
  }
  for (i = 0; i < m->model.n_layers; i++) {
    const uint8_t *b = p->raw + off + (uint32_t)i * LAYER_BYTES;
    iprune_layer_t *l = &m->layers[i];
    memset(l, 0, sizeof(*l));
    l->name = string_at(p, u32(b));
    l->kind = b[4];
    l->activation = b[5];
    l->n_inputs = b[6];
    l->flags = b[7];
    l->output = u16(b + 8);
    if (l->name == NULL) return fail(p, "layer %u has no name.", i);
    if (l->kind < 1 || l->kind >= IPRUNE_NUM_KINDS || l->activation > 1 ||
        l->n_inputs < 1 || l->n_inputs > IPRUNE_MAX_INPUTS ||
        l->flags > IPRUNE_FLAG_BSR) {
      return fail(p, "layer '%s': unknown kind %u, activation %u, %u inputs "
                  "or flags %u.", l->name, l->kind, l->activation,
                  l->n_inputs, l->flags);
    }
    if (l->output >= m->model.n_tensors ||
        strcmp(m->tensors[l->output].name, l->name) != 0) {
      return fail(p, "layer '%s': its output tensor must carry its name.",
                  l->name);
    }
    for (k = 0; k < IPRUNE_MAX_INPUTS; k++) {
      l->inputs[k] = u16(b + 10 + 2 * k);
      l->input_shapes[k][0] = u16(b + 18 + 6 * k);
      l->input_shapes[k][1] = u16(b + 20 + 6 * k);
      l->input_shapes[k][2] = u16(b + 22 + 6 * k);
    }
    for (k = 0; k < l->n_inputs; k++) {
      const iprune_tensor_t *t;
      uint16_t j;
      if (l->inputs[k] >= m->model.n_tensors) {
        return fail(p, "layer '%s': input tensor index out of range.",
                    l->name);
      }
      t = &m->tensors[l->inputs[k]];
      for (j = 0; j < i; j++) {
        if (m->layers[j].output == l->inputs[k]) break;
      }
      if (j == i && l->inputs[k] != m->model.input) {
        return fail(p, "layer '%s' reads tensor '%s' before it is written.",
                    l->name, t->name);
      }
      if (l->inputs[k] == l->output || overlaps(t, &m->tensors[l->output])) {
        return fail(p, "layer '%s': output overlaps input '%s' in NVM.",
                    l->name, t->name);
      }
      if ((uint32_t)l->input_shapes[k][0] * l->input_shapes[k][1] *
              l->input_shapes[k][2] != tensor_words(t)) {
        return fail(p, "layer '%s': input shape does not match tensor '%s'.",
                    l->name, t->name);
      }
    }
    l->kernel[0] = u16(b + 42);
    l->kernel[1] = u16(b + 44);
    l->stride[0] = u16(b + 46);
    l->stride[1] = u16(b + 48);
    for (k = 0; k < 4; k++) l->pads[k] = u16(b + 50 + 2 * k);
    l->tile_m = u16(b + 58);
    l->tile_n = u16(b + 60);
    l->tile_p = u16(b + 62);
    l->weight_exponent = (int16_t)u16(b + 64);
    l->shift = (int16_t)u16(b + 66);
    l->n_groups = u16(b + 68);
    l->n_cols = u16(b + 70);
    l->block_words = u16(b + 72);
    l->n_blocks = u32(b + 76);
    l->total_outputs = u32(b + 80);
    if (l->kind != IPRUNE_GAP && l->kind != IPRUNE_DENSE &&
        (l->stride[0] == 0 || l->stride[1] == 0 || l->kernel[0] == 0 ||
         l->kernel[1] == 0)) {
      return fail(p, "layer '%s': zero kernel or stride.", l->name);
    }
    if (iprune_is_accel(l->kind) ? check_accel(p, m, l, b)
                                 : check_cpu(p, m, l)) {
      return -1;
    }
  }
  return 0;
}

int sim_parse_model(uint8_t *raw, size_t size, const char *source,
                    sim_loaded_model_t *out, char *err, size_t err_size) {
  parser_t p = {raw, size, source, err, err_size};
  uint32_t file_bytes, crc, arena;
  const uint8_t *h = raw;
  memset(out, 0, sizeof(*out));
  out->raw = raw;
  out->size = size;
  if (size < HEADER_BYTES) {
    return fail(&p, "truncated: %zu bytes, a model.bin header has %u.", size,
                HEADER_BYTES);
  }
  if (memcmp(h, "IPRB", 4) != 0) {
    return fail(&p, "not a model.bin file (wrong magic; expected 'IPRB').");
  }
  if (u16(h + 4) != FORMAT_VERSION) {
    return fail(&p, "format version %u is not supported (this simulator "
                "reads version %u); re-export the model.", u16(h + 4),
                FORMAT_VERSION);
  }
  if (u16(h + 6) != HEADER_BYTES) {
    return fail(&p, "header of %u bytes, expected %u.", u16(h + 6),
                HEADER_BYTES);
  }
  file_bytes = u32(h + 8);
  if (file_bytes != size) {
    return fail(&p, "truncated or padded: the header says %u bytes, the file "
                "has %zu.", (unsigned)file_bytes, size);
  }
  crc = sim_crc32(raw + 16, size - 16);
  if (crc != u32(h + 12)) {
    return fail(&p, "checksum mismatch (stored crc32 %08x, computed %08x): "
                "the file is corrupt.", (unsigned)u32(h + 12), (unsigned)crc);
  }
  out->model.n_tensors = u16(h + 24);
  out->model.n_layers = u16(h + 26);
  out->model.name = string_at(&p, u32(h + 40));
  out->model.state_words = u32(h + 44);
  out->model.psum_words[0] = u32(h + 48);
  out->model.psum_words[1] = u32(h + 56);
  out->model.input = u16(h + 52);
  out->model.output = u16(h + 54);
  out->model.footprint_words = IPRUNE_FOOTPRINT_WORDS;
  if (out->model.name == NULL || out->model.n_layers == 0 ||
      out->model.n_layers >= 4096 || out->model.input >= out->model.n_tensors ||
      out->model.output >= out->model.n_tensors) {
    return fail(&p, "header counts or tensor indices are invalid.");
  }
  if (parse_target(&p, u32(h + 16), &out->target)) return -1;
  out->model.lea_buffer_words = (uint16_t)out->target.lea_buffer_words;
  out->model.vm_scratch_words = (uint16_t)out->target.vm_scratch_words;
  if ((uint64_t)2u * IPRUNE_FOOTPRINT_WORDS + out->model.psum_words[0] +
      out->model.psum_words[1] > out->model.state_words) {
    return fail(&p, "state of %u words cannot hold the footprints and "
                "partial sums.", (unsigned)out->model.state_words);
  }
  arena = out->model.state_words - IPRUNE_ARENA_OFFSET(&out->model);
  out->tensors = calloc(out->model.n_tensors, sizeof(iprune_tensor_t));
  out->layers = calloc(out->model.n_layers, sizeof(iprune_layer_t));
  if (out->tensors == NULL || out->layers == NULL) {
    return fail(&p, "out of memory.");
  }
  out->model.tensors = out->tensors;
  out->model.layers = out->layers;
  if (parse_tensors(&p, u32(h + 20), out, arena)) return -1;
  if (parse_layers(&p, u32(h + 28), out)) return -1;
  if (out->layers[out->model.n_layers - 1].output != out->model.output) {
    return fail(&p, "the output tensor is not the last layer's.");
  }
  return 0;
}

int sim_load_model(const char *path, sim_loaded_model_t *out, char *err,
                   size_t err_size) {
  FILE *f = fopen(path, "rb");
  uint8_t *raw;
  long size;
  memset(out, 0, sizeof(*out));
  if (f == NULL) {
    snprintf(err, err_size, "%s: cannot open the model file.", path);
    return -1;
  }
  if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
      fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    snprintf(err, err_size, "%s: cannot read the model file.", path);
    return -1;
  }
  raw = malloc(size > 0 ? (size_t)size : 1u);
  if (raw == NULL || fread(raw, 1, (size_t)size, f) != (size_t)size) {
    fclose(f);
    free(raw);
    snprintf(err, err_size, "%s: cannot read the model file.", path);
    return -1;
  }
  fclose(f);
  if (sim_parse_model(raw, (size_t)size, path, out, err, err_size)) {
    sim_free_model(out);
    return -1;
  }
  return 0;
}

void sim_free_model(sim_loaded_model_t *m) {
  free(m->raw);
  free(m->tensors);
  free(m->layers);
  memset(m, 0, sizeof(*m));
}
