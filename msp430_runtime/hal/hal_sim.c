/* The HAL of the host simulator (docs/runtime.md, "Host simulator").
 *
 * NVM state is a heap array that persists across simulated reboots; VM (the
 * engine's arena and the LEA RAM) is one array overwritten with fresh
 * pseudo-random bytes at every power failure. Every operation is charged
 * the cycles and joules of the target's cost table, drains the energy
 * buffer by its joules and refills it by eta * P over its duration (capped
 * at full). A power failure happens where the buffer would go below empty,
 * at an injected random cycle of the timeline or at an injected byte of the
 * NVM writes: a write in progress is torn at that byte, VM is poisoned, the
 * buffer recharges, and control unwinds (longjmp) to the boot loop, which
 * charges the reboot and boots the engine again.
 */
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iprune/engine.h"
#include "iprune/hal.h"
#include "iprune/kernels.h"
#include "lea_c.h"
#include "sim.h"

enum { CAUSE_NONE = 0, CAUSE_ENERGY = 1, CAUSE_INJECTED = 2 };
enum { JUMP_FAILURE = 1, JUMP_ABORT = 2 };

/* Energy failures in a row without a commit before we call it a livelock:
 * from the second power cycle on, every cycle starts alike. */
#define SIM_MAX_IDLE_CYCLES 2
#define SIM_MAX_POWER_CYCLES 100000000u

static struct {
  const iprune_model_t *model;
  const sim_target_t *target;
  int16_t *state;
  uint8_t *vm; /* Engine arena, then LEA RAM. */
  uint32_t vm_bytes, arena_bytes;
  uint16_t lea_words;
  /* Energy and time. */
  double full_j, harvest_w, energy_j;
  double carried_harvest_w; /* Harvest rate of the buffer energy_j is left
                               from (config->carry_energy). */
  int energy_enabled;
  double on_cycles, charge_s, spent_j, timeline;
  /* Injection. */
  sim_fail_mode_t mode;
  double *points;
  uint32_t n_points, next_point;
  uint64_t bytes_written, next_byte, byte_step;
  uint32_t bytes_left;
  /* Accounting. */
  int16_t layer;
  sim_counts_t *counts; /* [0]: boot, [1 + i]: layer i. */
  uint32_t *last_counter;
  uint32_t power_cycles, energy_failures, injected_failures, reexecuted;
  uint32_t commits_this_cycle, idle_cycles;
  uint64_t nvm_bytes_read, nvm_bytes_written;
  uint64_t poison;
  int aborted;
  jmp_buf env;
  int16_t *output; /* Copy of the output tensor handed to the caller. */
} S;

static uint64_t next_random(uint64_t *x) {
  /* splitmix64 */
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static void poison_vm(void) {
  uint32_t i;
  for (i = 0; i + 8 <= S.vm_bytes; i += 8) {
    const uint64_t r = next_random(&S.poison);
    memcpy(S.vm + i, &r, 8);
  }
}

static sim_counts_t *counts(void) { return &S.counts[S.layer + 1]; }

/* Cost of an operation: fixed part, then `units` equal steps. */
typedef struct {
  double cf, cu, jf, ju;
} op_cost_t;

/* Runs the clock, the energy buffer and the injectors over one operation.
 * Returns the number of units completed; *cause says whether (and why) the
 * power fails before the operation completes. */
static uint64_t spend(op_cost_t c, uint64_t units, int is_write,
                      int injectable, int *cause) {
  const double f = S.target->cpu_hz, h = S.harvest_w;
  double cycles = c.cf + c.cu * (double)units;
  uint64_t done = units;
  *cause = CAUSE_NONE;
  if (S.energy_enabled) {
    const double net_fixed = c.jf - h * c.cf / f;
    const double net_unit = c.ju - h * c.cu / f;
    if (S.energy_j - net_fixed < 0) {
      *cause = CAUSE_ENERGY;
      done = 0;
      cycles = c.cf * (net_fixed > 0 ? S.energy_j / net_fixed : 0.0);
    } else if (net_unit > 0 && units > 0) {
      const double left = fmin(S.full_j, S.energy_j - net_fixed);
      const double can = floor(left / net_unit);
      if (can < (double)units) {
        *cause = CAUSE_ENERGY;
        done = (uint64_t)can;
        cycles = c.cf + c.cu * (double)done;
      }
    }
  }
  if (injectable && S.mode == SIM_FAIL_RANDOM &&
      S.next_point < S.n_points) {
    const double rel = S.points[S.next_point] - S.timeline;
    double at = -1;
    uint64_t u = 0;
    if (rel < c.cf) {
      at = rel > 0 ? rel : 0;
    } else if (c.cu > 0) {
      const double k = floor((rel - c.cf) / c.cu);
      if (k < (double)units) {
        u = (uint64_t)k;
        at = rel;
      }
    }
    if (at >= 0 && (*cause == CAUSE_NONE || at < cycles)) {
      *cause = CAUSE_INJECTED;
      done = u;
      cycles = at;
    }
  }
  if (injectable && is_write && S.mode == SIM_FAIL_BYTE && S.bytes_left &&
      S.bytes_written + units >= S.next_byte) {
    const uint64_t u = S.next_byte - 1 - S.bytes_written;
    const double at = c.cf + c.cu * (double)u;
    if (*cause == CAUSE_NONE || at < cycles) {
      *cause = CAUSE_INJECTED;
      done = u;
      cycles = at;
    }
  }
  {
    const double spent =
        cycles < c.cf ? (c.cf > 0 ? c.jf * cycles / c.cf : 0.0)
                      : c.jf + c.ju * (double)done;
    S.on_cycles += cycles;
    S.spent_j += spent;
    if (injectable) S.timeline += cycles;
    if (*cause == CAUSE_NONE) {
      S.energy_j = fmin(S.full_j, S.energy_j - (c.jf - h * c.cf / f));
      S.energy_j = fmin(S.full_j, S.energy_j - (double)units *
                                                   (c.ju - h * c.cu / f));
    } else if (*cause == CAUSE_ENERGY) {
      S.energy_j = 0;
    } else {
      S.energy_j = fmax(0.0, fmin(S.full_j,
                                  S.energy_j - spent + h * cycles / f));
    }
  }
  return done;
}

/* Power fails: VM is lost, the buffer recharges, control returns to the
 * boot loop. Never returns. */
static void power_fail(int cause) {
  poison_vm();
  S.power_cycles++;
  if (S.layer >= 0) {
    S.reexecuted++; /* The job in progress is lost and re-executed. */
  }
  if (cause == CAUSE_ENERGY) {
    S.energy_failures++;
    S.charge_s += S.full_j / S.harvest_w;
    S.idle_cycles = S.commits_this_cycle ? 0 : S.idle_cycles + 1;
    if (S.idle_cycles >= SIM_MAX_IDLE_CYCLES) S.aborted = 1;
  } else {
    S.injected_failures++;
    S.charge_s += (S.full_j - S.energy_j) / S.harvest_w;
    if (S.mode == SIM_FAIL_RANDOM) {
      S.next_point++;
    } else {
      S.bytes_left--;
      S.next_byte += S.byte_step;
    }
  }
  if (S.power_cycles >= SIM_MAX_POWER_CYCLES) S.aborted = 1;
  S.energy_j = S.full_j;
  longjmp(S.env, S.aborted ? JUMP_ABORT : JUMP_FAILURE);
}

static op_cost_t linear(const sim_linear_cost_t *l, double per_unit) {
  op_cost_t c;
  c.cf = l->cycles_fixed;
  c.cu = l->cycles_per_element * per_unit;
  c.jf = l->joules_fixed;
  c.ju = l->joules_per_element * per_unit;
  return c;
}

/* ---- HAL ---------------------------------------------------------------- */

int16_t *iprune_hal_nvm_state(void) { return S.state; }

void *iprune_hal_vm(uint32_t *bytes) {
  *bytes = S.arena_bytes;
  return S.vm;
}

int16_t *iprune_hal_lea_ram(uint16_t *words) {
  *words = S.lea_words;
  return (int16_t *)(S.vm + S.arena_bytes);
}

void iprune_hal_nvm_read(void *vm_dst, const void *nvm_src, uint16_t words) {
  int cause;
  spend(linear(&S.target->nvm_read, 1.0), words, 0, 1, &cause);
  if (cause) power_fail(cause);
  memcpy(vm_dst, nvm_src, (size_t)words * 2u);
  counts()->nvm_read_calls++;
  counts()->nvm_read_words += words;
  S.nvm_bytes_read += 2u * (uint64_t)words;
}

void iprune_hal_nvm_write(void *nvm_dst, const void *vm_src, uint16_t words) {
  const int16_t *dst = (const int16_t *)nvm_dst;
  int cause;
  uint64_t done;
  if (dst < S.state || dst + words > S.state + S.model->state_words) {
    fprintf(stderr, "iprune_sim: engine bug: NVM write outside the state "
            "region.\n");
    abort();
  }
  /* Units are bytes: a failure tears the write at a byte. */
  done = spend(linear(&S.target->nvm_write, 0.5), 2u * (uint64_t)words, 1, 1,
               &cause);
  memcpy(nvm_dst, vm_src, (size_t)done);
  S.bytes_written += done;
  S.nvm_bytes_written += done;
  if (cause) power_fail(cause);
  counts()->nvm_write_calls++;
  counts()->nvm_write_words += words;
}

void iprune_hal_lea_matmul(const int16_t *a, const int16_t *b, int16_t *out,
                           uint16_t rows, uint16_t inner, uint16_t cols,
                           int16_t shift) {
  const uint64_t n = (uint64_t)rows * inner * cols;
  int cause;
  spend(linear(&S.target->lea, 1.0), n, 0, 1, &cause);
  if (cause) power_fail(cause);
  iprune_lea_c_matmul(a, b, out, rows, inner, cols, shift);
  counts()->lea_calls++;
  counts()->lea_elements += n;
}

void iprune_hal_lea_mul(const int16_t *a, const int16_t *b, int16_t *out,
                        uint16_t n, int16_t shift) {
  int cause;
  spend(linear(&S.target->lea, 1.0), n, 0, 1, &cause);
  if (cause) power_fail(cause);
  iprune_lea_c_mul(a, b, out, n, shift);
  counts()->lea_calls++;
  counts()->lea_elements += n;
}

void iprune_hal_cpu(iprune_cpu_op_t op, uint32_t count) {
  op_cost_t c;
  int cause;
  c.cf = 0;
  c.jf = 0;
  c.cu = S.target->cpu[op].cycles;
  c.ju = S.target->cpu[op].joules;
  spend(c, count, 0, 1, &cause);
  if (cause) power_fail(cause);
  switch (op) {
    case IPRUNE_CPU_ADD: counts()->cpu_add += count; break;
    case IPRUNE_CPU_MUL: counts()->cpu_mul += count; break;
    case IPRUNE_CPU_DIV: counts()->cpu_div += count; break;
    default: counts()->cpu_max += count; break;
  }
}

void iprune_hal_layer(int16_t layer) { S.layer = layer; }

void iprune_hal_committed(uint16_t layer, uint32_t counter) {
  sim_counts_t *c = &S.counts[layer + 1];
  const uint32_t delta = counter - S.last_counter[layer];
  c->commits++;
  if (iprune_is_accel(S.model->layers[layer].kind)) {
    c->acc_outputs += delta;
  } else {
    c->cpu_outputs += delta;
  }
  S.last_counter[layer] = counter;
  S.commits_this_cycle++;
}

/* ---- Simulator API ------------------------------------------------------ */

int16_t *sim_nvm_state(void) { return S.state; }

int sim_open(const iprune_model_t *model, const sim_target_t *target) {
  const uint32_t lea_bytes = 2u * target->lea_buffer_words;
  sim_close();
  S.model = model;
  S.target = target;
  S.vm_bytes = (target->vm_bytes + 7u) & ~7u;
  if (lea_bytes > S.vm_bytes) return -1;
  S.arena_bytes = (S.vm_bytes - lea_bytes) & ~3u;
  S.lea_words = (uint16_t)target->lea_buffer_words;
  S.state = calloc(model->state_words ? model->state_words : 1u, 2);
  S.vm = malloc(S.vm_bytes);
  S.counts = calloc(model->n_layers + 1u, sizeof(sim_counts_t));
  S.last_counter = calloc(model->n_layers, sizeof(uint32_t));
  {
    const iprune_tensor_t *out = &model->tensors[model->output];
    S.output = malloc((size_t)out->h * out->w * out->c * sizeof(int16_t));
  }
  if (!S.state || !S.vm || !S.counts || !S.last_counter || !S.output) {
    return -1;
  }
  return 0;
}

void sim_close(void) {
  free(S.state);
  free(S.vm);
  free(S.counts);
  free(S.last_counter);
  free(S.points);
  free(S.output);
  memset(&S, 0, sizeof(S));
}

static void add_counts(sim_counts_t *to, const sim_counts_t *c) {
  to->nvm_read_calls += c->nvm_read_calls;
  to->nvm_read_words += c->nvm_read_words;
  to->nvm_write_calls += c->nvm_write_calls;
  to->nvm_write_words += c->nvm_write_words;
  to->lea_calls += c->lea_calls;
  to->lea_elements += c->lea_elements;
  to->cpu_add += c->cpu_add;
  to->cpu_mul += c->cpu_mul;
  to->cpu_div += c->cpu_div;
  to->cpu_max += c->cpu_max;
  to->commits += c->commits;
  to->acc_outputs += c->acc_outputs;
  to->cpu_outputs += c->cpu_outputs;
}

/* Puts the input in NVM, clears the footprints and the counters. */
static void start(const int16_t *input) {
  const iprune_model_t *m = S.model;
  const iprune_tensor_t *t = &m->tensors[m->input];
  memcpy(S.state + IPRUNE_ARENA_OFFSET(m) + t->nvm_offset, input,
         (size_t)t->h * t->w * t->c * 2u);
  iprune_engine_reset(m, S.state);
  memset(S.counts, 0, (m->n_layers + 1u) * sizeof(sim_counts_t));
  memset(S.last_counter, 0, m->n_layers * sizeof(uint32_t));
  S.full_j = sim_cycle_energy_j(S.target);
  S.energy_j = S.full_j;
  S.on_cycles = S.charge_s = S.spent_j = S.timeline = 0;
  S.bytes_written = S.nvm_bytes_read = S.nvm_bytes_written = 0;
  S.power_cycles = S.energy_failures = S.injected_failures = 0;
  S.reexecuted = S.commits_this_cycle = S.idle_cycles = 0;
  S.aborted = 0;
  S.layer = -1;
  poison_vm();
}

/* Boots the engine until the inference completes. */
static int run(char *err, unsigned err_size) {
  int rc;
  op_cost_t reboot;
  reboot.cf = S.target->reboot_s * S.target->cpu_hz;
  reboot.cu = 0;
  reboot.jf = S.target->reboot_j;
  reboot.ju = 0;
  rc = setjmp(S.env);
  if (rc == JUMP_ABORT) {
    if (S.idle_cycles >= SIM_MAX_IDLE_CYCLES) {
      snprintf(err, err_size, "harvested power of %g W cannot finish the "
               "inference: %u power cycles in a row completed no job (a "
               "power cycle holds %g J; the converter delivers %g W).",
               S.harvest_w / S.target->harvest_efficiency, S.idle_cycles,
               S.full_j, S.harvest_w);
    } else {
      snprintf(err, err_size, "gave up after %u power cycles.",
               S.power_cycles);
    }
    return -1;
  }
  if (rc == JUMP_FAILURE) {
    int cause;
    S.layer = -1;
    S.commits_this_cycle = 0;
    spend(reboot, 0, 0, 0, &cause);
    if (cause) power_fail(cause);
  }
  S.layer = -1;
  if (iprune_engine_run(S.model) != IPRUNE_OK) {
    snprintf(err, err_size, "the model's buffers do not fit the VM of %u "
             "bytes.", (unsigned)S.vm_bytes);
    return -1;
  }
  return 0;
}

static int compare_doubles(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int sim_infer(const int16_t *input, const sim_config_t *config,
              sim_result_t *result, char *err, unsigned err_size) {
  const iprune_model_t *m = S.model;
  const iprune_tensor_t *out = &m->tensors[m->output];
  uint32_t i;
  S.harvest_w = config->power_w * S.target->harvest_efficiency;
  S.poison = config->random_seed ^ 0xA5A5A5A5u;
  S.mode = SIM_FAIL_ENERGY;
  S.n_points = S.next_point = 0;
  S.bytes_left = 0;
  if (!(S.harvest_w > 0)) {
    snprintf(err, err_size, "harvested power must be positive.");
    return -1;
  }
  if (config->carry_energy && config->mode != SIM_FAIL_ENERGY) {
    snprintf(err, err_size, "back-to-back inferences (a carried energy "
             "buffer) need failure mode 'energy'.");
    return -1;
  }
  if (config->mode == SIM_FAIL_RANDOM && config->random_n > 0) {
    /* A clean run measures the timeline the failures are drawn from. */
    uint64_t seed = config->random_seed;
    double length;
    start(input);
    S.energy_enabled = 0;
    if (run(err, err_size)) return -1;
    length = S.timeline;
    free(S.points);
    S.points = malloc(config->random_n * sizeof(double));
    if (S.points == NULL) return -1;
    for (i = 0; i < config->random_n; i++) {
      S.points[i] = (double)(next_random(&seed) >> 11) * 0x1.0p-53 * length;
    }
    qsort(S.points, config->random_n, sizeof(double), compare_doubles);
  }
  {
    /* Before start() refills the buffer; a new harvest rate or a buffer
     * never run (energy_j == 0 after sim_open) starts full. */
    const double left = S.energy_j;
    const int carry = config->carry_energy && S.energy_enabled &&
                      S.carried_harvest_w == S.harvest_w;
    start(input);
    if (carry) S.energy_j = left;
  }
  S.carried_harvest_w = S.harvest_w;
  S.energy_enabled = 1;
  S.mode = config->mode;
  if (config->mode == SIM_FAIL_RANDOM) {
    S.n_points = config->random_n;
  } else if (config->mode == SIM_FAIL_BYTE) {
    S.next_byte = config->byte_k;
    S.byte_step = config->byte_step;
    S.bytes_left = config->byte_step ? config->byte_count : 1u;
  }
  if (run(err, err_size)) return -1;
  memset(result, 0, sizeof(*result));
  result->output_words = (uint32_t)out->h * out->w * out->c;
  result->output = S.output;
  memcpy(S.output, S.state + IPRUNE_ARENA_OFFSET(m) + out->nvm_offset,
         result->output_words * 2u);
  result->argmax = iprune_argmax(S.output, result->output_words);
  result->on_time_s = S.on_cycles / S.target->cpu_hz;
  result->charge_time_s = S.charge_s;
  result->latency_s = result->on_time_s + result->charge_time_s;
  result->cycles = S.on_cycles;
  result->energy_j = S.spent_j;
  result->power_cycles = S.power_cycles;
  result->energy_failures = S.energy_failures;
  result->injected_failures = S.injected_failures;
  result->reexecuted_jobs = S.reexecuted;
  result->nvm_bytes_read = S.nvm_bytes_read;
  result->nvm_bytes_written = S.nvm_bytes_written;
  result->boot = S.counts[0];
  result->layers = S.counts + 1;
  for (i = 0; i <= m->n_layers; i++) {
    add_counts(&result->total, &S.counts[i]);
  }
  return 0;
}

double sim_cycle_energy_j(const sim_target_t *t) {
  return 0.5 * t->capacitance_f * (t->v_on * t->v_on - t->v_off * t->v_off);
}
